// Builders for real Nitro channel histories: go-nitro's test actors sign real states and
// vouchers, so the events pass the Ledger's checks. Used by the demo and by tests.
#ifndef STATELOG_DEMO_SCENARIO_H_
#define STATELOG_DEMO_SCENARIO_H_

#include <string>
#include <vector>

#include "statelog/event.h"

namespace statelog::demo {

// A participant with its private key (go-nitro's test actors).
struct Actor {
  std::string name;
  Bytes32 key;
  Address address;

  // An actor with the given key. REQUIRES: `key` is a valid secp256k1 private key.
  static Actor FromKey(std::string name, const Bytes32& key);
  static Actor Alice();
  static Actor Bob();
  static Actor Irene();
  static Actor Ivan();
};

// Produces the events of one two-party ledger channel as seen by `me`, with increasing
// timestamps. Every state and voucher is really signed.
class ChannelScript {
 public:
  // A channel between `me` and `peer` holding `deposit` of the native asset for each side.
  ChannelScript(Actor me, Actor peer, uint64_t nonce, Timestamp start, Uint256 deposit);

  const ChannelId& id() const { return id_; }
  const FixedPart& fixed() const { return fixed_; }
  ObjectiveId funding() const { return {ObjectiveKind::kDirectFunding, id_}; }
  ObjectiveId defunding() const { return {ObjectiveKind::kDirectDefunding, id_}; }

  Event ChannelCreated();
  Event ObjectiveCreated(const ObjectiveId& id, bool approved);
  Event ObjectiveApproved(const ObjectiveId& id);
  Event ObjectiveProgressed(const ObjectiveId& id, ObjectiveStep step);
  Event ObjectiveCompleted(const ObjectiveId& id);
  Event ObjectiveRejected(const ObjectiveId& id, std::string reason);
  // `signer` signs the state with turn `turn`, the current outcome and `is_final`: a
  // state_signed when the signer is `me`, a state_received otherwise.
  Event Sign(const Actor& signer, uint64_t turn, bool is_final = false);
  // Moves `amount` from `from`'s allocation to the other's in the outcome of later states.
  void Transfer(const Actor& from, const Uint256& amount);
  Event Deposit(const Uint256& amount);
  Event AllocationUpdated(const Uint256& now_held);
  Event ChallengeRegistered(uint64_t turn, uint64_t finalizes_at);
  Event ChallengeCleared(uint64_t turn);
  Event Concluded(uint64_t finalized_at);
  // `payer` signs a voucher for a cumulative `amount`: voucher_sent when the payer is `me`.
  Event Voucher(const Actor& payer, const Uint256& amount);
  Event Message(bool sent, std::string_view text);

  // The whole direct-funding lifecycle of the channel: created, pre-fund states, deposits,
  // post-fund states, `payments` vouchers from me to the peer, a final state, conclusion and
  // withdrawal, with the objectives' progress.
  std::vector<Event> DirectFundingLifecycle(int payments);

  const Uint256& held() const { return held_; }
  Timestamp now() const { return now_; }

 private:
  Timestamp Tick() { return now_ += 1000; }
  VariablePart Variable(uint64_t turn, bool is_final) const;

  Actor me_, peer_;
  FixedPart fixed_;
  ChannelId id_;
  Exit outcome_;
  Uint256 held_;
  Uint256 deposit_;
  uint64_t block_ = 100;
  Timestamp now_;
};

}  // namespace statelog::demo

#endif  // STATELOG_DEMO_SCENARIO_H_
