#include "statelog/fold.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "base/overloaded.h"
#include "fold/nitro_rules.h"
#include "fold/view_index.h"

namespace statelog {
namespace {

using namespace fold_internal;  // NOLINT: the rule checks of nitro_rules.h

Status Refuse(std::string_view what) { return Status::FailedPrecondition(what); }

bool IsParticipant(const ChannelState& c, const Address& a) {
  return std::find(c.fixed.participants.begin(), c.fixed.participants.end(), a) !=
         c.fixed.participants.end();
}

// A turn below the latest supported one: superseded, whatever its signatures.
bool IsStale(const ChannelState& c, uint64_t turn) {
  return c.latest_supported && turn < *c.latest_supported;
}

using StatesAt = std::map<uint64_t, KnownState>::const_iterator;

// The channel's state of `turn`, or nullptr; *at is where that turn is or goes in c.states.
const KnownState* KnownTurn(const ChannelState& c, uint64_t turn, StatesAt* at) {
  *at = c.states.lower_bound(turn);
  return *at != c.states.end() && (*at)->first == turn ? &(*at)->second : nullptr;
}

// `by_node`: a state_signed (this node's signature), not a state_received. *at: where the state's
// turn is or goes in c.states, for AddSignedState.
template <class E>
Status CheckSignedState(const LogIdentity& log, const ChannelState& c, const E& e, bool by_node,
                        StatesAt* at) {
  *at = c.states.end();
  if (c.concluded) return Refuse("state for a concluded channel");
  if (!IsParticipant(c, e.signer)) {
    return Refuse("signer " + e.signer.ToHex() + " is not a participant of the channel");
  }
  if (log.nitro()) {
    STATELOG_RETURN_IF_ERROR(CheckSignerRole(log, e.signer, by_node, "state signed"));
  }
  if (IsStale(c, e.state.turn_num)) return Status::OK();  // applies, changes nothing
  const KnownState* known = KnownTurn(c, e.state.turn_num, at);
  if (known && known->state_hash != e.state_hash) {
    return Refuse("turn " + std::to_string(e.state.turn_num) +
                  " already has a different state (hash " + known->state_hash.ToHex() + ")");
  }
  if (log.nitro()) return CheckNewTurn(c, known, e.state, e.signer, e.signature);
  return Status::OK();
}

// A signed ledger proposal (rule set 2 only): its rules, then one state of a turn as for any
// signed state.
Status CheckProposalEvent(const LogIdentity& log, const ChannelState& c,
                          const events::SignedProposal& e, bool by_node, StatesAt* at) {
  *at = c.states.end();
  if (!log.nitro()) return Refuse("ledger proposals are recorded under rule set 2 and later");
  STATELOG_RETURN_IF_ERROR(CheckProposal(log, c, e.proposal, e.state, e.signer, by_node));
  const KnownState* known = KnownTurn(c, e.state.turn_num, at);
  if (known && known->state_hash != e.state_hash) {
    return Refuse("turn " + std::to_string(e.state.turn_num) +
                  " already has a different state (hash " + known->state_hash.ToHex() + ")");
  }
  return CheckNewTurn(c, known, e.state, e.signer, e.signature);
}

// A new challenge on `c` with turn `turn`: not on a concluded channel, and not behind the turn of
// the current or last cleared challenge.
Status CheckChallenge(const ChannelState& c, uint64_t turn) {
  if (c.concluded) return Refuse("challenge on a concluded channel");
  if (c.challenge != ChallengeStatus::kNone && turn < c.challenge_turn) {
    return Refuse("challenge with turn " + std::to_string(turn) + " below turn " +
                  std::to_string(c.challenge_turn) + " of the " +
                  (c.challenge == ChallengeStatus::kRegistered ? "registered" : "last cleared") +
                  " challenge");
  }
  return Status::OK();
}

// One signature of a challenge's candidate, shaped as a signed state event.
struct CandidateSignature {
  const VariablePart& state;
  const Hash256& state_hash;
  const Address& signer;
  const Signature& signature;
  CandidateSignature(const VariablePart& st, const Hash256& h, const events::StateSignature& s)
      : state(st), state_hash(h), signer(s.signer), signature(s.signature) {}
};

// A signature of a challenge's candidate: by a participant, for the turn's one state, once.
Status CheckCandidateSignature(const ChannelState& c, const events::ChallengeCandidate& cand,
                               const events::StateSignature& s) {
  if (!IsParticipant(c, s.signer)) {
    return Refuse("candidate signer " + s.signer.ToHex() + " is not a participant of the channel");
  }
  if (IsStale(c, cand.state.turn_num)) return Status::OK();
  auto it = c.states.find(cand.state.turn_num);
  if (it == c.states.end()) return Status::OK();
  if (it->second.state_hash != cand.state_hash) {
    return Refuse("turn " + std::to_string(cand.state.turn_num) +
                  " already has a different state (hash " + it->second.state_hash.ToHex() + ")");
  }
  auto sig = it->second.signatures.find(s.signer);
  if (sig != it->second.signatures.end() && sig->second != s.signature) {
    return Refuse(s.signer.ToHex() + " already signed turn " + std::to_string(cand.state.turn_num) +
                  " with another signature");
  }
  return Status::OK();
}

// `at`: where the state's turn is or goes in c.states (from CheckSignedState, with no change to
// the channel since), or c.states.end() to look it up.
template <class E>
void AddSignedState(const LogIdentity& log, ChannelState& c, const E& e, TurnRetention retention,
                    StatesAt at) {
  if (IsStale(c, e.state.turn_num)) return;
  const uint64_t turn = e.state.turn_num;
  if (at == c.states.end()) at = c.states.lower_bound(turn);
  auto it = at != c.states.end() && at->first == turn
                ? c.states.erase(at, at)  // the same position, as a mutable iterator
                : c.states.emplace_hint(at, std::piecewise_construct, std::forward_as_tuple(turn),
                                        std::forward_as_tuple());
  KnownState& known = it->second;
  if (log.nitro() && e.state.turn_num == 0 && !c.prefund_outcome) {
    c.prefund_outcome = e.state.outcome;
  }
  if (known.signatures.empty()) {
    known.state = e.state;
    known.state_hash = e.state_hash;
  }
  known.signatures[e.signer] = e.signature;
  if (known.signatures.size() == c.fixed.participants.size() &&
      (!c.latest_supported || e.state.turn_num > *c.latest_supported)) {
    c.latest_supported = e.state.turn_num;
    if (retention == TurnRetention::kCurrent) c.states.erase(c.states.begin(), it);
  }
}

template <class E>
Status CheckVoucher(const LogIdentity& log, const ChannelState& c, const E& e,
                    const Uint256& previous, bool sent) {
  if (c.concluded) return Refuse("voucher for a concluded channel");
  if (!IsParticipant(c, e.signer)) {
    return Refuse("voucher signer " + e.signer.ToHex() + " is not a participant of the channel");
  }
  if (log.nitro()) {
    STATELOG_RETURN_IF_ERROR(CheckSignerRole(log, e.signer, sent, "voucher signed"));
    STATELOG_RETURN_IF_ERROR(CheckVoucherRoles(log, c, e.signer, e.amount, sent));
  }
  if (e.amount < previous) {
    return Refuse("voucher amount " + e.amount.ToDecimal() + " is below the previous voucher's " +
                  previous.ToDecimal());
  }
  return Status::OK();
}

}  // namespace

std::string_view ObjectiveStatusName(ObjectiveStatus status) {
  static constexpr std::array<std::string_view, 4> kNames = {"Unapproved", "Approved", "Rejected",
                                                             "Completed"};
  return kNames[static_cast<size_t>(status)];
}

std::string_view ChallengeStatusName(ChallengeStatus status) {
  static constexpr std::array<std::string_view, 3> kNames = {"None", "Registered", "Cleared"};
  return kNames[static_cast<size_t>(status)];
}

std::vector<nitro::SignedState> SignedStates(const ChannelState& c) {
  std::vector<nitro::SignedState> out;
  out.reserve(c.states.size());
  const auto& p = c.fixed.participants;
  for (const auto& [turn, known] : c.states) {
    nitro::SignedState& ss = out.emplace_back();
    ss.state.fixed = c.fixed;
    ss.state.variable = known.state;
    for (const auto& [signer, sig] : known.signatures) {
      const auto at = std::find(p.begin(), p.end(), signer);
      if (at != p.end()) ss.sigs[static_cast<uint32_t>(at - p.begin())] = sig;
    }
  }
  return out;
}

const KnownState* ChannelState::LatestSupported() const {
  if (!latest_supported) return nullptr;
  // With TurnRetention::kCurrent, the first turn kept.
  if (!states.empty() && states.begin()->first == *latest_supported) {
    return &states.begin()->second;
  }
  auto it = states.find(*latest_supported);
  return it == states.end() ? nullptr : &it->second;
}

namespace {

// Applies an objective event to an existing objective (an objective_created is refused).
Status ApplyToObjective(const LogIdentity& log, const Event& event, Offset offset,
                        ObjectiveState& s) {
  const ObjectiveId& id = s.id;
  auto require = [&](ObjectiveStatus expected, std::string_view action) -> Status {
    if (s.status == expected) return Status::OK();
    return Refuse(std::string(action) + " an objective that is " +
                  std::string(ObjectiveStatusName(s.status)) + " (must be " +
                  std::string(ObjectiveStatusName(expected)) + ")");
  };
  Status st = std::visit(
      Overloaded{
          [&](const events::ObjectiveApproved&) {
            Status r = require(ObjectiveStatus::kUnapproved, "cannot approve");
            if (r.ok()) s.status = ObjectiveStatus::kApproved;
            return r;
          },
          [&](const events::ObjectiveRejected& e) {
            // go-nitro rejects on its own policy (Unapproved) or on a peer's notice, whatever
            // the status but Rejected.
            Status r = !log.nitro() ? require(ObjectiveStatus::kUnapproved, "cannot reject")
                       : s.status == ObjectiveStatus::kRejected
                           ? Refuse("cannot reject an objective that is Rejected")
                           : Status::OK();
            if (r.ok()) {
              s.status = ObjectiveStatus::kRejected;
              s.rejection_reason = e.reason;
            }
            return r;
          },
          [&](const events::ObjectiveCompleted&) {
            Status r = require(ObjectiveStatus::kApproved, "cannot complete");
            if (r.ok()) s.status = ObjectiveStatus::kCompleted;
            return r;
          },
          [&](const events::ObjectiveProgressed& e) {
            Status r = require(ObjectiveStatus::kApproved, "cannot progress");
            if (!r.ok()) return r;
            if (!StepAllowed(log, id.kind, e.waiting_for)) {
              return Refuse("step " + std::string(ObjectiveStepName(e.waiting_for)) +
                            " is not a step of " + std::string(ObjectiveKindName(id.kind)));
            }
            s.waiting_for = e.waiting_for;
            return Status::OK();
          },
          [&](const events::ObjectiveCreated&) {
            return Refuse("objective " + id.ToString() + " already exists");
          },
          Same<events::ChannelCreated, events::StateSigned, events::StateReceived,
               events::ProposalSigned, events::ProposalReceived, events::ChallengeRaised,
               events::DepositDetected, events::AllocationUpdated, events::ChallengeRegistered,
               events::ChallengeCleared, events::ChannelConcluded, events::MessageSent,
               events::MessageReceived, events::VoucherSent, events::VoucherReceived,
               events::SnapshotCreated, events::StoreImported, events::LogCreated>(
              [&] { return Refuse("not an objective event"); }),
      },
      event.body);
  if (!st.ok()) return st;
  s.event_count++;
  s.last_offset = offset;
  return Status::OK();
}

}  // namespace

namespace {

// An objective_created's checks, and the state it creates (in a default-constructed `s`).
Status CheckObjectiveCreated(const LogIdentity& log, const events::ObjectiveCreated& created) {
  if (log.nitro()) return CheckObjectiveChannels(created);
  return Status::OK();
}
void CreateObjective(const ObjectiveId& id, const events::ObjectiveCreated& created, Offset offset,
                     ObjectiveState& s) {
  s.id = id;
  s.status = created.approved ? ObjectiveStatus::kApproved : ObjectiveStatus::kUnapproved;
  s.channels = created.channels;
  s.first_offset = offset;
  s.last_offset = offset;
  s.event_count = 1;
}

}  // namespace

Status ApplyObjectiveEvent(const LogIdentity& log, const Event& event, Offset offset,
                           std::optional<ObjectiveState>* state) {
  const ObjectiveId& id = *event.objective();
  if (const auto* created = std::get_if<events::ObjectiveCreated>(&event.body)) {
    if (state->has_value()) return Refuse("objective " + id.ToString() + " already exists");
    STATELOG_RETURN_IF_ERROR(CheckObjectiveCreated(log, *created));
    CreateObjective(id, *created, offset, state->emplace());
    return Status::OK();
  }
  if (!state->has_value()) return Refuse("objective " + id.ToString() + " does not exist");
  return ApplyToObjective(log, event, offset, **state);
}

namespace {

// Applies a channel event to an existing channel (a channel_created is refused).
Status ApplyToChannel(const LogIdentity& log, const Event& event, Offset offset, ChannelState& c,
                      TurnRetention retention) {
  const ChannelId& id = c.id;
  // Rule set 2 applies chain events in chain order.
  auto in_chain_order = [&](uint64_t block) -> Status {
    if (!log.nitro()) return Status::OK();
    STATELOG_RETURN_IF_ERROR(CheckChainOrder(c, block));
    c.last_block = block;  // every chain event's case below changes nothing else on error
    return Status::OK();
  };
  const uint64_t last_block = c.last_block;
  Status st = std::visit(
      Overloaded{
          [&](const events::StateSigned& e) {
            StatesAt at;
            Status r = CheckSignedState(log, c, e, /*by_node=*/true, &at);
            if (r.ok()) AddSignedState(log, c, e, retention, at);
            return r;
          },
          [&](const events::StateReceived& e) {
            StatesAt at;
            Status r = CheckSignedState(log, c, e, /*by_node=*/false, &at);
            if (r.ok()) AddSignedState(log, c, e, retention, at);
            return r;
          },
          [&](const events::ProposalSigned& e) {
            StatesAt at;
            Status r = CheckProposalEvent(log, c, *e.content, /*by_node=*/true, &at);
            if (r.ok()) AddSignedState(log, c, *e.content, retention, at);
            return r;
          },
          [&](const events::ProposalReceived& e) {
            StatesAt at;
            Status r = CheckProposalEvent(log, c, *e.content, /*by_node=*/false, &at);
            if (r.ok()) AddSignedState(log, c, *e.content, retention, at);
            return r;
          },
          [&](const events::DepositDetected& e) {
            // The adjudicator takes deposits whatever the channel's state; statelog-1 refused
            // them after conclusion.
            if (c.concluded && !log.nitro()) return Refuse("deposit after the channel concluded");
            if (e.now_held < e.amount) {
              return Refuse("deposit of " + e.amount.ToDecimal() + " exceeds now_held " +
                            e.now_held.ToDecimal());
            }
            STATELOG_RETURN_IF_ERROR(in_chain_order(e.block_number));
            c.holdings[e.asset] = e.now_held;
            return Status::OK();
          },
          [&](const events::AllocationUpdated& e) {
            auto it = c.holdings.find(e.asset);
            Uint256 held = it == c.holdings.end() ? Uint256() : it->second;
            if (held < e.now_held) {
              return Refuse("allocation update raises holdings of " + e.asset.ToHex() + " from " +
                            held.ToDecimal() + " to " + e.now_held.ToDecimal());
            }
            STATELOG_RETURN_IF_ERROR(in_chain_order(e.block_number));
            c.holdings[e.asset] = e.now_held;
            return Status::OK();
          },
          [&](const events::ChallengeRegistered& e) {
            if (log.nitro()) {
              return Refuse(
                  "under rule set 2 a challenge is recorded with its candidate state "
                  "(challenge_raised)");
            }
            STATELOG_RETURN_IF_ERROR(CheckChallenge(c, e.turn_num));
            c.challenge = ChallengeStatus::kRegistered;
            c.challenge_turn = e.turn_num;
            c.challenge_finalizes_at = e.finalizes_at;
            return Status::OK();
          },
          [&](const events::ChallengeRaised& e) {
            if (!log.nitro()) return Refuse("challenges with candidates are rule set 2's");
            const events::ChallengeCandidate& cand = *e.content;
            STATELOG_RETURN_IF_ERROR(CheckChallenge(c, cand.state.turn_num));
            // The candidate's signatures join the channel's states like any signed state's.
            for (const events::StateSignature& s : cand.signatures) {
              STATELOG_RETURN_IF_ERROR(CheckCandidateSignature(c, cand, s));
            }
            STATELOG_RETURN_IF_ERROR(in_chain_order(cand.block_number));
            for (const events::StateSignature& s : cand.signatures) {
              AddSignedState(log, c, CandidateSignature{cand.state, cand.state_hash, s}, retention,
                             c.states.end());
            }
            c.challenge = ChallengeStatus::kRegistered;
            c.challenge_turn = cand.state.turn_num;
            c.challenge_finalizes_at = cand.finalizes_at;
            return Status::OK();
          },
          [&](const events::ChallengeCleared& e) {
            if (c.challenge != ChallengeStatus::kRegistered) {
              return Refuse("challenge cleared, but none is registered");
            }
            // A challenge is cleared by a supported state newer than the challenged one.
            if (e.turn_num <= c.challenge_turn) {
              return Refuse("challenge on turn " + std::to_string(c.challenge_turn) +
                            " cleared by turn " + std::to_string(e.turn_num) +
                            ", which is not newer");
            }
            STATELOG_RETURN_IF_ERROR(in_chain_order(e.block_number));
            c.challenge = ChallengeStatus::kCleared;
            c.challenge_turn = e.turn_num;
            c.challenge_finalizes_at = 0;
            return Status::OK();
          },
          [&](const events::ChannelConcluded& e) {
            if (c.concluded) return Refuse("channel already concluded");
            STATELOG_RETURN_IF_ERROR(in_chain_order(e.block_number));
            c.concluded = true;
            c.finalized_at = e.finalized_at;
            return Status::OK();
          },
          [&](const events::VoucherSent& e) {
            Status r = CheckVoucher(log, c, e, c.paid, /*sent=*/true);
            if (r.ok()) c.paid = e.amount;
            return r;
          },
          [&](const events::VoucherReceived& e) {
            Status r = CheckVoucher(log, c, e, c.received, /*sent=*/false);
            if (r.ok()) c.received = e.amount;
            return r;
          },
          [&](const events::ChannelCreated&) {
            return Refuse("channel " + id.ToHex() + " already exists");
          },
          Same<events::ObjectiveCreated, events::ObjectiveApproved, events::ObjectiveRejected,
               events::ObjectiveCompleted, events::ObjectiveProgressed, events::MessageSent,
               events::MessageReceived, events::SnapshotCreated, events::StoreImported,
               events::LogCreated>([&] { return Refuse("not a channel event"); }),
      },
      event.body);
  if (!st.ok()) {
    c.last_block = last_block;
    return st;
  }
  c.event_count++;
  c.last_offset = offset;
  return Status::OK();
}

}  // namespace

namespace {

// A channel_created's checks, and the state it creates (in a default-constructed `c`).
Status CheckChannelCreated(const LogIdentity& log, const events::ChannelCreated& created) {
  if (created.fixed.participants.empty()) return Refuse("channel has no participants");
  if (log.nitro()) return CheckNodeInChannel(log, created.fixed);
  return Status::OK();
}
void CreateChannel(const ChannelId& id, const events::ChannelCreated& created, Offset offset,
                   ChannelState& c) {
  c.id = id;
  c.fixed = created.fixed;
  c.first_offset = offset;
  c.last_offset = offset;
  c.event_count = 1;
}

}  // namespace

Status ApplyChannelEvent(const LogIdentity& log, const Event& event, Offset offset,
                         std::optional<ChannelState>* state, TurnRetention retention) {
  const ChannelId& id = *event.channel();
  if (const auto* created = std::get_if<events::ChannelCreated>(&event.body)) {
    if (state->has_value()) return Refuse("channel " + id.ToHex() + " already exists");
    STATELOG_RETURN_IF_ERROR(CheckChannelCreated(log, *created));
    CreateChannel(id, *created, offset, state->emplace());
    return Status::OK();
  }
  if (!state->has_value()) return Refuse("channel " + id.ToHex() + " does not exist");
  return ApplyToChannel(log, event, offset, **state, retention);
}

namespace {

// The view's entities, for the rules that look beyond an event's own entity: through `index`
// when there is one, else searched in the view's maps.
class ViewLookup final : public EntityLookup {
 public:
  ViewLookup(const NodeView& view, ViewIndex* index) : view_(view), index_(index) {}
  const ObjectiveState* Objective(const ObjectiveId& id) override {
    if (index_ && ViewIndex::Indexed(id.kind)) {
      return index_->At(id.channel).objectives[static_cast<size_t>(id.kind)];
    }
    auto it = view_.objectives.find(id);
    return it == view_.objectives.end() ? nullptr : &it->second;
  }
  const ChannelState* Channel(const ChannelId& id) override {
    if (index_) return index_->At(id).channel;
    auto it = view_.channels.find(id);
    return it == view_.channels.end() ? nullptr : &it->second;
  }
  std::array<const ObjectiveState*, 4> ObjectivesOf(const ChannelId& channel) override {
    if (!index_) return EntityLookup::ObjectivesOf(channel);
    const auto& of = index_->At(channel).objectives;
    return {of[0], of[1], of[2], of[3]};
  }

