// Nitro events as log records (internal to the store layer): the payload type the Nitro layer
// puts in every Record, and the conversions both ways.
#ifndef STATELOG_STORE_EVENT_RECORD_H_
#define STATELOG_STORE_EVENT_RECORD_H_

#include <memory>
#include <string>

#include "statelog/log.h"
#include "statelog/store.h"

namespace statelog::store_internal {

// A Nitro event as a record payload, encoded as its canonical JSON (statelog/codec.h): owned by
// the payload (OwnedEventPayload) or borrowed from storage that outlives it (BorrowedEventPayload).
class EventPayload : public RecordPayload {
 public:
  EventPayload(const EventPayload&) = delete;
  EventPayload& operator=(const EventPayload&) = delete;

  const Event& event() const { return *event_; }
  // The event to move from when this payload owns it, or nullptr when it borrows it.
  virtual Event* owned() = 0;
  std::string Encode() const final;

 protected:
  explicit EventPayload(const Event* event) : event_(event) {}
  ~EventPayload() override = default;

 private:
  const Event* const event_;
};

class OwnedEventPayload final : public EventPayload {
 public:
  explicit OwnedEventPayload(Event e) : EventPayload(&event_), event_(std::move(e)) {}
  Event* owned() override { return &event_; }

 private:
  Event event_;  // EventPayload::event_ points here; the base is built first and reads nothing
};

// REQUIRES: *event outlives the payload.
class BorrowedEventPayload final : public EventPayload {
 public:
  explicit BorrowedEventPayload(const Event* event) : EventPayload(event) {}
  Event* owned() override { return nullptr; }
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
