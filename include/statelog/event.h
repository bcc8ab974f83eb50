// The event model: every fact a Nitro node records, as an immutable value.
//
// An Event is an id, a timestamp and a body (one of the types in statelog::events). The id is
// keccak256 over the event's canonical JSON encoding without the id (statelog/codec.h,
// docs/adr/0002-event-serialization.md), so equal content gives equal ids on every machine.
// docs/architecture/event-types.md describes each type, its fields and the fold it changes.
#ifndef STATELOG_EVENT_H_
#define STATELOG_EVENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "statelog/bytes.h"
#include "statelog/log.h"
#include "statelog/state.h"
#include "statelog/status.h"
#include "statelog/uint256.h"

namespace statelog {

// Timestamp (microseconds since the Unix epoch, UTC) and Offset come from statelog/log.h.

enum class ObjectiveKind : uint8_t {
  kDirectFunding = 0,
  kDirectDefunding = 1,
  kVirtualFund = 2,
  kVirtualDefund = 3,
};
// Returns "DirectFunding", "DirectDefunding", "VirtualFund" or "VirtualDefund".
std::string_view ObjectiveKindName(ObjectiveKind kind);
// Parses a kind's name ("DirectFunding", ...); InvalidArgument naming an unknown one.
StatusOr<ObjectiveKind> ParseObjectiveKind(std::string_view name);

// An objective's id, "<Kind>-0x<channel id>", e.g. "DirectFunding-0xab..".
struct ObjectiveId {
  ObjectiveKind kind = ObjectiveKind::kDirectFunding;
  ChannelId channel;

  std::string ToString() const;
  // Parses the string form; the error names what is wrong (unknown kind, bad channel id hex).
  static StatusOr<ObjectiveId> Parse(std::string_view s);
  friend auto operator<=>(const ObjectiveId&, const ObjectiveId&) = default;
  friend bool operator==(const ObjectiveId&, const ObjectiveId&) = default;
};

// go-nitro's "waiting for" steps of an objective. Names are wire values: never reorder, only
// append.
enum class ObjectiveStep : uint8_t {
  kCompletePrefund = 0,
  kMyTurnToFund = 1,
  kCompleteFunding = 2,
  kCompletePostFund = 3,
  kFinalization = 4,
  kWithdraw = 5,
  kNothing = 6,
  // Virtual defunding's steps (rule set 2 and later).
  kFinalStateFromAlice = 7,
  kSupportedFinalState = 8,
  kDefundingOnMyLeft = 9,
  kDefundingOnMyRight = 10,
};
inline constexpr size_t kObjectiveStepCount = 11;
std::string_view ObjectiveStepName(ObjectiveStep step);
StatusOr<ObjectiveStep> ParseObjectiveStep(std::string_view s);

// The rules a log's history is checked against (docs/architecture/nitro-rules.md). A log records
// its rule set in its first event (events::LogCreated); a log without one was written under
// kStatelog1 and keeps those rules.
enum class RuleSet : uint8_t {
  kStatelog1 = 1,  // per-entity legality, no node identity (logs written before rule sets)
  kNitro2 = 2,     // go-nitro's rules, checked for the node the log belongs to
};
// The rule set new logs get.
inline constexpr RuleSet kCurrentRuleSet = RuleSet::kNitro2;
// Returns "statelog-1" or "nitro-2".
std::string_view RuleSetName(RuleSet rules);
// Returns the rule set numbered `number`; NotSupported naming it when this statelog does not know
// it.
StatusOr<RuleSet> RuleSetFromNumber(uint64_t number);

// A change to a ledger channel's outcome, as go-nitro's ledger (consensus) channels make them:
// add a guarantee for a virtual channel, or remove one.
enum class ProposalKind : uint8_t { kAdd = 0, kRemove = 1 };
// Returns "add" or "remove".
std::string_view ProposalKindName(ProposalKind kind);
StatusOr<ProposalKind> ParseProposalKind(std::string_view name);

// go-nitro's Proposal. Add: a guarantee of `amount` for the virtual channel `target`, between the
// ledger participants `left` and `right` (their destinations), of which `left_amount` comes from
// the left side's balance and the rest from the right side's. Remove: the guarantee for `target`
// goes, `left_amount` of it back to its left side and the rest to its right side; `amount`,
// `left` and `right` are zero.
struct Proposal {
  ProposalKind kind = ProposalKind::kAdd;
  Destination target;
  Uint256 amount;
  Destination left;
  Destination right;
  Uint256 left_amount;
  friend bool operator==(const Proposal&, const Proposal&) = default;
};

// A value kept on the heap: a large member of a rarely used event type (a proposal) does not grow
// every Event, whose size is its largest type's. Always holds a value; copies copy it; equality
// compares the values.
template <class T>
class Boxed {
 public:
  Boxed() : p_(std::make_unique<T>()) {}
  Boxed(T value) : p_(std::make_unique<T>(std::move(value))) {}  // NOLINT: implicit, as a value
  Boxed(const Boxed& o) : p_(std::make_unique<T>(*o.p_)) {}
  Boxed(Boxed&& o) noexcept : p_(std::make_unique<T>(std::move(*o.p_))) {}
  Boxed& operator=(const Boxed& o) {
    *p_ = *o.p_;
    return *this;
  }
  Boxed& operator=(Boxed&& o) noexcept {
    *p_ = std::move(*o.p_);
    return *this;
  }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  friend bool operator==(const Boxed& a, const Boxed& b) { return *a.p_ == *b.p_; }

