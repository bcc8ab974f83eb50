// A Nitro network's history as each of its nodes records it, under rule set 2: ledger channels
// funded directly, virtual channels funded through them with ledger proposals, vouchers,
// challenges, virtual and direct defunding, and rejected objectives, as go-nitro runs them. Every
// state, proposal and voucher is really signed by go-nitro's test actors (or any key). Used by
// the demo, `statelog generate` and the tests.
//
// Each step is recorded in the log of every node it concerns (what the node signs as signed,
// what a peer signs as received), with timestamps that only grow and chain events in block
// order. A node's log does not include its log_created event: the Ledger writes that when it
// creates the node's log (LedgerOptions::node).
//
// Not thread-safe.
#ifndef STATELOG_DEMO_NETWORK_H_
#define STATELOG_DEMO_NETWORK_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "demo/scenario.h"

namespace statelog::demo {

// A two-party ledger channel: participant 0 leads (proposes), participant 1 follows.
struct LedgerChannel {
  Actor leader, follower;
  FixedPart fixed;
  ChannelId id;
  VariablePart consensus;  // the latest supported state
  Uint256 held;            // on chain
};

// A virtual channel over a path [payer, intermediaries..., payee], funded by guarantees in the
// ledger channels between neighbours of the path.
struct VirtualChannel {
  std::vector<Actor> path;
  std::vector<LedgerChannel*> ledgers;  // ledgers[i] joins path[i] and path[i + 1]
  FixedPart fixed;
  ChannelId id;
  Uint256 payer_balance, payee_balance;  // in the prefund (the starting balances)
  Uint256 paid;                          // the largest voucher so far
};

class Network {
 public:
  // Records every node's log, or only those of `record` when it is not empty (a generator of one
  // node's log signs what that node sees, and keeps nothing else).
  explicit Network(Timestamp start, std::set<Address> record = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // The events recorded for `node` so far (empty for a node not recorded).
  const std::vector<Event>& Log(const Address& node) const;
  // Moves the events recorded for `node` out (the log starts empty again).
  std::vector<Event> TakeLog(const Address& node);

  // Direct funding of a ledger channel [leader, follower]: the leader proposes it (its objective
  // is approved), the follower approves; prefund, both deposits, postfund, completion.
  LedgerChannel& FundLedger(const Actor& leader, const Actor& follower, uint64_t nonce,
                            const Uint256& leader_deposit, const Uint256& follower_deposit);
  // A ledger channel `proposer` proposes and `peer` rejects: the peer's node rejects it by its
  // policy, and the proposer's node records the peer's rejection after approving it.
  void RejectLedger(const Actor& proposer, const Actor& peer, uint64_t nonce);
  // Virtual funding over `path` (at least two actors) through `ledgers` (ledgers[i] joins
  // path[i] and path[i + 1]): the payer's objective is approved, the others approve it; prefund,
  // a guarantee added in every ledger (the leader proposes, the follower countersigns), postfund.
  VirtualChannel& FundVirtual(const std::vector<Actor>& path,
                              const std::vector<LedgerChannel*>& ledgers, uint64_t nonce,
                              const Uint256& payer_balance);
  // The payer pays `amount` more: one voucher for the new total.
  void Pay(VirtualChannel& v, const Uint256& amount);
  // Virtual defunding: the final state (turn 2) pays the payee what the vouchers paid, signed by
  // the whole path; every ledger's guarantee is removed.
  void DefundVirtual(VirtualChannel& v);
  // A challenge registered on chain with the ledger's consensus turn, then (ClearChallenge)
  // cleared by its newer consensus turn.
  void RegisterChallenge(LedgerChannel& l, uint64_t finalizes_at);
  void ClearChallenge(LedgerChannel& l);
  // Direct defunding of a ledger without guarantees: a final state (the consensus outcome, the
  // next turn) signed by both, conclusion on chain, both withdrawals.
  void DefundLedger(LedgerChannel& l, uint64_t finalized_at);
  // A message between two nodes (recorded as sent by one and received by the other).
  void Message(const Actor& from, const Actor& to, std::string_view text);

 private:
  // One microsecond a step: a story told now ends before the next command runs.
  Timestamp Tick() { return now_ += 1; }
  bool Records(const Address& node) const;
  // Records an event for each of `nodes`, made by `make(node)`.
  template <class Make>
  void ForEach(const std::vector<Actor>& nodes, Make make);
  // Every participant's signature on `state` of a channel, as each node records it.
  void SignState(const std::vector<Actor>& signers, const std::vector<Actor>& recorders,
                 const ChannelId& id, const VariablePart& state);
  // `signer` signs a proposal leading `l` to `state`; both ledger nodes record it.
  void SignProposal(const Actor& signer, LedgerChannel& l, const Proposal& p,
                    const VariablePart& state);
  // Runs one proposal through a ledger: the leader proposes, the follower countersigns.
  void Propose(LedgerChannel& l, const Proposal& p);
  // Creates objective `id` owning `channels` at each node of `nodes`; approved at `starter`,
  // approved on receipt at the others.
  void CreateObjective(const std::vector<Actor>& nodes, const Actor& starter, const ObjectiveId& id,
                       const std::map<Address, std::vector<ChannelId>>& channels);
  void Progress(const std::vector<Actor>& nodes, const ObjectiveId& id, ObjectiveStep step);
  void Complete(const std::vector<Actor>& nodes, const ObjectiveId& id);
  void Chain(const std::vector<Actor>& nodes, const EventBody& body);

  Timestamp now_;
  uint64_t block_ = 100;
  std::set<Address> record_;
  std::map<Address, std::vector<Event>> logs_;
  std::vector<std::unique_ptr<LedgerChannel>> ledgers_;
  std::vector<std::unique_ptr<VirtualChannel>> virtuals_;
};

}  // namespace statelog::demo

#endif  // STATELOG_DEMO_NETWORK_H_
