// Rule set 2: the rules that look beyond an event's own entity (fold/nitro_rules.h).
#include <array>
#include <string>

#include "base/overloaded.h"
#include "fold/nitro_rules.h"

namespace statelog::fold_internal {
namespace {

Status Refuse(std::string what) { return Status::FailedPrecondition(std::move(what)); }

constexpr std::array<ObjectiveKind, 4> kKinds = {
    ObjectiveKind::kDirectFunding, ObjectiveKind::kDirectDefunding, ObjectiveKind::kVirtualFund,
    ObjectiveKind::kVirtualDefund};

// Returns the approved objective that owns `channel` (its own channel), or nullopt. go-nitro lets
// one approved objective own a channel at a time (its store's channel-to-objective map).
std::optional<ObjectiveId> ApprovedOwner(const ChannelId& channel, EntityLookup& lookup) {
  for (ObjectiveKind kind : kKinds) {
    const ObjectiveId id{kind, channel};
    const ObjectiveState* o = lookup.Objective(id);
    if (o && o->status == ObjectiveStatus::kApproved) return id;
  }
  return std::nullopt;
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

template <class E>
Status CheckStateAcross(const E& e, bool signed_by_node, EntityLookup& lookup) {
  const ChannelState* c = lookup.Channel(e.channel_id);
  if (c == nullptr || (c->latest_supported && e.state.turn_num < *c->latest_supported)) {
    return Status::OK();  // the channel's own fold refuses it, or it is stale and changes nothing
  }
  const ObjectiveState* virtual_fund =
      lookup.Objective({ObjectiveKind::kVirtualFund, e.channel_id});
  if (virtual_fund && e.state.turn_num == 0) {
    STATELOG_RETURN_IF_ERROR(CheckVirtualShape(*c, e.state));
  }
  if (!signed_by_node) return Status::OK();
  std::optional<ObjectiveId> owner = ApprovedOwner(e.channel_id, lookup);
  if (!owner) {
    return Refuse("this node signs a state of channel " + e.channel_id.ToHex() +
                  " only under an approved objective that owns it, and none does");
  }
  if (e.state.turn_num == 1 && owner->kind == ObjectiveKind::kDirectFunding) {
    return CheckFunded(*c, e.state);
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
  if (!owner || *owner == id) return Status::OK();
  return Refuse("channel " + id.channel.ToHex() + " is owned by the approved objective " +
                owner->ToString());
}

Status CheckCompletion(const ObjectiveId& id, EntityLookup& lookup) {
  const ChannelState* c = lookup.Channel(id.channel);
  const KnownState* supported = c ? c->LatestSupported() : nullptr;
  const std::string cannot = "cannot complete " + id.ToString() + ": ";
  switch (id.kind) {
    case ObjectiveKind::kDirectFunding:
    case ObjectiveKind::kVirtualFund:
      if (supported && supported->state.turn_num >= 1) return Status::OK();
      return Refuse(cannot + "its channel's postfund (turn 1) is not supported");
    case ObjectiveKind::kDirectDefunding:
      if (!supported || !supported->state.is_final) {
        return Refuse(cannot + "its channel has no supported final state");
      }
      for (const auto& [asset, held] : c->holdings) {
        if (!held.IsZero()) {
          return Refuse(cannot + "the channel still holds " + held.ToDecimal() + " of asset " +
                        asset.ToHex());
        }
      }
      return Status::OK();
    case ObjectiveKind::kVirtualDefund:
      if (supported && supported->state.is_final) return Status::OK();
      return Refuse(cannot + "its channel has no supported final state");
  }
  return Status::OK();
}

}  // namespace

Status CheckAcrossEntities(const LogIdentity&, const Event& event, EntityLookup& lookup) {
  return std::visit(
      Overloaded{
          [&](const events::StateSigned& e) { return CheckStateAcross(e, true, lookup); },
          [&](const events::StateReceived& e) { return CheckStateAcross(e, false, lookup); },
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
            return CheckCompletion(e.objective_id, lookup);
          },
          Same<events::ObjectiveRejected, events::ObjectiveProgressed, events::ChannelCreated,
               events::DepositDetected, events::AllocationUpdated, events::ChallengeRegistered,
               events::ChallengeCleared, events::ChannelConcluded, events::MessageSent,
               events::MessageReceived, events::SnapshotCreated, events::StoreImported,
               events::LogCreated>([] { return Status::OK(); }),
      },
      event.body);
}

}  // namespace statelog::fold_internal