 private:
  std::unique_ptr<T> p_;
};

namespace events {

// An objective was created. `approved` is true for an objective this node started, false for
// one a peer proposed (it waits for approval or rejection). `channels` are the channels it owns.
struct ObjectiveCreated {
  ObjectiveId objective_id;
  std::vector<ChannelId> channels;
  bool approved = false;
  friend bool operator==(const ObjectiveCreated&, const ObjectiveCreated&) = default;
};
struct ObjectiveApproved {
  ObjectiveId objective_id;
  friend bool operator==(const ObjectiveApproved&, const ObjectiveApproved&) = default;
};
struct ObjectiveRejected {
  ObjectiveId objective_id;
  std::string reason;  // UTF-8 text
  friend bool operator==(const ObjectiveRejected&, const ObjectiveRejected&) = default;
};
struct ObjectiveCompleted {
  ObjectiveId objective_id;
  friend bool operator==(const ObjectiveCompleted&, const ObjectiveCompleted&) = default;
};
// The objective now waits for `waiting_for`.
struct ObjectiveProgressed {
  ObjectiveId objective_id;
  ObjectiveStep waiting_for = ObjectiveStep::kNothing;
  friend bool operator==(const ObjectiveProgressed&, const ObjectiveProgressed&) = default;
};
// A channel became known; `channel_id` is the Nitro id of `fixed`.
struct ChannelCreated {
  ChannelId channel_id;
  FixedPart fixed;
  friend bool operator==(const ChannelCreated&, const ChannelCreated&) = default;
};
// This node signed `state` of the channel. `state_hash` is the Nitro StateHash of the state;
// `signature` is `signer`'s Ethereum-prefixed signature of it (statelog/nitro.h).
struct StateSigned {
  ChannelId channel_id;
  VariablePart state;
  Hash256 state_hash;
  Address signer;  // the participant whose signature this is (checked by recovery at append)
  Signature signature;
  friend bool operator==(const StateSigned&, const StateSigned&) = default;
};
// A peer's signature on `state` arrived.
struct StateReceived {
  ChannelId channel_id;
  VariablePart state;
  Hash256 state_hash;
  Address signer;  // the participant whose signature this is (checked by recovery at append)
  Signature signature;
  friend bool operator==(const StateReceived&, const StateReceived&) = default;
};
// On chain: `amount` of `asset` was deposited; the adjudicator now holds `now_held`.
struct DepositDetected {
  ChannelId channel_id;
  Address asset;
  Uint256 amount;
  Uint256 now_held;
  uint64_t block_number = 0;
  friend bool operator==(const DepositDetected&, const DepositDetected&) = default;
};
// On chain: holdings of `asset` fell to `now_held` (a transfer or withdrawal).
struct AllocationUpdated {
  ChannelId channel_id;
  Address asset;
  Uint256 now_held;
  uint64_t block_number = 0;
  friend bool operator==(const AllocationUpdated&, const AllocationUpdated&) = default;
};
// On chain: a challenge with state `turn_num` that finalizes at `finalizes_at` (Unix seconds).
struct ChallengeRegistered {
  ChannelId channel_id;
  uint64_t turn_num = 0;
  uint64_t finalizes_at = 0;
  uint64_t block_number = 0;
  friend bool operator==(const ChallengeRegistered&, const ChallengeRegistered&) = default;
};
// On chain: the challenge was cleared by a state with turn `turn_num`.
struct ChallengeCleared {
  ChannelId channel_id;
  uint64_t turn_num = 0;
  uint64_t block_number = 0;
  friend bool operator==(const ChallengeCleared&, const ChallengeCleared&) = default;
};
// On chain: the channel was concluded (finalized at `finalized_at`, Unix seconds).
struct ChannelConcluded {
  ChannelId channel_id;
  uint64_t finalized_at = 0;
  uint64_t block_number = 0;
  friend bool operator==(const ChannelConcluded&, const ChannelConcluded&) = default;
};
struct MessageSent {
  Address peer;
  Bytes payload;
  friend bool operator==(const MessageSent&, const MessageSent&) = default;
};
struct MessageReceived {
  Address peer;
  Bytes payload;
  friend bool operator==(const MessageReceived&, const MessageReceived&) = default;
};
// A payment voucher this node signed: the cumulative `amount` paid in the channel.
struct VoucherSent {
  ChannelId channel_id;
  Uint256 amount;
  Address signer;  // checked by recovery at append
  Signature signature;
  friend bool operator==(const VoucherSent&, const VoucherSent&) = default;
};
// A payment voucher received from the peer.
struct VoucherReceived {
  ChannelId channel_id;
  Uint256 amount;
  Address signer;  // checked by recovery at append
  Signature signature;
  friend bool operator==(const VoucherReceived&, const VoucherReceived&) = default;
};
// A snapshot of the node view covering offsets [0, covers) was written. `prefix_chain` is the
// hash-chain value at offset covers-1; `snapshot_digest` is keccak256 of the snapshot's bytes.
struct SnapshotCreated {
  uint64_t covers = 0;
  Hash256 prefix_chain;
  Hash256 snapshot_digest;
  friend bool operator==(const SnapshotCreated&, const SnapshotCreated&) = default;
};
// One source file of an imported store: its name in the source directory, its size and the
// keccak256 of its bytes as read.
struct ImportedFile {
  std::string name;
  uint64_t size = 0;
  Hash256 digest;
  friend bool operator==(const ImportedFile&, const ImportedFile&) = default;
};
// The next `events` events (offsets [this + 1, this + 1 + events)) were imported from another
// system's store, not recorded as they happened: `source` names the system ("go-nitro"), `node`
// the node whose store it was, `files` the bytes read. Appended in the same all-or-nothing batch
// as the events it announces (docs/migrating-from-go-nitro.md).
struct StoreImported {
  std::string source;
  Address node;
  std::vector<ImportedFile> files;
  uint64_t events = 0;
  friend bool operator==(const StoreImported&, const StoreImported&) = default;
};

// The first event of a log: the log belongs to `node` (an Ethereum address, never zero), and its
// events are checked under rule set `rules` (RuleSet's number; 2 or later). Written once, at
// offset 0, when a log is created for a node (LedgerOptions::node); it is never written later.
struct LogCreated {
  Address node;
  uint64_t rules = 0;
  friend bool operator==(const LogCreated&, const LogCreated&) = default;
};

// go-nitro's SignedProposal: a proposal with `signer`'s signature of the ledger state it leads to.
// `state` is that state (turn `state.turn_num`) and `state_hash` its StateHash, so that the
// signature is checked from the event alone.
struct SignedProposal {
  Proposal proposal;
  VariablePart state;
  Hash256 state_hash;
  Address signer;  // checked by recovery at append
  Signature signature;
  friend bool operator==(const SignedProposal&, const SignedProposal&) = default;
};
// A signed ledger proposal this node signed: as the ledger channel's leader (participant 0) a new
// proposal, as its follower (participant 1) its countersignature. On the heap (Boxed): an Event is
// as large as its largest type.
struct ProposalSigned {
  ChannelId channel_id;
  Boxed<SignedProposal> content;
  friend bool operator==(const ProposalSigned&, const ProposalSigned&) = default;
};
// A signed ledger proposal from the peer: the leader's proposal, or the follower's
// countersignature.
struct ProposalReceived {
  ChannelId channel_id;
  Boxed<SignedProposal> content;
  friend bool operator==(const ProposalReceived&, const ProposalReceived&) = default;
};

// One participant's signature of a state.
struct StateSignature {
  Address signer;  // checked by recovery at append
  Signature signature;
  friend bool operator==(const StateSignature&, const StateSignature&) = default;
};
// On chain: a challenge registered with its candidate (go-nitro's ChallengeRegisteredEvent): the
// challenged `state` (turn `state.turn_num`), its StateHash and the signatures it carried, which
// finalizes at `finalizes_at` (Unix seconds) unless cleared. Rule set 2 records challenges with
// this type; the candidate's signatures join the channel's known states. On the heap (Boxed): an
// Event is as large as its largest type.
struct ChallengeCandidate {
  VariablePart state;
  Hash256 state_hash;
  std::vector<StateSignature> signatures;
  uint64_t finalizes_at = 0;
  uint64_t block_number = 0;
  friend bool operator==(const ChallengeCandidate&, const ChallengeCandidate&) = default;
};
struct ChallengeRaised {
  ChannelId channel_id;
  Boxed<ChallengeCandidate> content;
  friend bool operator==(const ChallengeRaised&, const ChallengeRaised&) = default;
};

}  // namespace events

// The alternatives' order is EventType's order; never reorder, only append.
using EventBody =
    std::variant<events::ObjectiveCreated, events::ObjectiveApproved, events::ObjectiveRejected,
                 events::ObjectiveCompleted, events::ObjectiveProgressed, events::ChannelCreated,
                 events::StateSigned, events::StateReceived, events::DepositDetected,
                 events::AllocationUpdated, events::ChallengeRegistered, events::ChallengeCleared,
                 events::ChannelConcluded, events::MessageSent, events::MessageReceived,
                 events::VoucherSent, events::VoucherReceived, events::SnapshotCreated,
                 events::StoreImported, events::LogCreated, events::ProposalSigned,
                 events::ProposalReceived, events::ChallengeRaised>;

enum class EventType : uint8_t {
  kObjectiveCreated = 0,
  kObjectiveApproved,
  kObjectiveRejected,
  kObjectiveCompleted,
  kObjectiveProgressed,
  kChannelCreated,
  kStateSigned,
  kStateReceived,
  kDepositDetected,
  kAllocationUpdated,
  kChallengeRegistered,
  kChallengeCleared,
  kChannelConcluded,
  kMessageSent,
  kMessageReceived,
  kVoucherSent,
  kVoucherReceived,
  kSnapshotCreated,
  kStoreImported,
  kLogCreated,
  kProposalSigned,
  kProposalReceived,
  kChallengeRaised,
};
inline constexpr size_t kEventTypeCount = std::variant_size_v<EventBody>;

// Returns true for the types whose events carry a signature their proof recovers (signed states,
// signed proposals and vouchers, sent or received).
bool IsSignedType(EventType type);

// Returns the wire name of `type`, e.g. "state_signed".
std::string_view EventTypeName(EventType type);
// Returns the type with wire name `name`, or nullopt.
std::optional<EventType> ParseEventType(std::string_view name);

struct Event {
  EventId id;
  Timestamp timestamp = 0;
  EventBody body;

