// Rule set 2: ledger (consensus) channels as go-nitro runs them (fold/nitro_rules.h): proposals
// made by the leader and countersigned by the follower in order, one turn each, with go-nitro's
// guarantee arithmetic.
#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <vector>

#include "fold/nitro_rules.h"
#include "statelog/nitro.h"

namespace statelog {
namespace {

Status Refuse(std::string what) { return Status::FailedPrecondition(std::move(what)); }

// go-nitro's LedgerOutcome, read in place from a ledger state's outcome: the leader's and the
// follower's balances and the guarantees, pointing into the outcome read.
struct LedgerOutcome {
  const Address* asset = nullptr;
  Destination leader, follower;  // destinations (as balances: no type, no metadata)
  Uint256 leader_amount, follower_amount;
  // By target, go-nitro's order; of guarantees with the same target the last (a map's assignment).
  std::span<const Allocation*> guarantees;

  LedgerOutcome() = default;
  LedgerOutcome(const LedgerOutcome&) = delete;
  LedgerOutcome& operator=(const LedgerOutcome&) = delete;
  // Where `guarantees` points: in place for a ledger of a few guarantees, else on the heap.
  std::array<const Allocation*, 16> in_place;
  std::vector<const Allocation*> on_heap;
};

bool ByTarget(const Allocation* a, const Allocation* b) { return a->destination < b->destination; }

Status ReadLedgerOutcome(const Exit& exit, LedgerOutcome* out) {
  if (exit.size() != 1) {
    return Refuse("a ledger channel's outcome has one asset, this one " +
                  std::to_string(exit.size()));
  }
  const auto& a = exit[0].allocations;
  if (a.size() < 2) return Refuse("a ledger channel's outcome starts with its two balances");
  out->asset = &exit[0].asset;
  out->leader = a[0].destination;
  out->leader_amount = a[0].amount;
  out->follower = a[1].destination;
  out->follower_amount = a[1].amount;
  size_t n = 0;
  for (const Allocation& x : a) {
    if (x.allocation_type != static_cast<uint8_t>(AllocationType::kGuarantee)) continue;
    if (x.metadata.size() != 64) {
      return Refuse("the guarantee for " + x.destination.ToHex() +
                    " does not hold its left and right destinations (64 bytes of metadata)");
    }
    ++n;
  }
  if (n > out->in_place.size()) out->on_heap.resize(n);
  out->guarantees =
      n > out->in_place.size() ? std::span(out->on_heap) : std::span(out->in_place).first(n);
  auto& g = out->guarantees;
  bool sorted = true;  // strictly ascending targets: what this file writes
  n = 0;
  for (const Allocation& x : a) {
    if (x.allocation_type != static_cast<uint8_t>(AllocationType::kGuarantee)) continue;
    if (n > 0 && !(g[n - 1]->destination < x.destination)) sorted = false;
    g[n++] = &x;
  }
  if (!sorted) {
    // Stable: of equal targets the last in the outcome stays last, and is the one kept.
    std::stable_sort(g.begin(), g.end(), ByTarget);
    size_t kept = 0;
    for (size_t i = 0; i < g.size(); ++i) {
      if (i + 1 < g.size() && g[i + 1]->destination == g[i]->destination) continue;
      g[kept++] = g[i];
    }
    g = g.first(kept);
  }
  return Status::OK();
}

Destination LeftOf(const Allocation& g) {
  Destination d;
  std::copy(g.metadata.begin(), g.metadata.begin() + 32, d.bytes.begin());
  return d;
}

// What proposal `p` makes of ledger outcome `o` (go-nitro's Vars.HandleProposal): the balances
// debited or credited in *o, and the place in o->guarantees where the new guarantee goes (add) or
// of the guarantee that goes (remove).
StatusOr<size_t> StepLedger(const Proposal& p, LedgerOutcome* o) {
  auto& g = o->guarantees;
  auto at = std::lower_bound(
      g.begin(), g.end(), p.target,
      [](const Allocation* a, const Destination& t) { return a->destination < t; });
  const bool found = at != g.end() && (*at)->destination == p.target;
  if (p.kind == ProposalKind::kAdd) {
    if (found) return Refuse("duplicate guarantee for " + p.target.ToHex());
    const bool leader_left = o->leader == p.left;
    Uint256& left = leader_left ? o->leader_amount : o->follower_amount;
    Uint256& right = leader_left ? o->follower_amount : o->leader_amount;
    Uint256 right_deposit;
    if (!Uint256::CheckedSub(p.amount, p.left_amount, &right_deposit)) {
      return Refuse("the left deposit " + p.left_amount.ToDecimal() +
                    " exceeds the guarantee's amount " + p.amount.ToDecimal());
    }
    if (!Uint256::CheckedSub(left, p.left_amount, &left)) {
      return Refuse("insufficient funds: the left side holds " + left.ToDecimal() +
                    " and would deposit " + p.left_amount.ToDecimal());
    }
    if (!Uint256::CheckedSub(right, right_deposit, &right)) {
      return Refuse("insufficient funds: the right side holds " + right.ToDecimal() +
                    " and would deposit " + right_deposit.ToDecimal());
    }
  } else {
    if (!p.amount.IsZero() || p.left != Destination{} || p.right != Destination{}) {
      return Refuse("a remove proposal carries no amount, left or right");
    }
    if (!found) return Refuse("no guarantee for " + p.target.ToHex() + " to remove");
    const Allocation& removed = **at;
    Uint256 right_amount;
    if (!Uint256::CheckedSub(removed.amount, p.left_amount, &right_amount)) {
      return Refuse("the left amount " + p.left_amount.ToDecimal() +
                    " exceeds the guarantee's amount " + removed.amount.ToDecimal());
    }
    const bool leader_left = o->leader == LeftOf(removed);
    Uint256& left = leader_left ? o->leader_amount : o->follower_amount;
    Uint256& right = leader_left ? o->follower_amount : o->leader_amount;
    if (!Uint256::CheckedAdd(left, p.left_amount, &left) ||
        !Uint256::CheckedAdd(right, right_amount, &right)) {
      return Refuse("a balance would exceed 2^256-1");
    }
  }
  return static_cast<size_t>(at - g.begin());
}

// The guarantee an add proposal puts in the ledger.
Allocation AddedGuarantee(const Proposal& p) {
  return {p.target, p.amount, static_cast<uint8_t>(AllocationType::kGuarantee),
          nitro::EncodeGuaranteeMetadata(p.left, p.right)};
}

bool IsAddedGuarantee(const Proposal& p, const Allocation& a) {
  return a.destination == p.target && a.amount == p.amount &&
         a.allocation_type == static_cast<uint8_t>(AllocationType::kGuarantee) &&
         a.metadata.size() == 64 &&
         std::equal(p.left.bytes.begin(), p.left.bytes.end(), a.metadata.begin()) &&
         std::equal(p.right.bytes.begin(), p.right.bytes.end(), a.metadata.begin() + 32);
}

bool IsBalance(const Allocation& a, const Destination& d, const Uint256& amount) {
  return a.destination == d && a.amount == amount && a.allocation_type == 0 && a.metadata.empty();
}

}  // namespace

StatusOr<VariablePart> ApplyLedgerProposal(const VariablePart& from, const Proposal& p) {
  LedgerOutcome o;
  STATELOG_RETURN_IF_ERROR(ReadLedgerOutcome(from.outcome, &o));
  STATELOG_ASSIGN_OR_RETURN(size_t at, StepLedger(p, &o));
  VariablePart next;
  SingleAssetExit& exit = next.outcome.emplace_back();
  exit.asset = *o.asset;
  auto& a = exit.allocations;
  a.reserve(o.guarantees.size() + 3);
  a.push_back({o.leader, o.leader_amount, 0, {}});
  a.push_back({o.follower, o.follower_amount, 0, {}});
  const bool add = p.kind == ProposalKind::kAdd;
  for (size_t i = 0; i <= o.guarantees.size(); ++i) {
    if (add && i == at) a.push_back(AddedGuarantee(p));
    if (i == o.guarantees.size()) break;
    if (!add && i == at) continue;
    a.push_back(*o.guarantees[i]);
  }
  next.turn_num = from.turn_num + 1;
  return next;
}

}  // namespace statelog

