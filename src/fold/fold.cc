#include "statelog/fold.h"

#include <algorithm>
#include <array>

#include "base/overloaded.h"

namespace statelog {
namespace {

Status Refuse(std::string_view what) { return Status::FailedPrecondition(what); }

// Returns true when `step` is one of the "waiting for" steps of `kind` (go-nitro's protocols).
bool StepAllowed(ObjectiveKind kind, ObjectiveStep step) {
  using S = ObjectiveStep;
  switch (kind) {
    case ObjectiveKind::kDirectFunding:
      return step == S::kCompletePrefund || step == S::kMyTurnToFund ||
             step == S::kCompleteFunding || step == S::kCompletePostFund || step == S::kNothing;
    case ObjectiveKind::kDirectDefunding:
      return step == S::kFinalization || step == S::kWithdraw || step == S::kNothing;
    case ObjectiveKind::kVirtualFund:
      return step == S::kCompletePrefund || step == S::kCompleteFunding ||
             step == S::kCompletePostFund || step == S::kNothing;
    case ObjectiveKind::kVirtualDefund:
      return step == S::kFinalization || step == S::kNothing;
  }
  return false;
}

bool IsParticipant(const ChannelState& c, const Address& a) {
  return std::find(c.fixed.participants.begin(), c.fixed.participants.end(), a) !=
         c.fixed.participants.end();
}

// A turn below the latest supported one: superseded, whatever its signatures.
bool IsStale(const ChannelState& c, uint64_t turn) {
  return c.latest_supported && turn < *c.latest_supported;
}

template <class E>
Status CheckSignedState(const ChannelState& c, const E& e) {
  if (c.concluded) return Refuse("state for a concluded channel");
  if (!IsParticipant(c, e.signer)) {
    return Refuse("signer " + e.signer.ToHex() + " is not a participant of the channel");
  }
  if (IsStale(c, e.state.turn_num)) return Status::OK();  // applies, changes nothing
  auto it = c.states.find(e.state.turn_num);
  if (it != c.states.end() && it->second.state_hash != e.state_hash) {
    return Refuse("turn " + std::to_string(e.state.turn_num) +
                  " already has a different state (hash " + it->second.state_hash.ToHex() + ")");
  }
  return Status::OK();
}

template <class E>
void AddSignedState(ChannelState& c, const E& e, TurnRetention retention) {
  if (IsStale(c, e.state.turn_num)) return;
  KnownState& known = c.states[e.state.turn_num];
  if (known.signatures.empty()) {
    known.state = e.state;
    known.state_hash = e.state_hash;
  }
  known.signatures[e.signer] = e.signature;
  if (known.signatures.size() == c.fixed.participants.size() &&
      (!c.latest_supported || e.state.turn_num > *c.latest_supported)) {
    c.latest_supported = e.state.turn_num;
    if (retention == TurnRetention::kCurrent) {
      c.states.erase(c.states.begin(), c.states.find(e.state.turn_num));
    }
  }
}

template <class E>
Status CheckVoucher(const ChannelState& c, const E& e, const Uint256& previous) {
  if (c.concluded) return Refuse("voucher for a concluded channel");
  if (!IsParticipant(c, e.signer)) {
    return Refuse("voucher signer " + e.signer.ToHex() + " is not a participant of the channel");
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
  auto it = states.find(*latest_supported);
  return it == states.end() ? nullptr : &it->second;
}

namespace {

// Applies an objective event to an existing objective (an objective_created is refused).
Status ApplyToObjective(const Event& event, Offset offset, ObjectiveState& s) {
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
            Status r = require(ObjectiveStatus::kUnapproved, "cannot reject");
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
            if (!StepAllowed(id.kind, e.waiting_for)) {
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
               events::DepositDetected, events::AllocationUpdated, events::ChallengeRegistered,
               events::ChallengeCleared, events::ChannelConcluded, events::MessageSent,
               events::MessageReceived, events::VoucherSent, events::VoucherReceived,
               events::SnapshotCreated, events::StoreImported>(
              [&] { return Refuse("not an objective event"); }),
      },
      event.body);
  if (!st.ok()) return st;
  s.event_count++;
  s.last_offset = offset;
  return Status::OK();
}

}  // namespace

Status ApplyObjectiveEvent(const Event& event, Offset offset,
                           std::optional<ObjectiveState>* state) {
  const ObjectiveId& id = *event.objective();
  if (const auto* created = std::get_if<events::ObjectiveCreated>(&event.body)) {
    if (state->has_value()) return Refuse("objective " + id.ToString() + " already exists");
    ObjectiveState s;
    s.id = id;
    s.status = created->approved ? ObjectiveStatus::kApproved : ObjectiveStatus::kUnapproved;
    s.channels = created->channels;
    s.first_offset = offset;
    s.last_offset = offset;
    s.event_count = 1;
    *state = std::move(s);
    return Status::OK();
  }
  if (!state->has_value()) return Refuse("objective " + id.ToString() + " does not exist");
  return ApplyToObjective(event, offset, **state);
}

namespace {

// Applies a channel event to an existing channel (a channel_created is refused).
Status ApplyToChannel(const Event& event, Offset offset, ChannelState& c, TurnRetention retention) {
  const ChannelId& id = c.id;
  Status st = std::visit(
      Overloaded{
          [&](const events::StateSigned& e) {
            Status r = CheckSignedState(c, e);
            if (r.ok()) AddSignedState(c, e, retention);
            return r;
          },
          [&](const events::StateReceived& e) {
            Status r = CheckSignedState(c, e);
            if (r.ok()) AddSignedState(c, e, retention);
            return r;
          },
          [&](const events::DepositDetected& e) {
            if (c.concluded) return Refuse("deposit after the channel concluded");
            if (e.now_held < e.amount) {
              return Refuse("deposit of " + e.amount.ToDecimal() + " exceeds now_held " +
                            e.now_held.ToDecimal());
            }
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
            c.holdings[e.asset] = e.now_held;
            return Status::OK();
          },
          [&](const events::ChallengeRegistered& e) {
            if (c.concluded) return Refuse("challenge on a concluded channel");
            // A new challenge may not go back behind the turn of the current or last cleared
            // challenge.
            if (c.challenge != ChallengeStatus::kNone && e.turn_num < c.challenge_turn) {
              return Refuse(
                  "challenge with turn " + std::to_string(e.turn_num) + " below turn " +
                  std::to_string(c.challenge_turn) + " of the " +
                  (c.challenge == ChallengeStatus::kRegistered ? "registered" : "last cleared") +
                  " challenge");
            }
            c.challenge = ChallengeStatus::kRegistered;
            c.challenge_turn = e.turn_num;
            c.challenge_finalizes_at = e.finalizes_at;
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
            c.challenge = ChallengeStatus::kCleared;
            c.challenge_turn = e.turn_num;
            c.challenge_finalizes_at = 0;
            return Status::OK();
          },
          [&](const events::ChannelConcluded& e) {
            if (c.concluded) return Refuse("channel already concluded");
            c.concluded = true;
            c.finalized_at = e.finalized_at;
            return Status::OK();
          },
          [&](const events::VoucherSent& e) {
            Status r = CheckVoucher(c, e, c.paid);
            if (r.ok()) c.paid = e.amount;
            return r;
          },
          [&](const events::VoucherReceived& e) {
            Status r = CheckVoucher(c, e, c.received);
            if (r.ok()) c.received = e.amount;
            return r;
          },
          [&](const events::ChannelCreated&) {
            return Refuse("channel " + id.ToHex() + " already exists");
          },
          Same<events::ObjectiveCreated, events::ObjectiveApproved, events::ObjectiveRejected,
               events::ObjectiveCompleted, events::ObjectiveProgressed, events::MessageSent,
               events::MessageReceived, events::SnapshotCreated, events::StoreImported>(
              [&] { return Refuse("not a channel event"); }),
      },
      event.body);
  if (!st.ok()) return st;
  c.event_count++;
  c.last_offset = offset;
  return Status::OK();
}

}  // namespace

Status ApplyChannelEvent(const Event& event, Offset offset, std::optional<ChannelState>* state,
                         TurnRetention retention) {
  const ChannelId& id = *event.channel();
  if (const auto* created = std::get_if<events::ChannelCreated>(&event.body)) {
    if (state->has_value()) return Refuse("channel " + id.ToHex() + " already exists");
    if (created->fixed.participants.empty()) return Refuse("channel has no participants");
    ChannelState c;
    c.id = id;
    c.fixed = created->fixed;
    c.first_offset = offset;
    c.last_offset = offset;
    c.event_count = 1;
    *state = std::move(c);
    return Status::OK();
  }
  if (!state->has_value()) return Refuse("channel " + id.ToHex() + " does not exist");
  return ApplyToChannel(event, offset, **state, retention);
}

Status ApplyToView(const Event& event, Offset offset, NodeView* view, TurnRetention retention) {
  if (offset != view->length) {
    return Status::InvalidArgument("event at offset " + std::to_string(offset) +
                                   " applied to a view of length " + std::to_string(view->length));
  }
  // An existing entity is changed in place (the Apply functions change nothing on error); a new
  // one is built aside and inserted only when it applies.
  Status st;
  if (const ObjectiveId* oid = event.objective()) {
    if (auto it = view->objectives.find(*oid); it != view->objectives.end()) {
      st = ApplyToObjective(event, offset, it->second);
    } else {
      std::optional<ObjectiveState> s;
      st = ApplyObjectiveEvent(event, offset, &s);
      if (s) view->objectives.emplace(*oid, std::move(*s));
    }
  } else if (const ChannelId* cid = event.channel()) {
    if (auto it = view->channels.find(*cid); it != view->channels.end()) {
      st = ApplyToChannel(event, offset, it->second, retention);
    } else {
      std::optional<ChannelState> c;
      st = ApplyChannelEvent(event, offset, &c, retention);
      if (c) view->channels.emplace(*cid, std::move(*c));
    }
  }
  if (!st.ok()) return st;
  view->length = offset + 1;
  return Status::OK();
}

}  // namespace statelog
