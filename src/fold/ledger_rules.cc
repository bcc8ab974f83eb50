// Rule set 2: ledger (consensus) channels as go-nitro runs them (fold/nitro_rules.h): proposals
// made by the leader and countersigned by the follower in order, one turn each, with go-nitro's
// guarantee arithmetic.
#include <algorithm>
#include <map>
#include <string>

#include "fold/nitro_rules.h"
#include "statelog/nitro.h"

namespace statelog {
namespace {

Status Refuse(std::string what) { return Status::FailedPrecondition(std::move(what)); }

// go-nitro's LedgerOutcome: the leader's and the follower's balances and the guarantees.
struct LedgerOutcome {
  Address asset;
  Allocation leader, follower;
  std::map<Destination, Allocation> guarantees;  // by target: go-nitro's order
};

StatusOr<LedgerOutcome> ReadLedgerOutcome(const Exit& exit) {
  if (exit.size() != 1) {
    return Refuse("a ledger channel's outcome has one asset, this one " +
                  std::to_string(exit.size()));
  }
  const auto& a = exit[0].allocations;
  if (a.size() < 2) return Refuse("a ledger channel's outcome starts with its two balances");
  LedgerOutcome out;
  out.asset = exit[0].asset;
  out.leader = {a[0].destination, a[0].amount, 0, {}};
  out.follower = {a[1].destination, a[1].amount, 0, {}};
  for (const Allocation& g : a) {
    if (g.allocation_type != static_cast<uint8_t>(AllocationType::kGuarantee)) continue;
    if (g.metadata.size() != 64) {
      return Refuse("the guarantee for " + g.destination.ToHex() +
                    " does not hold its left and right destinations (64 bytes of metadata)");
    }
    out.guarantees[g.destination] = g;
  }
  return out;
}

Exit WriteLedgerOutcome(const LedgerOutcome& o) {
  SingleAssetExit exit;
  exit.asset = o.asset;
  exit.allocations = {o.leader, o.follower};
  for (const auto& [target, g] : o.guarantees) exit.allocations.push_back(g);
  return {exit};
}

Destination LeftOf(const Allocation& g) {
  Destination d;
  std::copy(g.metadata.begin(), g.metadata.begin() + 32, d.bytes.begin());
  return d;
}

}  // namespace

StatusOr<VariablePart> ApplyLedgerProposal(const VariablePart& from, const Proposal& p) {
  STATELOG_ASSIGN_OR_RETURN(LedgerOutcome o, ReadLedgerOutcome(from.outcome));
  const std::string target = p.target.ToHex();
  if (p.kind == ProposalKind::kAdd) {
    if (o.guarantees.contains(p.target)) return Refuse("duplicate guarantee for " + target);
    const bool leader_left = o.leader.destination == p.left;
    Allocation& left = leader_left ? o.leader : o.follower;
    Allocation& right = leader_left ? o.follower : o.leader;
    Uint256 right_deposit;
    if (!Uint256::CheckedSub(p.amount, p.left_amount, &right_deposit)) {
      return Refuse("the left deposit " + p.left_amount.ToDecimal() +
                    " exceeds the guarantee's amount " + p.amount.ToDecimal());
    }
    if (!Uint256::CheckedSub(left.amount, p.left_amount, &left.amount)) {
      return Refuse("insufficient funds: the left side holds " + left.amount.ToDecimal() +
                    " and would deposit " + p.left_amount.ToDecimal());
    }
    if (!Uint256::CheckedSub(right.amount, right_deposit, &right.amount)) {
      return Refuse("insufficient funds: the right side holds " + right.amount.ToDecimal() +
                    " and would deposit " + right_deposit.ToDecimal());
    }
    o.guarantees[p.target] = {p.target, p.amount, static_cast<uint8_t>(AllocationType::kGuarantee),
                              nitro::EncodeGuaranteeMetadata(p.left, p.right)};
  } else {
    if (!p.amount.IsZero() || p.left != Destination{} || p.right != Destination{}) {
      return Refuse("a remove proposal carries no amount, left or right");
    }
    auto g = o.guarantees.find(p.target);
    if (g == o.guarantees.end()) return Refuse("no guarantee for " + target + " to remove");
    Uint256 right_amount;
    if (!Uint256::CheckedSub(g->second.amount, p.left_amount, &right_amount)) {
      return Refuse("the left amount " + p.left_amount.ToDecimal() +
                    " exceeds the guarantee's amount " + g->second.amount.ToDecimal());
    }
    const bool leader_left = o.leader.destination == LeftOf(g->second);
    Allocation& left = leader_left ? o.leader : o.follower;
    Allocation& right = leader_left ? o.follower : o.leader;
    if (!Uint256::CheckedAdd(left.amount, p.left_amount, &left.amount) ||
        !Uint256::CheckedAdd(right.amount, right_amount, &right.amount)) {
      return Refuse("a balance would exceed 2^256-1");
    }
    o.guarantees.erase(g);
  }
  VariablePart next;
  next.outcome = WriteLedgerOutcome(o);
  next.turn_num = from.turn_num + 1;
  return next;
}

}  // namespace statelog

