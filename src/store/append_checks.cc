#include "store/append_checks.h"

#include <unordered_map>

namespace statelog::store_internal {

Status CheckEventId(const Event& event) {
  const EventId expected = ComputeEventId(event.timestamp, event.body);
  if (expected == event.id) return Status::OK();
  return Status::InvalidArgument("id " + event.id.ToHex() +
                                 " does not match the event's content: expected " +
                                 expected.ToHex());
}

Status CheckBatchIds(std::span<const Event> events) {
  std::unordered_map<EventId, size_t> in_batch;
  for (size_t i = 0; i < events.size(); ++i) {
    Status s = CheckEventId(events[i]);
    if (!s.ok()) return s.WithPrefix("batch event " + std::to_string(i));
    auto [it, inserted] = in_batch.emplace(events[i].id, i);
    if (!inserted) {
      return Status::InvalidArgument("batch events " + std::to_string(it->second) + " and " +
                                     std::to_string(i) + " have the same id " +
                                     events[i].id.ToHex());
    }
  }
  return Status::OK();
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