  // Returns an event with `body` at `timestamp` and its id computed from the content.
  static Event Make(Timestamp timestamp, EventBody body);

  EventType type() const { return static_cast<EventType>(body.index()); }
  // Returns the channel this event belongs to, or nullptr (objective and message events).
  const ChannelId* channel() const;
  // Returns the objective this event belongs to, or nullptr.
  const ObjectiveId* objective() const;
  // Returns true when `id` equals the id computed from the content.
  bool HasValidId() const;
  // OK when HasValidId(); otherwise InvalidArgument "id <id> does not match the event's content:
  // expected <computed id>".
  Status CheckId() const;
  // CheckId() for a caller that has computed the id the content hashes to (`content_id`), e.g.
  // from the event's canonical encoding: the same answer and message.
  Status CheckId(const EventId& content_id) const;

  friend bool operator==(const Event&, const Event&) = default;
};

// Returns keccak256 of the canonical encoding of (timestamp, body) without an id.
EventId ComputeEventId(Timestamp timestamp, const EventBody& body);

}  // namespace statelog

template <>
struct std::hash<statelog::ObjectiveId> {
  size_t operator()(const statelog::ObjectiveId& id) const {
    return std::hash<statelog::ChannelId>()(id.channel) ^ static_cast<size_t>(id.kind);
  }
};

#endif  // STATELOG_EVENT_H_