namespace statelog::fold_internal {

bool HasGuarantee(const ChannelState& ledger, const ChannelId& target) {
  const KnownState* s = ledger.LatestSupported();
  if (s == nullptr) return false;
  for (const SingleAssetExit& exit : s->state.outcome) {
    for (const Allocation& a : exit.allocations) {
      if (a.allocation_type == static_cast<uint8_t>(AllocationType::kGuarantee) &&
          a.destination == target) {
        return true;
      }
    }
  }
  return false;
}

Status CheckProposal(const LogIdentity& log, const ChannelState& c, const Proposal& p,
                     const VariablePart& state, const Address& signer, bool by_node) {
  const auto& participants = c.fixed.participants;
  if (participants.size() != 2) {
    return Refuse("proposals are made in ledger channels of two participants, not " +
                  std::to_string(participants.size()));
  }
  const bool leader = signer == participants[0];
  if (!leader && signer != participants[1]) {
    return Refuse("signer " + signer.ToHex() + " is not a participant of the channel");
  }
  STATELOG_RETURN_IF_ERROR(CheckSignerRole(log, signer, by_node, "proposal signed"));
  if (c.concluded) return Refuse("proposal for a concluded channel");
  const KnownState* supported = c.LatestSupported();
  if (supported == nullptr || supported->state.turn_num < 1) {
    return Refuse("a proposal before the ledger channel's postfund (turn 1) is supported");
  }
  if (supported->state.is_final) return Refuse("a proposal after the ledger's final state");
  if (!state.app_data.empty() || state.is_final) {
    return Refuse("a ledger state has no app data and is not final");
  }
  // The leader proposes on top of its queue of proposals; the follower countersigns the next one
  // in the queue, which the leader must have made.
  const KnownState& base = leader ? c.states.rbegin()->second : *supported;
  const uint64_t expected = base.state.turn_num + 1;
  if (state.turn_num != expected) {
    return Refuse("proposal for turn " + std::to_string(state.turn_num) + ": the " +
                  (leader ? "leader's next proposal is for" : "follower countersigns") + " turn " +
                  std::to_string(expected));
  }
  if (!leader) {
    auto queued = c.states.find(expected);
    if (queued == c.states.end() || !queued->second.signatures.contains(participants[0])) {
      return Refuse(
          "the follower countersigns only the leader's proposal, and there is none "
          "for turn " +
          std::to_string(expected));
    }
  }
  STATELOG_ASSIGN_OR_RETURN(VariablePart next, ApplyLedgerProposal(base.state, p));
  if (next != state) {
    return Refuse("the proposal's state is not the ledger state the proposal leads to from turn " +
                  std::to_string(base.state.turn_num));
  }
  return Status::OK();
}

}  // namespace statelog::fold_internal
