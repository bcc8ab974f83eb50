#include "store/append_checks.h"

namespace statelog::store_internal {

Status CheckEventId(const Event& event) {
  const EventId expected = ComputeEventId(event.timestamp, event.body);
  if (expected == event.id) return Status::OK();
  return Status::InvalidArgument("id " + event.id.ToHex() +
                                 " does not match the event's content: expected " +
                                 expected.ToHex());
}

std::string EntityName(const ChannelId& id) { return "channel " + id.ToHex(); }
std::string EntityName(const ObjectiveId& id) { return "objective " + id.ToString(); }

Status CheckTimestampOrder(const Event& event, Offset at, const std::string& entity,
                           Timestamp previous, Offset previous_offset) {
  if (event.timestamp >= previous) return Status::OK();
  return Status::FailedPrecondition(
      "event " + event.id.ToHex() + " (would be offset " + std::to_string(at) + "): timestamp " +
      std::to_string(event.timestamp) + " is earlier than timestamp " + std::to_string(previous) +
      " of the previous event of " + entity + " at offset " + std::to_string(previous_offset));
}

}  // namespace statelog::store_internal
