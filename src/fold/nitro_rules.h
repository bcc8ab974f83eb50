// Rule set 2 (nitro-2): go-nitro's rules for what a node signs, accepts and records
// (docs/architecture/nitro-rules.md lists each with its place in go-nitro and its test). Internal
// header of the fold layer: fold.cc calls the checks of one entity, ApplyToView and the Ledger the
// checks that look at other entities. Every check returns OK or FailedPrecondition and changes
// nothing.
#ifndef STATELOG_FOLD_NITRO_RULES_H_
#define STATELOG_FOLD_NITRO_RULES_H_

#include <array>

#include "statelog/fold.h"

namespace statelog::fold_internal {

// Reads the entities a rule looks at beyond the event's own. An implementation may record what
// was read (the Ledger records each entity's stream version for its append's expectations).
class EntityLookup {
 public:
  virtual ~EntityLookup() = default;
  // Returns the entity, or nullptr when it does not exist. Valid until the next call.
  virtual const ObjectiveState* Objective(const ObjectiveId& id) = 0;
  virtual const ChannelState* Channel(const ChannelId& id) = 0;
  // The objectives of each kind whose own channel is `channel` (by ObjectiveKind, nullptr where
  // none), each valid until the next call. By default Objective() of each kind in kind order; an
  // implementation that finds them at once may override it.
  virtual std::array<const ObjectiveState*, 4> ObjectivesOf(const ChannelId& channel);
};

// ---- Rules of one entity (rule set 2)

// A channel the node is not a participant of is not the node's to record.
Status CheckNodeInChannel(const LogIdentity& log, const FixedPart& fixed);
// What the node signs carries its key; what a peer sends does not.
Status CheckSignerRole(const LogIdentity& log, const Address& signer, bool signed_by_node,
                       std::string_view what);
// A state for a turn at or above the latest supported one: the prefund is not final, the postfund
// repeats the prefund, nothing but final states follows a supported final state, and one signer
// signs one state of a turn once. `known` is the channel's state of that turn, or nullptr.
Status CheckNewTurn(const ChannelState& c, const KnownState* known, const VariablePart& state,
                    const Address& signer, const Signature& signature);
// Chain events are applied in chain order: never one from an earlier block than the last.
Status CheckChainOrder(const ChannelState& c, uint64_t block_number);
// A voucher is signed by the payer (participant 0), sent by the payer's node and received by the
// payee's (the last participant), and never exceeds the payer's starting balance.
Status CheckVoucherRoles(const LogIdentity& log, const ChannelState& c, const Address& signer,
                         const Uint256& amount, bool sent);
// An objective owns its own channel first.
Status CheckObjectiveChannels(const events::ObjectiveCreated& e);
// Returns true when `step` is a waiting-for step of `kind` under the log's rules: go-nitro's
// steps (rule set statelog-1 knew only Finalization and Nothing for virtual defunding).
bool StepAllowed(const LogIdentity& log, ObjectiveKind kind, ObjectiveStep step);

// ---- Ledger channels (rule set 2, ledger_rules.cc)

// Returns true when the ledger's latest supported state holds a guarantee for `target`.
bool HasGuarantee(const ChannelState& ledger, const ChannelId& target);
// Returns whether `state` is the ledger state proposal `p` leads to from `from`
// (ApplyLedgerProposal(from, p) == state, without building it), or ApplyLedgerProposal's error.
StatusOr<bool> LedgerProposalLeadsTo(const VariablePart& from, const Proposal& p,
                                     const VariablePart& state);
// Checks a signed proposal for ledger channel `c`: a channel of two, its postfund supported and
// no final state; the leader (participant 0) proposes the turn after its last proposal, the
// follower countersigns the next one the leader made; `state` is what `p` leads to.
Status CheckProposal(const LogIdentity& log, const ChannelState& c, const Proposal& p,
                     const VariablePart& state, const Address& signer, bool by_node);

// ---- Rules across entities (rule set 2)

// Checks the rules of `event` that look at other entities: a state the node signs only under an
// approved objective that owns the channel, and a postfund only once the channel is funded; a
// voucher only on a virtually funded channel; one approved objective per channel; completion
// only at the protocol's end condition. REQUIRES: log.nitro().
Status CheckAcrossEntities(const LogIdentity& log, const Event& event, EntityLookup& lookup);

}  // namespace statelog::fold_internal

#endif  // STATELOG_FOLD_NITRO_RULES_H_
