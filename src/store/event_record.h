// Nitro events as log records (internal to the store layer): the payload type the Nitro layer
// puts in every Record, and the conversions both ways.
#ifndef STATELOG_STORE_EVENT_RECORD_H_
#define STATELOG_STORE_EVENT_RECORD_H_

#include <memory>
#include <string>

#include "statelog/log.h"
#include "statelog/store.h"

namespace statelog::store_internal {

// A Nitro event as a record payload: encoded as its canonical JSON (statelog/codec.h).
class EventPayload final : public RecordPayload {
 public:
  explicit EventPayload(Event e) : event(std::move(e)) {}
  std::string Encode() const override;
  Event event;
};

// Returns the record for `event`: its id, timestamp, streams (EventStreams) and a copy of it.
Record ToRecord(const Event& event);

// Returns the event of a record written by the Nitro layer.
// REQUIRES: record.payload is an EventPayload (every record of a log opened with
// EventRecordFormat() is).
const Event& EventOf(const Record& record);

// Returns `stored` as a StoredEvent; moves the event out when nothing else shares the payload.
StoredEvent ToStoredEvent(StoredRecord&& stored);
StoredEvent ToStoredEvent(const StoredRecord& stored);

}  // namespace statelog::store_internal

#endif  // STATELOG_STORE_EVENT_RECORD_H_
