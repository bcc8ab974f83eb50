#include "statelog/event.h"

#include <array>

#include "statelog/codec.h"
#include "statelog/keccak.h"

namespace statelog {
namespace {

constexpr std::array<std::string_view, 4> kKindNames = {"DirectFunding", "DirectDefunding",
                                                        "VirtualFund", "VirtualDefund"};
constexpr std::array<std::string_view, kObjectiveStepCount> kStepNames = {
    "CompletePrefund",     "MyTurnToFund",      "CompleteFunding",   "CompletePostFund",
    "Finalization",        "Withdraw",          "Nothing",           "FinalStateFromAlice",
    "SupportedFinalState", "DefundingOnMyLeft", "DefundingOnMyRight"};
constexpr std::array<std::string_view, kEventTypeCount> kTypeNames = {
    "objective_created",    "objective_approved", "objective_rejected",   "objective_completed",
    "objective_progressed", "channel_created",    "state_signed",         "state_received",
    "deposit_detected",     "allocation_updated", "challenge_registered", "challenge_cleared",
    "channel_concluded",    "message_sent",       "message_received",     "voucher_sent",
    "voucher_received",     "snapshot_created",   "store_imported",       "log_created",
    "proposal_signed",      "proposal_received",  "challenge_raised"};

template <class T>
concept ChannelEvent = requires(const T& e) {
  { e.channel_id } -> std::convertible_to<ChannelId>;
};
template <class T>
concept ObjectiveEvent = requires(const T& e) {
  { e.objective_id } -> std::convertible_to<ObjectiveId>;
};

}  // namespace

std::string_view ObjectiveKindName(ObjectiveKind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}

std::string ObjectiveId::ToString() const {
  std::string out(ObjectiveKindName(kind));
  out += '-';
  AppendHex(channel.span(), &out);
  return out;
}

StatusOr<ObjectiveKind> ParseObjectiveKind(std::string_view name) {
  for (size_t k = 0; k < kKindNames.size(); ++k) {
    if (kKindNames[k] == name) return static_cast<ObjectiveKind>(k);
  }
  return Status::InvalidArgument("unknown objective kind '" + std::string(name) + "'");
}

StatusOr<ObjectiveId> ObjectiveId::Parse(std::string_view s) {
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    return Status::InvalidArgument("objective id must be <Kind>-0x<channel id>");
  }
  ObjectiveId id;
  STATELOG_ASSIGN_OR_RETURN(id.kind, ParseObjectiveKind(s.substr(0, dash)));
  Status st = ParseHexFixed(s.substr(dash + 1), id.channel.bytes);
  if (!st.ok()) return st.WithPrefix("objective channel id");
  return id;
}

std::string_view ObjectiveStepName(ObjectiveStep step) {
  return kStepNames[static_cast<size_t>(step)];
}

StatusOr<ObjectiveStep> ParseObjectiveStep(std::string_view s) {
  for (size_t i = 0; i < kStepNames.size(); ++i) {
    if (kStepNames[i] == s) return static_cast<ObjectiveStep>(i);
  }
  return Status::InvalidArgument("unknown objective step '" + std::string(s) + "'");
}

std::string_view ProposalKindName(ProposalKind kind) {
  return kind == ProposalKind::kAdd ? "add" : "remove";
}

StatusOr<ProposalKind> ParseProposalKind(std::string_view name) {
  if (name == "add") return ProposalKind::kAdd;
  if (name == "remove") return ProposalKind::kRemove;
  return Status::InvalidArgument("unknown proposal kind '" + std::string(name) +
                                 "' (add or remove)");
}

std::string_view RuleSetName(RuleSet rules) {
  return rules == RuleSet::kStatelog1 ? "statelog-1" : "nitro-2";
}

StatusOr<RuleSet> RuleSetFromNumber(uint64_t number) {
  if (number == 1 || number == 2) return static_cast<RuleSet>(number);
  return Status::NotSupported("rule set " + std::to_string(number) +
                              " is not known to this statelog (it knows 1 and 2)");
}

// Every type is listed (no default): a new event type does not compile until it is placed here.
bool IsSignedType(EventType type) {
  switch (type) {
    case EventType::kStateSigned:
    case EventType::kStateReceived:
    case EventType::kVoucherSent:
    case EventType::kVoucherReceived:
    case EventType::kProposalSigned:
    case EventType::kProposalReceived:
    case EventType::kChallengeRaised:
      return true;
    case EventType::kObjectiveCreated:
    case EventType::kObjectiveApproved:
    case EventType::kObjectiveRejected:
    case EventType::kObjectiveCompleted:
    case EventType::kObjectiveProgressed:
    case EventType::kChannelCreated:
    case EventType::kDepositDetected:
    case EventType::kAllocationUpdated:
    case EventType::kChallengeRegistered:
    case EventType::kChallengeCleared:
    case EventType::kChannelConcluded:
    case EventType::kMessageSent:
    case EventType::kMessageReceived:
    case EventType::kSnapshotCreated:
    case EventType::kStoreImported:
    case EventType::kLogCreated:
      return false;
  }
  return false;
}

std::string_view EventTypeName(EventType type) { return kTypeNames[static_cast<size_t>(type)]; }

std::optional<EventType> ParseEventType(std::string_view name) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

Event Event::Make(Timestamp timestamp, EventBody body) {
  Event e;
  e.timestamp = timestamp;
  e.body = std::move(body);
  e.id = ComputeEventId(e.timestamp, e.body);
  return e;
}

const ChannelId* Event::channel() const {
  return std::visit(
      [](const auto& b) -> const ChannelId* {
        if constexpr (ChannelEvent<std::decay_t<decltype(b)>>) {
          return &b.channel_id;
        } else {
          return nullptr;
        }
      },
      body);
}

const ObjectiveId* Event::objective() const {
  return std::visit(
      [](const auto& b) -> const ObjectiveId* {
        if constexpr (ObjectiveEvent<std::decay_t<decltype(b)>>) {
          return &b.objective_id;
        } else {
          return nullptr;
        }
      },
      body);
}

bool Event::HasValidId() const { return ComputeEventId(timestamp, body) == id; }

Status Event::CheckId() const { return CheckId(ComputeEventId(timestamp, body)); }

Status Event::CheckId(const EventId& content_id) const {
  if (content_id == id) return Status::OK();
  return Status::InvalidArgument(
      "id " + id.ToHex() + " does not match the event's content: expected " + content_id.ToHex());
}

EventId ComputeEventId(Timestamp timestamp, const EventBody& body) {
  thread_local std::string buf;
  buf.clear();
  EncodeEventContent(timestamp, body, &buf);
  return Keccak256(buf);
}

}  // namespace statelog
