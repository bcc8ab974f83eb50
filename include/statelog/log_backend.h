// LogBackend: what a storage engine implements to hold a statelog Log (statelog/log.h). The core
// does every check and computes every chain value and stream version; a backend only stores what
// it is given and reads it back. Implementations: memory, RocksDB, PostgreSQL.
//
// Contract:
//   - Append writes a staged batch atomically, and only if the backend's head equals `expected`:
//     otherwise it writes nothing and returns Conflict. This one conditional write is what makes
//     the core's checks valid with several writers (several processes on a shared backend).
//   - Reads return what was appended, or an error: never a shorter answer. A scan that stops on
//     an error returns the error, not the prefix it read.
//   - Reads may see records beyond the head the core last read (a shared backend's other
//     writers); the core bounds what it returns to its callers.
//
// Thread safety: every method may be called concurrently, except that the core never runs two
// Appends at once (it serializes them through its group commit).
#ifndef STATELOG_LOG_BACKEND_H_
#define STATELOG_LOG_BACKEND_H_

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/log.h"
#include "statelog/status.h"
#include "statelog/tlog.h"

namespace statelog {

// A stream's state at some length of the log: its version (number of records) and its last
// record.
struct StreamTail {
  uint64_t version = 0;
  Offset last_offset = 0;
  Timestamp last_timestamp = 0;
  friend bool operator==(const StreamTail&, const StreamTail&) = default;
};

// One stream membership of a staged record: the stream's version after the record.
struct StreamEntry {
  std::string_view stream;
  uint64_t version = 0;
};

// A record the core has checked and placed.
struct StagedRecord {
  Offset offset = 0;
  Hash256 chain;                     // chain value after this record
  const Record* record = nullptr;    // id, timestamp, streams, payload
  std::string_view encoded;          // payload->Encode(), when the backend asked for it
  std::vector<StreamEntry> streams;  // in record->streams' order
  // The Merkle tree's stored hashes this record completes (docs/adr/0016-merkle-tree-and-
  // checkpoints.md), its leaf hash first; empty unless the backend wants_tree_hashes().
  std::span<const tlog::StoredHash> tree;
};

class LogBackend {
 public:
  virtual ~LogBackend() = default;

  // True when other processes may append to the same log: the core then reads the head from the
  // backend instead of trusting its own, and treats its caches as hints that the conditional
  // Append confirms.
  virtual bool shared() const = 0;
  // True when Append needs StagedRecord::encoded (the core encodes on the appender's thread).
  virtual bool wants_encoded() const = 0;
  // True (the default) when one write of many records costs much less than many writes (a flush,
  // a round trip): the core then gathers concurrent appends into one Append (group commit).
  // False for a backend whose writes cost no more than the hand-over between threads (memory):
  // the core then runs appends one at a time under a mutex.
  virtual bool group_commit() const { return true; }
  // True when ReadStreamTail costs no more than a lookup in a hash map (memory): the core then
  // keeps no cache of stream tails beside the backend's own index. False by default.
  virtual bool cheap_stream_tails() const { return false; }
  // True when the backend has the log's Merkle tree (docs/adr/0016-merkle-tree-and-
  // checkpoints.md) and answers ReadTreeHashes: the Log then offers it (Log::tree()). False by
  // default: the log has no tree.
  virtual bool keeps_tree() const { return false; }
  // True (the default, when keeps_tree()) when the core computes the stored hashes each record
  // completes and hands them to Append (StagedRecord::tree), which writes them in the same atomic
  // write as the records: what a durable backend does, so that a crash leaves both or neither.
  // False for a backend that derives its tree from its records itself (memory: when first read;
  // it has no write for the tree to be atomic with).
  virtual bool wants_tree_hashes() const { return keeps_tree(); }

  // True when the backend keeps the log's signed checkpoints (KeptCheckpoint, statelog/log.h)
  // and answers ReadLatestCheckpoint and KeepCheckpoint. False by default.
  //
  // Contract: kept checkpoints are numbered 0, 1, 2, ... with no gap; KeepCheckpoint is a
  // conditional write like Append: it writes the checkpoint numbered n only when the latest kept
  // one is numbered n - 1 (none for n = 0), and Conflict, writing nothing, otherwise; a kept
  // checkpoint is durable like an appended record and never changes or goes away. The backend
  // checks nothing else: the signer reads the latest kept checkpoint, checks that the new one
  // extends it (a consistency proof from the stored tree) and keeps it with the next number, so
  // two signers racing cannot both keep a checkpoint after the same one.
  virtual bool keeps_checkpoints() const { return false; }
  // The kept checkpoint with the highest number, or nullopt when none was kept. A kept record
  // that cannot be read or decoded is Corruption naming its number. REQUIRES:
  // keeps_checkpoints(); the default returns NotSupported.
  virtual StatusOr<std::optional<KeptCheckpoint>> ReadLatestCheckpoint() const;
  // Keeps `checkpoint` (see keeps_checkpoints for the condition). REQUIRES: keeps_checkpoints();
  // the default returns NotSupported.
  virtual Status KeepCheckpoint(const KeptCheckpoint& checkpoint);

  virtual StatusOr<ChainHead> ReadHead() const = 0;
  // The head up to which subscriptions may deliver. By default the head; a replicated backend
  // may answer an older committed head, e.g. the longest one its synchronous standbys have
  // confirmed, so that no subscriber sees a record a failover could still take back.
  virtual StatusOr<ChainHead> ReadDeliverableHead() const { return ReadHead(); }

  // Appends `records` (offsets expected.length, expected.length + 1, ...; the last chain value is
  // the new head's) if the head is `expected`; Conflict, writing nothing, otherwise.
  virtual Status Append(const ChainHead& expected, std::span<const StagedRecord> records) = 0;

  // Replaces *out with the records at [begin, end), decoded with the format given to the
  // backend. Corruption naming the offset when one is missing or undecodable.
  // REQUIRES: begin <= end <= a head the caller read.
  virtual Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const = 0;
  // A cursor over [begin, end) (same REQUIRES). The default reads chunks through ReadRange.
  virtual std::unique_ptr<RecordCursor> NewCursor(Offset begin, Offset end) const;

  // Sets out[i] to the stored hash ids[i] (tlog::HashReader's contract): every hash of a complete
  // subtree of the records appended. A hash that should be stored and is not is Corruption
  // naming it. REQUIRES: keeps_tree(); the default returns NotSupported.
  virtual Status ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                                std::span<tlog::Hash> out) const;

  // The offset of the record with `id`, or nullopt.
  virtual StatusOr<std::optional<Offset>> Find(const RecordId& id) const = 0;
  // Find() of each of `ids`: (*out)[i] for ids[i] (an id may repeat). On an error *out is
  // unspecified. The default calls Find() for each id in turn; a backend with a cheaper batched
  // lookup (one query, one batched read) overrides it. Called by the core for every append.
  virtual Status FindMany(std::span<const RecordId> ids,
                          std::vector<std::optional<Offset>>* out) const;
  // The offsets below `before` of `stream`'s records, increasing.
  virtual StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream,
                                                      Offset before) const = 0;
  // The stream's tail considering only records below `before`; nullopt when it has none there.
  virtual StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view stream,
                                                             Offset before) const = 0;

  // Shared backends: `callback` is called (from any thread) when another process may have
  // appended. Set once, by the core, before any other call; the backend stops calling it when
  // destroyed. The default ignores it.
  virtual void SetAppendListener(std::function<void()> callback);
};

}  // namespace statelog

#endif  // STATELOG_LOG_BACKEND_H_
