// Rule set 2: the rules that look beyond an event's own entity (fold/nitro_rules.h).
#include <algorithm>
#include <array>
#include <span>
#include <string>

#include "base/overloaded.h"
#include "fold/nitro_rules.h"

namespace statelog::fold_internal {
namespace {

Status Refuse(std::string what) { return Status::FailedPrecondition(std::move(what)); }

constexpr std::array<ObjectiveKind, 4> kKinds = {
    ObjectiveKind::kDirectFunding, ObjectiveKind::kDirectDefunding, ObjectiveKind::kVirtualFund,
    ObjectiveKind::kVirtualDefund};

// The objectives of each kind whose own channel is `channel` (nullptr where none), looked up once.
struct Owners {
  std::array<const ObjectiveState*, 4> of{};  // by ObjectiveKind
  Owners(const ChannelId& channel, EntityLookup& lookup) : of(lookup.ObjectivesOf(channel)) {}
  const ObjectiveState* operator[](ObjectiveKind kind) const {
    return of[static_cast<size_t>(kind)];
  }
  // The approved one: go-nitro lets one approved objective own a channel at a time (its store's
  // channel-to-objective map).
  const ObjectiveState* Approved() const {
    for (const ObjectiveState* o : of) {
      if (o && o->status == ObjectiveStatus::kApproved) return o;
    }
    return nullptr;
  }
};

// Returns the approved objective that owns `channel` (its own channel), or nullopt.
std::optional<ObjectiveId> ApprovedOwner(const ChannelId& channel, EntityLookup& lookup) {
  const ObjectiveState* o = Owners(channel, lookup).Approved();
  return o ? std::optional<ObjectiveId>(o->id) : std::nullopt;
}

// The postfund of a directly funded channel is signed once every asset is held in full
// (go-nitro's directfund: the funding is complete when the holdings reach the total allocated).
Status CheckFunded(const ChannelState& c, const VariablePart& state) {
  for (const SingleAssetExit& exit : state.outcome) {
    Uint256 total;
    for (const Allocation& a : exit.allocations) {
      if (!Uint256::CheckedAdd(total, a.amount, &total)) {
        return Refuse("the outcome of asset " + exit.asset.ToHex() +
                      " allocates more than 2^256-1");
      }
    }
    auto held = c.holdings.find(exit.asset);
    Uint256 have = held == c.holdings.end() ? Uint256() : held->second;
    if (have < total) {
      return Refuse("postfund (turn 1) signed before the channel is funded: asset " +
                    exit.asset.ToHex() + " holds " + have.ToDecimal() + " of " + total.ToDecimal());
    }
  }
  return Status::OK();
}

// A virtual channel allocates, for each asset, its payer's funds (participant 0) then its
// payee's (the last participant), and nothing else (go-nitro's virtual channel).
Status CheckVirtualShape(const ChannelState& c, const VariablePart& state) {
  const auto& p = c.fixed.participants;
  for (const SingleAssetExit& exit : state.outcome) {
    const auto& a = exit.allocations;
    if (a.size() != 2 || a[0].destination != ToDestination(p.front()) ||
        a[1].destination != ToDestination(p.back()) || a[0].allocation_type != 0 ||
        a[1].allocation_type != 0) {
      return Refuse(
          "a virtual channel's outcome allocates, for each asset, to participant 0 then "
          "to the last participant, and to nobody else");
    }
  }
  return Status::OK();
}

bool Live(const ObjectiveState* o) {
  return o && (o->status == ObjectiveStatus::kApproved || o->status == ObjectiveStatus::kCompleted);
}
bool Approved(const ObjectiveState* o) { return o && o->status == ObjectiveStatus::kApproved; }

// The ledger channels an objective owns besides its own channel (a virtual channel's objectives:
// the ledgers on the node's left and right).
std::span<const ChannelId> Ledgers(const ObjectiveState& o) {
  return std::span(o.channels).subspan(o.channels.empty() ? 0 : 1);
}

// A virtual channel's postfund is signed once every ledger the node funds it through holds its
// guarantee (go-nitro's virtualfund: funding complete).
Status CheckGuaranteed(const ObjectiveState& fund, EntityLookup& lookup) {
  for (const ChannelId& l : Ledgers(fund)) {
    const ChannelState* ledger = lookup.Channel(l);
    if (ledger == nullptr || !HasGuarantee(*ledger, fund.id.channel)) {
      return Refuse("ledger channel " + l.ToHex() + " does not yet guarantee virtual channel " +
                    fund.id.channel.ToHex());
    }
  }
  return Status::OK();
}

// Direct defunding (go-nitro's directdefund): only final states, at the turn after the latest
// supported one (or that turn, when it is final already); what the node signs keeps the outcome.
template <class E>
Status CheckDefundState(const ChannelState& c, const E& e, bool signed_by_node) {
  const KnownState* supported = c.LatestSupported();
  if (supported == nullptr) return Status::OK();
  const uint64_t final_turn =
      supported->state.is_final ? supported->state.turn_num : supported->state.turn_num + 1;
  if (!e.state.is_final) return Refuse("direct defunding records only final states");
  if (e.state.turn_num != final_turn) {
    return Refuse("direct defunding's final state is turn " + std::to_string(final_turn) +
                  ", not turn " + std::to_string(e.state.turn_num));
  }
  if (signed_by_node && e.state.outcome != supported->state.outcome) {
    return Refuse("the final state this node signs keeps the outcome of the supported turn " +
                  std::to_string(supported->state.turn_num));
  }
  return Status::OK();
}

// Virtual defunding (go-nitro's virtualdefund): the final state is turn 2; what the payer loses
// the payee gains; the payee takes no less than its largest voucher.
template <class E>
Status CheckVirtualFinal(const LogIdentity& log, const ChannelState& v, const E& e) {
  if (e.state.turn_num < 2) return Status::OK();
  if (e.state.turn_num != 2 || !e.state.is_final) {
    return Refuse("virtual defunding's final state is turn 2 and final");
  }
  if (!v.prefund_outcome || v.prefund_outcome->empty() || e.state.outcome.empty() ||
      v.prefund_outcome->front().allocations.size() != 2 ||
      e.state.outcome.front().allocations.size() != 2) {
    return Refuse("a virtual channel's outcome pays its payer and its payee");
  }
  const auto& before = v.prefund_outcome->front().allocations;
  const auto& after = e.state.outcome.front().allocations;
  Uint256 paid, received;
  if (!Uint256::CheckedSub(before[0].amount, after[0].amount, &paid) ||
      !Uint256::CheckedSub(after[1].amount, before[1].amount, &received) || paid != received) {
    return Refuse(
        "the final outcome is not balanced: the payer pays " +
        (before[0].amount < after[0].amount ? std::string("a negative amount") : paid.ToDecimal()) +
        ", the payee receives " +
        (after[1].amount < before[1].amount ? std::string("a negative amount")
                                            : received.ToDecimal()));
  }
  if (log.node && *log.node == v.fixed.participants.back() && received < v.received) {
    return Refuse("payment amount " + received.ToDecimal() +
                  " is less than the largest voucher received, " + v.received.ToDecimal());
  }
  return Status::OK();
}

template <class E>
Status CheckStateAcross(const LogIdentity& log, const E& e, bool signed_by_node,
                        EntityLookup& lookup) {
  const ChannelState* c = lookup.Channel(e.channel_id);
  if (c == nullptr || (c->latest_supported && e.state.turn_num < *c->latest_supported)) {
    return Status::OK();  // the channel's own fold refuses it, or it is stale and changes nothing
  }
  const ChannelId& id = e.channel_id;
  const Owners owners(id, lookup);
  if (Approved(owners[ObjectiveKind::kDirectDefunding])) {
    STATELOG_RETURN_IF_ERROR(CheckDefundState(*c, e, signed_by_node));
  } else if (Live(owners[ObjectiveKind::kDirectFunding]) && e.state.turn_num >= 2 &&
             !e.state.is_final) {
    return Refuse("ledger channel " + id.ToHex() + " changes its outcome only by proposals");
  }
  if (owners[ObjectiveKind::kVirtualFund] && e.state.turn_num == 0) {
    STATELOG_RETURN_IF_ERROR(CheckVirtualShape(*c, e.state));
  }
  if (owners[ObjectiveKind::kVirtualDefund]) {
    STATELOG_RETURN_IF_ERROR(CheckVirtualFinal(log, *c, e));
  }
  if (!signed_by_node) return Status::OK();
  const ObjectiveState* owner = owners.Approved();
  if (owner == nullptr) {
    return Refuse("this node signs a state of channel " + id.ToHex() +
                  " only under an approved objective that owns it, and none does");
  }
  if (e.state.turn_num == 1 && owner->id.kind == ObjectiveKind::kDirectFunding) {
    return CheckFunded(*c, e.state);
  }
  if (e.state.turn_num == 1 && owner->id.kind == ObjectiveKind::kVirtualFund) {
    return CheckGuaranteed(*owner, lookup);
  }
  return Status::OK();
}

// The index of `a` among `participants`, or nullopt.
std::optional<size_t> IndexOf(const std::vector<Address>& participants, const Address& a) {
  auto it = std::find(participants.begin(), participants.end(), a);
  if (it == participants.end()) return std::nullopt;
  return static_cast<size_t>(it - participants.begin());
}

// What the node proposes or countersigns in a ledger channel is the guarantee its virtual
// funding or defunding objective needs (go-nitro's virtualfund and virtualdefund).
Status CheckNodesProposal(const events::ProposalSigned& e, EntityLookup& lookup) {
  const Proposal& p = e.content->proposal;
  const bool add = p.kind == ProposalKind::kAdd;
  const ObjectiveId owner{add ? ObjectiveKind::kVirtualFund : ObjectiveKind::kVirtualDefund,
                          p.target};
  const ObjectiveState* o = lookup.Objective(owner);
  if (!Approved(o) ||
      std::find(o->channels.begin(), o->channels.end(), e.channel_id) == o->channels.end()) {
    return Refuse("this node " + std::string(add ? "adds" : "removes") +
                  " a guarantee only under an approved " + owner.ToString() +
                  " objective that owns ledger channel " + e.channel_id.ToHex());
  }
  const ChannelState* v = lookup.Channel(p.target);
  const ChannelState* l = lookup.Channel(e.channel_id);
  if (v == nullptr || l == nullptr || !v->prefund_outcome || v->prefund_outcome->empty() ||
      v->prefund_outcome->front().allocations.size() != 2) {
    return Refuse("virtual channel " + p.target.ToHex() + " and its prefund are not known");
  }
  const auto& initial = v->prefund_outcome->front().allocations;
  if (add) {
    Uint256 total;
    (void)Uint256::CheckedAdd(initial[0].amount, initial[1].amount, &total);
    if (p.amount != total || p.left_amount != initial[0].amount) {
      return Refuse("the guarantee for " + p.target.ToHex() + " is " + total.ToDecimal() +
                    " with " + initial[0].amount.ToDecimal() + " from the left, not " +
                    p.amount.ToDecimal() + " with " + p.left_amount.ToDecimal());
    }
    const auto& vp = v->fixed.participants;
    auto a = IndexOf(vp, l->fixed.participants[0]), b = IndexOf(vp, l->fixed.participants[1]);
    if (!a || !b || (*a + 1 != *b && *b + 1 != *a)) {
      return Refuse("ledger channel " + e.channel_id.ToHex() +
                    " is not between neighbours of virtual channel " + p.target.ToHex());
    }
    const size_t left = std::min(*a, *b);
    if (p.left != ToDestination(vp[left]) || p.right != ToDestination(vp[left + 1])) {
      return Refuse("the guarantee's left and right are the virtual channel's participants " +
                    vp[left].ToHex() + " and " + vp[left + 1].ToHex());
    }
    return Status::OK();
  }
  const KnownState* final_state = v->LatestSupported();
  if (final_state == nullptr || !final_state->state.is_final ||
      final_state->state.outcome.empty() || final_state->state.outcome[0].allocations.empty()) {
    return Refuse("this node removes the guarantee for " + p.target.ToHex() +
                  " once the virtual channel's final state is supported");
  }
  const Uint256& payer_final = final_state->state.outcome[0].allocations[0].amount;
  if (p.left_amount != payer_final) {
    return Refuse("the left side gets back the payer's final amount, " + payer_final.ToDecimal() +
                  ", not " + p.left_amount.ToDecimal());
  }
  return Status::OK();
}

// Direct defunding starts on a ledger without guarantees or an update in flight.
Status CheckDefundable(const ObjectiveId& id, EntityLookup& lookup) {
  if (id.kind != ObjectiveKind::kDirectDefunding) return Status::OK();
  const ChannelState* c = lookup.Channel(id.channel);
  const KnownState* supported = c ? c->LatestSupported() : nullptr;
  if (supported == nullptr) return Status::OK();
  for (const SingleAssetExit& exit : supported->state.outcome) {
    for (const Allocation& a : exit.allocations) {
      if (a.allocation_type == static_cast<uint8_t>(AllocationType::kGuarantee)) {
        return Refuse("cannot defund channel " + id.channel.ToHex() +
                      ": it still funds virtual channel " + a.destination.ToHex());
      }
    }
  }
  if (c->states.rbegin()->first > supported->state.turn_num &&
      !c->states.rbegin()->second.state.is_final) {
    return Refuse("cannot defund channel " + id.channel.ToHex() + ": an update is in progress");
  }
  return Status::OK();
}

Status CheckVoucherAcross(const ChannelId& channel, EntityLookup& lookup) {
  const ObjectiveState* o = lookup.Objective({ObjectiveKind::kVirtualFund, channel});
  if (o && (o->status == ObjectiveStatus::kApproved || o->status == ObjectiveStatus::kCompleted)) {
    return Status::OK();
  }
  return Refuse(
      "vouchers are paid only on a channel funded virtually, and no approved "
      "VirtualFund objective owns channel " +
      channel.ToHex());
}

// An objective that becomes approved may not take a channel another approved objective owns.
Status CheckSoleOwner(const ObjectiveId& id, EntityLookup& lookup) {
  std::optional<ObjectiveId> owner = ApprovedOwner(id.channel, lookup);
  if (owner && *owner != id) {
    return Refuse("channel " + id.channel.ToHex() + " is owned by the approved objective " +
                  owner->ToString());
  }
  return CheckDefundable(id, lookup);
}

Status CheckCompletion(const LogIdentity& log, const ObjectiveId& id, EntityLookup& lookup) {
  const ChannelState* c = lookup.Channel(id.channel);
  const KnownState* supported = c ? c->LatestSupported() : nullptr;
  auto cannot = [&id](std::string_view why) {
    return Refuse("cannot complete " + id.ToString() + ": " + std::string(why));
  };
  switch (id.kind) {
    case ObjectiveKind::kVirtualFund:
      // An intermediary is done once its ledgers guarantee the channel; the payer and the payee
      // once the postfund is supported.
      if (c && log.node && *log.node != c->fixed.participants.front() &&
          *log.node != c->fixed.participants.back()) {
        Status funded = CheckGuaranteed(*lookup.Objective(id), lookup);
        return funded.ok() ? funded : cannot(funded.message());
      }
      [[fallthrough]];
    case ObjectiveKind::kDirectFunding:
      if (supported && supported->state.turn_num >= 1) return Status::OK();
      return cannot("its channel's postfund (turn 1) is not supported");
    case ObjectiveKind::kDirectDefunding:
      if (!supported || !supported->state.is_final) {
        return cannot("its channel has no supported final state");
      }
      for (const auto& [asset, held] : c->holdings) {
        if (!held.IsZero()) {
          return cannot("the channel still holds " + held.ToDecimal() + " of asset " +
                        asset.ToHex());
        }
      }
      return Status::OK();
    case ObjectiveKind::kVirtualDefund:
      if (!supported || !supported->state.is_final) {
        return cannot("its channel has no supported final state");
      }
      for (const ChannelId& l : Ledgers(*lookup.Objective(id))) {
        const ChannelState* ledger = lookup.Channel(l);
        if (ledger && HasGuarantee(*ledger, id.channel)) {
          return cannot("ledger channel " + l.ToHex() + " still guarantees it");
        }
      }
      return Status::OK();
  }
  return Status::OK();
}

}  // namespace

std::array<const ObjectiveState*, 4> EntityLookup::ObjectivesOf(const ChannelId& channel) {
  std::array<const ObjectiveState*, 4> of{};
  for (ObjectiveKind kind : kKinds) of[static_cast<size_t>(kind)] = Objective({kind, channel});
  return of;
}

Status CheckAcrossEntities(const LogIdentity& log, const Event& event, EntityLookup& lookup) {
  return std::visit(
      Overloaded{
          [&](const events::StateSigned& e) { return CheckStateAcross(log, e, true, lookup); },
          [&](const events::StateReceived& e) { return CheckStateAcross(log, e, false, lookup); },
          [&](const events::ProposalSigned& e) { return CheckNodesProposal(e, lookup); },
          [&](const events::VoucherSent& e) { return CheckVoucherAcross(e.channel_id, lookup); },
          [&](const events::VoucherReceived& e) {
            return CheckVoucherAcross(e.channel_id, lookup);
          },
          [&](const events::ObjectiveCreated& e) {
            return e.approved ? CheckSoleOwner(e.objective_id, lookup) : Status::OK();
          },
          [&](const events::ObjectiveApproved& e) {
            return CheckSoleOwner(e.objective_id, lookup);
          },
          [&](const events::ObjectiveCompleted& e) {
            return CheckCompletion(log, e.objective_id, lookup);
          },
          Same<events::ObjectiveRejected, events::ObjectiveProgressed, events::ChannelCreated,
               events::DepositDetected, events::AllocationUpdated, events::ChallengeRegistered,
               events::ChallengeCleared, events::ChannelConcluded, events::MessageSent,
               events::MessageReceived, events::SnapshotCreated, events::StoreImported,
               events::LogCreated, events::ProposalReceived, events::ChallengeRaised>(
              [] { return Status::OK(); }),
      },
      event.body);
}

}  // namespace statelog::fold_internal
