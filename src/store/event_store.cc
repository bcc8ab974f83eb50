// EventStore: the Nitro layer over the generic log core. It maps events to records and back;
// every check and all storage are the core's and the backend's.
#include <string>
#include <utility>

#include "statelog/log_backend.h"
#include "statelog/store.h"
#include "store/event_record.h"

namespace statelog {
namespace {

using store_internal::ToRecord;
using store_internal::ToStoredEvent;

// Turns a RecordCursor into an EventCursor.
class EventCursorOverRecords final : public EventCursor {
 public:
  explicit EventCursorOverRecords(std::unique_ptr<RecordCursor> records)
      : records_(std::move(records)) {
    Load();
  }
  bool Valid() const override { return records_->Valid(); }
  void Next() override {
    records_->Next();
    Load();
  }
  const StoredEvent& event() const override { return current_; }
  Status status() const override { return records_->status(); }

 private:
  void Load() {
    if (records_->Valid()) current_ = ToStoredEvent(records_->TakeRecord());
  }
  std::unique_ptr<RecordCursor> records_;
  StoredEvent current_;
};

}  // namespace

StatusOr<std::unique_ptr<EventStore>> EventStore::Open(std::unique_ptr<LogBackend> backend) {
  STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<Log> log,
                            Log::Open(std::move(backend), &EventRecordFormat()));
  return std::make_unique<EventStore>(std::move(log));
}

EventStore::EventStore(std::unique_ptr<Log> log) : log_(std::move(log)) {}

EventStore::~EventStore() = default;

StatusOr<AppendResult> EventStore::Append(const Event& event, const AppendOptions& options) {
  const Record record = ToRecord(event);
  STATELOG_ASSIGN_OR_RETURN(std::vector<AppendResult> results,
                            log_->Append(std::span(&record, 1), options));
  return results.front();
}

StatusOr<std::vector<AppendResult>> EventStore::AppendBatch(std::span<const Event> events,
                                                            const AppendOptions& options) {
  std::vector<Record> records;
  records.reserve(events.size());
  for (const Event& e : events) records.push_back(ToRecord(e));
  StatusOr<std::vector<AppendResult>> results = log_->Append(records, options);
  if (!results.ok() && results.status().index()) {
    return results.status().WithPrefix("batch event " + std::to_string(*results.status().index()));
  }
  return results;
}

StatusOr<ChainHead> EventStore::Head() const { return log_->Head(); }

StatusOr<uint64_t> EventStore::Length() const {
  STATELOG_ASSIGN_OR_RETURN(ChainHead head, log_->Head());
  return head.length;
}

StatusOr<StoredEvent> EventStore::Read(Offset offset) const {
  STATELOG_ASSIGN_OR_RETURN(StoredRecord record, log_->Read(offset));
  return ToStoredEvent(std::move(record));
}

Status EventStore::ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const {
  std::vector<StoredRecord> records;
  out->clear();
  STATELOG_RETURN_IF_ERROR(log_->ReadRange(begin, end, &records));
  out->reserve(records.size());
  for (StoredRecord& r : records) out->push_back(ToStoredEvent(std::move(r)));
  return Status::OK();
}

std::unique_ptr<EventCursor> EventStore::NewCursor(Offset begin, std::optional<Offset> end) const {
  return std::make_unique<EventCursorOverRecords>(log_->NewCursor(begin, end));
}

StatusOr<std::optional<Offset>> EventStore::Find(const EventId& id) const { return log_->Find(id); }

StatusOr<std::vector<std::optional<Offset>>> EventStore::FindMany(
    std::span<const EventId> ids) const {
  return log_->FindMany(ids);
}

StatusOr<std::vector<Offset>> EventStore::ChannelOffsets(const ChannelId& id, Offset before) const {
  return log_->StreamOffsets(ChannelStream(id), before);
}

StatusOr<std::vector<Offset>> EventStore::ObjectiveOffsets(const ObjectiveId& id,
                                                           Offset before) const {
  return log_->StreamOffsets(ObjectiveStream(id), before);
}

Status EventStore::Scan(Offset begin, Offset end,
                        const std::function<Status(Offset, const Event&)>& fn) const {
  auto cursor = NewCursor(begin, end);
  for (; cursor->Valid(); cursor->Next()) {
    STATELOG_RETURN_IF_ERROR(fn(cursor->event().offset, cursor->event().event));
  }
  return cursor->status();
}

StatusOr<std::vector<ImportedRange>> EventStore::Imports(Offset before) const {
  STATELOG_ASSIGN_OR_RETURN(std::vector<Offset> offsets,
                            log_->StreamOffsets(ImportStream(), before));
  std::vector<ImportedRange> out;
  for (Offset o : offsets) {
    STATELOG_ASSIGN_OR_RETURN(StoredEvent e, Read(o));
    const auto* imported = std::get_if<events::StoreImported>(&e.event.body);
    if (imported == nullptr) {
      return Status::Corruption("offset " + std::to_string(o) +
                                ": an import-stream event that is not store_imported");
    }
    out.push_back({o, imported->events, imported->source, imported->node, imported->files.size()});
  }
  return out;
}

StatusOr<SubscriptionId> EventStore::Subscribe(EventCallback callback) {
  STATELOG_ASSIGN_OR_RETURN(ChainHead head, log_->Head());
  return SubscribeFrom(head.length, std::move(callback));
}

SubscriptionId EventStore::SubscribeFrom(Offset from, EventCallback callback,
                                         SubscribeOptions options) {
  return log_->SubscribeFrom(
      from, [cb = std::move(callback)](const StoredRecord& r) { cb(ToStoredEvent(r)); },
      std::move(options));
}

Status EventStore::Unsubscribe(SubscriptionId id) { return log_->Unsubscribe(id); }

Status EventStore::SubscriptionError(SubscriptionId id) const {
  return log_->SubscriptionError(id);
}

Status EventStore::WaitForDelivery(SubscriptionId id, Offset offset) const {
  return log_->WaitForDelivery(id, offset);
}

}  // namespace statelog
