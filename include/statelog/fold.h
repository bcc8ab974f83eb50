// The fold: objective and channel states derived from the log by pure, deterministic functions.
//
// A channel's state keeps the signed turns a node still needs
// (docs/adr/0015-what-the-view-keeps.md): the latest supported turn and every turn after it. A turn
// below a newly supported one is superseded and dropped from the state (the log keeps its events),
// and a state signed for a turn below the latest supported one is stale: its event applies but
// changes no turn, as in go-nitro. TurnRetention::kAll keeps the superseded turns too, for
// go-nitro's view of one channel.
//
// Each Apply* function applies one event to one entity's state and refuses illegal history
// (completed before approved, a state for an unknown channel, a second channel_created, ...) with
// FailedPrecondition, leaving the state unchanged. The rules are those of the log's rule set
// (LogIdentity, docs/architecture/nitro-rules.md): the Apply* functions of one entity check the
// rules that entity's own events decide; ApplyToView also checks the rules that look at other
// entities (a state signed only under an approved objective, a voucher only on a virtually funded
// channel, ...). Rules that look at other entities never change a state, so one entity's
// reconstruction from its own events gives the state the whole fold gives. The fold trusts the
// log's signatures (checked at append, statelog/ledger.h): it recovers none.
#ifndef STATELOG_FOLD_H_
#define STATELOG_FOLD_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "statelog/event.h"
#include "statelog/nitro.h"
#include "statelog/status.h"
#include "statelog/store.h"

namespace statelog {

// The node a log belongs to and the rule set its history is checked under: what its first event,
// log_created, records. A log without one was written under RuleSet::kStatelog1 and has no node.
struct LogIdentity {
  RuleSet rules = RuleSet::kStatelog1;
  std::optional<Address> node;
  bool nitro() const { return rules >= RuleSet::kNitro2; }
  friend bool operator==(const LogIdentity&, const LogIdentity&) = default;
};

enum class ObjectiveStatus : uint8_t { kUnapproved = 0, kApproved, kRejected, kCompleted };
std::string_view ObjectiveStatusName(ObjectiveStatus status);

struct ObjectiveState {
  ObjectiveId id;
  ObjectiveStatus status = ObjectiveStatus::kUnapproved;
  std::optional<ObjectiveStep> waiting_for;  // the current progress step, once reported
  std::vector<ChannelId> channels;           // the channels the objective owns
  std::string rejection_reason;
  uint64_t event_count = 0;
  Offset first_offset = 0;
  Offset last_offset = 0;
  friend bool operator==(const ObjectiveState&, const ObjectiveState&) = default;
};

// One state of a channel (one turn) with the signatures collected for it.
struct KnownState {
  VariablePart state;
  Hash256 state_hash;
  std::map<Address, Signature> signatures;  // by signer
  friend bool operator==(const KnownState&, const KnownState&) = default;
};

enum class ChallengeStatus : uint8_t { kNone = 0, kRegistered, kCleared };
std::string_view ChallengeStatusName(ChallengeStatus status);

// Which signed turns a channel's state keeps.
enum class TurnRetention : uint8_t {
  kCurrent = 0,  // the latest supported turn and the turns after it (the node view, snapshots)
  kAll,          // also the superseded turns, from the first on (go-nitro keeps every turn)
};

struct ChannelState {
  ChannelId id;
  FixedPart fixed;
  // By turn number: with TurnRetention::kCurrent, the latest supported turn and every later turn
  // with at least one signature (all turns with a signature until one is supported).
  std::map<uint64_t, KnownState> states;
  std::optional<uint64_t> latest_supported;  // highest turn signed by every participant
  std::map<Address, Uint256> holdings;       // per asset, from deposits and allocation updates
  ChallengeStatus challenge = ChallengeStatus::kNone;
  uint64_t challenge_turn = 0;          // with kRegistered / kCleared
  uint64_t challenge_finalizes_at = 0;  // with kRegistered (Unix seconds)
  bool concluded = false;
  uint64_t finalized_at = 0;
  Uint256 paid;      // latest voucher amount this node sent (cumulative)
  Uint256 received;  // latest voucher amount received (cumulative)
  // Rule set 2 and later (empty and 0 under statelog-1):
  std::optional<Exit> prefund_outcome;  // turn 0's outcome as first signed: the channel's funding
  uint64_t last_block = 0;              // the block of the latest chain event applied
  uint64_t event_count = 0;
  Offset first_offset = 0;
  Offset last_offset = 0;

  // Returns the latest supported state, or nullptr.
  const KnownState* LatestSupported() const;
  friend bool operator==(const ChannelState&, const ChannelState&) = default;
};

// The channel's known states as go-nitro SignedStates (statelog/nitro.h: the fixed part, the state,
// each signature keyed by its signer's index among the participants), in turn order.
std::vector<nitro::SignedState> SignedStates(const ChannelState& c);

// Every objective and channel as of `length` events (offsets [0, length)).
struct NodeView {
  uint64_t length = 0;
  LogIdentity identity;  // from the log_created event at offset 0, if any
  std::map<ObjectiveId, ObjectiveState> objectives;
  std::map<ChannelId, ChannelState> channels;
  friend bool operator==(const NodeView&, const NodeView&) = default;
};

// Returns the ledger state proposal `p` leads to from ledger state `from` (go-nitro's
// Vars.HandleProposal, the outcome written as go-nitro's LedgerOutcome.AsOutcome writes it): the
// next turn, the guarantee added or removed, the balances debited or credited. FailedPrecondition
// naming the broken rule (a duplicate or missing guarantee, a deposit above a balance, ...).
StatusOr<VariablePart> ApplyLedgerProposal(const VariablePart& from, const Proposal& p);

// Returns the identity a log_created event at `offset` gives its log. FailedPrecondition unless
// it is the log's first event and names a node and a rule set of 2 or later; NotSupported for a
// rule set this statelog does not know.
StatusOr<LogIdentity> IdentityOfLog(const events::LogCreated& event, Offset offset);

// Applies an objective event to *state under the rules of `log`; `state` is nullopt before
// objective_created. REQUIRES: event.objective() != nullptr.
Status ApplyObjectiveEvent(const LogIdentity& log, const Event& event, Offset offset,
                           std::optional<ObjectiveState>* state);
// Applies a channel event to *state under the rules of `log`; `state` is nullopt before
// channel_created. Legality does not depend on `retention`, only which turns *state keeps.
// REQUIRES: event.channel() != nullptr.
Status ApplyChannelEvent(const LogIdentity& log, const Event& event, Offset offset,
                         std::optional<ChannelState>* state,
                         TurnRetention retention = TurnRetention::kCurrent);

// Applies any event to the node view under the rules of view->identity, including the rules that
// look at other entities (message and snapshot events change only its length; log_created, only
// at offset 0, sets the identity). On error the view is unchanged.
// REQUIRES: offset == view->length.
Status ApplyToView(const Event& event, Offset offset, NodeView* view,
                   TurnRetention retention = TurnRetention::kCurrent);

}  // namespace statelog

#endif  // STATELOG_FOLD_H_
