// Rule set 2: the rules one entity's own events decide (fold/nitro_rules.h).
#include "fold/nitro_rules.h"

#include <algorithm>
#include <string>

namespace statelog::fold_internal {
namespace {

Status Refuse(std::string what) { return Status::FailedPrecondition(std::move(what)); }

std::string Turn(uint64_t turn) { return "turn " + std::to_string(turn); }

}  // namespace

Status CheckNodeInChannel(const LogIdentity& log, const FixedPart& fixed) {
  const auto& p = fixed.participants;
  if (!log.node || std::find(p.begin(), p.end(), *log.node) != p.end()) return Status::OK();
  return Refuse("this node (" + log.node->ToHex() + ") is not a participant of the channel");
}

Status CheckSignerRole(const LogIdentity& log, const Address& signer, bool signed_by_node,
                       std::string_view what) {
  if (!log.node || (signer == *log.node) == signed_by_node) return Status::OK();
  if (signed_by_node) {
    return Refuse(std::string(what) + " by " + signer.ToHex() + ", which is not this node (" +
                  log.node->ToHex() + "): a peer's signature is recorded as received");
  }
  return Refuse(std::string(what) + " with this node's own signature (" + signer.ToHex() +
                "): what the node signs is recorded as sent or signed");
}

Status CheckNewTurn(const ChannelState& c, const KnownState* known, const VariablePart& state,
                    const Address& signer, const Signature& signature) {
  const uint64_t turn = state.turn_num;
  if (turn == 0 && state.is_final) return Refuse("the prefund state (turn 0) is final");
  if (known != nullptr) {
    // The same state (a different one is refused before this check): one signature per signer.
    auto sig = known->signatures.find(signer);
    if (sig != known->signatures.end() && sig->second != signature) {
      return Refuse(signer.ToHex() + " already signed " + Turn(turn) + " with another signature");
    }
  } else if (turn == 1) {
    // The postfund is the prefund with only the turn number changed (go-nitro's PostFundState).
    auto prefund = c.states.find(0);
    if (prefund == c.states.end()) return Refuse("the postfund (turn 1) comes before any prefund");
    const VariablePart& pre = prefund->second.state;
    const char* differs = pre.outcome != state.outcome     ? "outcome"
                          : pre.app_data != state.app_data ? "app_data"
                          : pre.is_final != state.is_final ? "is_final"
                                                           : nullptr;
    if (differs) {
      return Refuse("the postfund (turn 1) differs from the prefund (turn 0) in its " +
                    std::string(differs));
    }
  }
  if (const KnownState* supported = c.LatestSupported(); supported && supported->state.is_final &&
                                                         !state.is_final &&
                                                         turn != supported->state.turn_num) {
    return Refuse(Turn(turn) + " is not final, but the supported " +
                  Turn(supported->state.turn_num) + " is final");
  }
  return Status::OK();
}

Status CheckChainOrder(const ChannelState& c, uint64_t block_number) {
  if (block_number >= c.last_block) return Status::OK();
  return Refuse("chain event of block " + std::to_string(block_number) +
                " is older than the channel's last chain event (block " +
                std::to_string(c.last_block) + ")");
}

Status CheckVoucherRoles(const LogIdentity& log, const ChannelState& c, const Address& signer,
                         const Uint256& amount, bool sent) {
  const auto& p = c.fixed.participants;
  if (signer != p.front()) {
    return Refuse("voucher signed by " + signer.ToHex() +
                  ": vouchers are signed by the payer, participant 0 (" + p.front().ToHex() + ")");
  }
  if (!sent && log.node && *log.node != p.back()) {
    return Refuse("voucher received, but this node (" + log.node->ToHex() +
                  ") is not the payee, the last participant (" + p.back().ToHex() + ")");
  }
  if (!c.prefund_outcome) return Refuse("voucher before the channel's prefund state (turn 0)");
  Uint256 start;
  if (!c.prefund_outcome->empty() && !c.prefund_outcome->front().allocations.empty()) {
    start = c.prefund_outcome->front().allocations.front().amount;
  }
  if (start < amount) {
    return Refuse("voucher amount " + amount.ToDecimal() +
                  " exceeds the payer's starting balance " + start.ToDecimal());
  }
  return Status::OK();
}

Status CheckObjectiveChannels(const events::ObjectiveCreated& e) {
  if (!e.channels.empty() && e.channels.front() == e.objective_id.channel) return Status::OK();
  return Refuse("objective " + e.objective_id.ToString() +
                " must list its own channel first among the channels it owns");
}

bool StepAllowed(const LogIdentity& log, ObjectiveKind kind, ObjectiveStep step) {
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
      if (!log.nitro()) return step == S::kFinalization || step == S::kNothing;
      return step == S::kFinalStateFromAlice || step == S::kSupportedFinalState ||
             step == S::kDefundingOnMyLeft || step == S::kDefundingOnMyRight || step == S::kNothing;
  }
  return false;
}

}  // namespace statelog::fold_internal