namespace statelog::fold_internal {

StatusOr<bool> LedgerProposalLeadsTo(const VariablePart& from, const Proposal& p,
                                     const VariablePart& state) {
  LedgerOutcome o;
  STATELOG_RETURN_IF_ERROR(ReadLedgerOutcome(from.outcome, &o));
  STATELOG_ASSIGN_OR_RETURN(size_t at, StepLedger(p, &o));
  // `state` == ApplyLedgerProposal(from, p), compared in place.
  if (!state.app_data.empty() || state.is_final || state.turn_num != from.turn_num + 1 ||
      state.outcome.size() != 1) {
    return false;
  }
  const SingleAssetExit& exit = state.outcome[0];
  const bool add = p.kind == ProposalKind::kAdd;
  const size_t guarantees = o.guarantees.size() + (add ? 1 : 0) - (add ? 0 : 1);
  const auto& a = exit.allocations;
  if (exit.asset != *o.asset || exit.asset_metadata != AssetMetadata{} ||
      a.size() != 2 + guarantees || !IsBalance(a[0], o.leader, o.leader_amount) ||
      !IsBalance(a[1], o.follower, o.follower_amount)) {
    return false;
  }
  size_t j = 2;
  for (size_t i = 0; i <= o.guarantees.size(); ++i) {
    if (add && i == at && !IsAddedGuarantee(p, a[j++])) return false;
    if (i == o.guarantees.size()) break;
    if (!add && i == at) continue;
    if (*o.guarantees[i] != a[j++]) return false;
  }
  return true;
}

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
  STATELOG_ASSIGN_OR_RETURN(bool leads_to, LedgerProposalLeadsTo(base.state, p, state));
  if (!leads_to) {
    return Refuse("the proposal's state is not the ledger state the proposal leads to from turn " +
                  std::to_string(base.state.turn_num));
  }
  return Status::OK();
}

}  // namespace statelog::fold_internal