 private:
  const NodeView& view_;
  ViewIndex* index_;
};

}  // namespace

StatusOr<LogIdentity> IdentityOfLog(const events::LogCreated& e, Offset offset) {
  if (offset != 0) {
    return Refuse("log_created at offset " + std::to_string(offset) +
                  ": only the first event of a log names its node");
  }
  if (e.node == Address{}) return Refuse("log_created names the zero address as its node");
  STATELOG_ASSIGN_OR_RETURN(RuleSet rules, RuleSetFromNumber(e.rules));
  if (rules == RuleSet::kStatelog1) {
    return Refuse("log_created names rule set 1, the rules of logs without a node");
  }
  return LogIdentity{rules, e.node};
}

namespace {

// ApplyToView, with the view's entities found through `index` when there is one.
Status ApplyToViewWith(const Event& event, Offset offset, NodeView* view, TurnRetention retention,
                       ViewIndex* index) {
  if (offset != view->length) {
    return Status::InvalidArgument("event at offset " + std::to_string(offset) +
                                   " applied to a view of length " + std::to_string(view->length));
  }
  const LogIdentity& log = view->identity;
  if (log.nitro()) {
    ViewLookup lookup(*view, index);
    STATELOG_RETURN_IF_ERROR(CheckAcrossEntities(log, event, lookup));
  }
  // An existing entity is changed in place (the Apply functions change nothing on error); a new
  // one is built aside and inserted only when it applies.
  Status st;
  if (const ObjectiveId* oid = event.objective()) {
    ObjectiveState* existing = nullptr;
    if (index && ViewIndex::Indexed(oid->kind)) {
      existing = index->At(oid->channel).objectives[static_cast<size_t>(oid->kind)];
    } else if (auto it = view->objectives.find(*oid); it != view->objectives.end()) {
      existing = &it->second;
    }
    const auto* created = std::get_if<events::ObjectiveCreated>(&event.body);
    if (existing) {
      st = ApplyToObjective(log, event, offset, *existing);
    } else if (created) {
      // Made in place: the view has no such objective, and gets it only when it applies.
      st = CheckObjectiveCreated(log, *created);
      if (st.ok()) {
        ObjectiveState& s = view->objectives.try_emplace(*oid).first->second;
        CreateObjective(*oid, *created, offset, s);
        if (index && ViewIndex::Indexed(oid->kind)) index->Inserted(s);
      }
    } else {
      std::optional<ObjectiveState> none;
      st = ApplyObjectiveEvent(log, event, offset, &none);  // refuses it
    }
  } else if (const ChannelId* cid = event.channel()) {
    ChannelState* existing = nullptr;
    if (index) {
      existing = index->At(*cid).channel;
    } else if (auto it = view->channels.find(*cid); it != view->channels.end()) {
      existing = &it->second;
    }
    const auto* created = std::get_if<events::ChannelCreated>(&event.body);
    if (existing) {
      st = ApplyToChannel(log, event, offset, *existing, retention);
    } else if (created) {
      // Made in place: the view has no such channel, and gets it only when it applies.
      st = CheckChannelCreated(log, *created);
      if (st.ok()) {
        ChannelState& c = view->channels.try_emplace(*cid).first->second;
        CreateChannel(*cid, *created, offset, c);
        if (index) index->Inserted(c);
      }
    } else {
      std::optional<ChannelState> none;
      st = ApplyChannelEvent(log, event, offset, &none, retention);  // refuses it
    }
  } else if (const auto* created = std::get_if<events::LogCreated>(&event.body)) {
    StatusOr<LogIdentity> identity = IdentityOfLog(*created, offset);
    if (!identity.ok()) return identity.status();
    view->identity = *identity;
  }
  if (!st.ok()) return st;
  view->length = offset + 1;
  return Status::OK();
}

}  // namespace

Status ApplyToView(const Event& event, Offset offset, NodeView* view, TurnRetention retention) {
  return ApplyToViewWith(event, offset, view, retention, nullptr);
}

namespace fold_internal {

void ViewIndex::Fill(const ChannelId& channel, Entry& e) {
  if (auto it = view_->channels.find(channel); it != view_->channels.end()) e.channel = &it->second;
  for (size_t kind = 0; kind < e.objectives.size(); ++kind) {
    auto it = view_->objectives.find({static_cast<ObjectiveKind>(kind), channel});
    if (it != view_->objectives.end()) e.objectives[kind] = &it->second;
  }
}

Status ApplyToView(const Event& event, Offset offset, ViewIndex& index, TurnRetention retention) {
  return ApplyToViewWith(event, offset, &index.view(), retention, &index);
}

}  // namespace fold_internal

}  // namespace statelog
