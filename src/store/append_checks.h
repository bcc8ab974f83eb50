// The checks every backend makes at append, written once (internal header of the store layer).
#ifndef STATELOG_STORE_APPEND_CHECKS_H_
#define STATELOG_STORE_APPEND_CHECKS_H_

#include <span>
#include <string>

#include "statelog/event.h"
#include "statelog/status.h"

namespace statelog::store_internal {

// InvalidArgument unless `event.id` is the id computed from the event's content.
Status CheckEventId(const Event& event);

// Checks every event's id and that no id appears twice in the batch; errors name the batch
// index ("batch event I: ...").
Status CheckBatchIds(std::span<const Event> events);

// "channel 0x..." / "objective DirectFunding-0x...".
std::string EntityName(const ChannelId& id);
std::string EntityName(const ObjectiveId& id);

// FailedPrecondition when `event` (to be stored at `at`) is earlier than `previous`, the
// timestamp of the last event of entity `entity` (a name from EntityName) at `previous_offset`.
Status CheckTimestampOrder(const Event& event, Offset at, const std::string& entity,
                           Timestamp previous, Offset previous_offset);

}  // namespace statelog::store_internal

#endif  // STATELOG_STORE_APPEND_CHECKS_H_
