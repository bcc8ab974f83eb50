// Reading a go-nitro node's durable store: the directory of buntdb files go-nitro keeps per node
// (docs/go-nitro-store.md), parsed into go-nitro's records. Every value is checked against the
// shape go-nitro writes; an error names the file, the key and the field path, e.g.
//   "channels_AbCdE.db: key 0x12…: OffChain.SignedStateForTurnNum.3.State.TurnNum: ..."
// Signatures are parsed, not recovered: the migration's checked append recovers them.
#ifndef STATELOG_GONITRO_NODE_STORE_H_
#define STATELOG_GONITRO_NODE_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "statelog/event.h"
#include "statelog/nitro.h"
#include "statelog/status.h"

namespace statelog::gonitro {

// One buntdb file as read.
struct SourceFile {
  std::string name;          // e.g. "channels_AbCdE.db"
  uint64_t size = 0;         // bytes in the file
  uint64_t whole_bytes = 0;  // bytes of its whole commands; size - whole_bytes were a torn tail
  Hash256 digest;            // keccak256 of all `size` bytes
  uint64_t keys = 0;         // live keys after replaying it
};

// A channel of channels_*.db (a channel.Channel) or of consensus_channels_*.db (a ledger
// channel's consensus state, rebuilt as the Nitro state its signatures sign).
struct GoChannel {
  std::string where;  // "FILE: key KEY"
  bool consensus = false;
  ChannelId id;
  FixedPart fixed;
  uint32_t my_index = 0;
  std::map<Address, Uint256> holdings;  // OnChain.Holdings or OnChainFunding
  // Signed states by turn; `where` of each is in `state_paths` (the same keys).
  std::map<uint64_t, nitro::SignedState> states;
  std::map<uint64_t, std::string> state_paths;  // e.g. "OffChain.SignedStateForTurnNum.3"
  std::optional<uint64_t> latest_supported;     // as go-nitro recorded it
  size_t proposals = 0;                         // consensus: ProposalQueue entries
  bool on_chain_outcome = false;                // OnChain.Outcome or .StateHash set
};

// vouchers_*.db: the largest voucher of a payment channel.
struct GoVoucher {
  std::string where;
  ChannelId channel;
  Address payer;
  Address payee;
  Uint256 starting_balance;
  Uint256 amount;
  Signature signature;
};

// objectives_*.db. go-nitro's Status: 0 Unapproved, 1 Approved, 2 Rejected, 3 Completed.
struct GoObjective {
  std::string where;
  ObjectiveId id;
  uint8_t status = 0;
  std::vector<ChannelId> channels;  // C or V, then the ledger channels it funds through
};

struct GoNitroStore {
  std::string dir;  // the node directory, 0x<address>
  Address node;
  std::vector<SourceFile> files;
  std::map<ChannelId, GoChannel> channels;
  std::map<ChannelId, GoVoucher> vouchers;
  std::map<ObjectiveId, GoObjective> objectives;
  std::map<ChannelId, ObjectiveId> channel_to_objective;
  std::optional<uint64_t> last_block;  // blocks_*.db (or the older lastBlockNumSeen_*.db)
};

// The files of a node's store ("blocks" is also the older "lastBlockNumSeen").
enum class StoreFile {
  kChannels,
  kConsensusChannels,
  kVouchers,
  kObjectives,
  kChannelToObjective,
  kBlocks,
};

// Parses one value of `file` under `key` into *store (whose `node` must be set), checked as
// described above; `where` ("FILE: key KEY") is kept in the record for later errors. A channel
// already in `store->channels` is refused. On error (InvalidArgument starting with the field
// path, without `where`) *store is unchanged.
Status AddStoreValue(StoreFile file, const std::string& key, const std::string& value,
                     const std::string& where, GoNitroStore* store);

// Reads the store in `dir`: a node directory named 0x<address>, or a folder holding exactly one.
// NotFound when `dir` does not exist; InvalidArgument for anything that is not a go-nitro store
// or holds a malformed value; IOError when a file cannot be read. A torn last command of a file
// is dropped, as buntdb does (SourceFile::whole_bytes < size).
StatusOr<GoNitroStore> ReadGoNitroStore(const std::string& dir);

}  // namespace statelog::gonitro

#endif  // STATELOG_GONITRO_NODE_STORE_H_
