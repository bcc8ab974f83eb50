// The Nitro record format: events as canonical JSON payloads, their streams, and the names of
// those streams in error messages.
#include "store/event_record.h"

#include <utility>

#include "event/encoded_id.h"
#include "statelog/codec.h"

namespace statelog {
namespace store_internal {

std::string EventPayload::Encode() const { return EncodeEvent(event()); }

Record ToRecord(const Event& event) {
  // A non-const object: the memory backend may take its event (ADR-0008).
  return Record{event.id, event.timestamp, EventStreams(event),
                std::make_shared<OwnedEventPayload>(event)};
}

const Event& EventOf(const Record& record) {
  return static_cast<const EventPayload&>(*record.payload).event();
}

StoredEvent ToStoredEvent(StoredRecord&& stored) {
  StoredEvent out{stored.offset, stored.chain, Event{}};
  // A payload is made non-const (make_shared) by a decoder; move its event out if it owns it and
  // nobody else holds it.
  auto& payload =
      const_cast<EventPayload&>(static_cast<const EventPayload&>(*stored.record.payload));
  Event* owned = stored.record.payload.use_count() == 1 ? payload.owned() : nullptr;
  out.event = owned ? std::move(*owned) : payload.event();
  return out;
}

StoredEvent ToStoredEvent(const StoredRecord& stored) {
  return StoredEvent{stored.offset, stored.chain, EventOf(stored.record)};
}

namespace {

constexpr char kChannelTag = 'c';
constexpr char kObjectiveTag = 'o';
constexpr char kSnapshotTag = 's';
constexpr char kImportTag = 'i';

class EventFormat final : public RecordFormat {
 public:
  Status CheckId(const Record& record) const override { return Check(record, std::nullopt); }

  // The event's encoding holds its content: the id is hashed from those bytes.
  Status CheckEncodedId(const Record& record, std::string_view encoded) const override {
    std::optional<EventId> content_id = codec_internal::ContentIdOfEncoding(encoded);
    if (!content_id) return Status::InvalidArgument("the record's encoding has no id member");
    return Check(record, content_id);
  }

  Status Decode(std::string_view bytes, Record* out) const override {
    thread_local EventDecoder decoder;
    Event event;
    STATELOG_RETURN_IF_ERROR(decoder.Decode(bytes, &event, DecodeOptions{.verify_id = false}));
    out->id = event.id;
    out->timestamp = event.timestamp;
    out->streams = EventStreams(event);
    out->payload = std::make_shared<OwnedEventPayload>(std::move(event));
    return Status::OK();
  }

  std::string StreamName(std::string_view stream) const override {
    const auto* p = reinterpret_cast<const uint8_t*>(stream.data());
    if (stream.size() == 1 + ChannelId::kSize && stream[0] == kChannelTag) {
      return "channel " + ChannelId::FromSpan(std::span(p + 1, ChannelId::kSize)).ToHex();
    }
    if (stream.size() == 2 + ChannelId::kSize && stream[0] == kObjectiveTag &&
        static_cast<uint8_t>(stream[1]) <= static_cast<uint8_t>(ObjectiveKind::kVirtualDefund)) {
      ObjectiveId id{static_cast<ObjectiveKind>(stream[1]),
                     ChannelId::FromSpan(std::span(p + 2, ChannelId::kSize))};
      return "objective " + id.ToString();
    }
    if (stream.size() == 1 && stream[0] == kSnapshotTag) return "the snapshot stream";
    if (stream.size() == 1 && stream[0] == kImportTag) return "the import stream";
    return RecordFormat::StreamName(stream);
  }

 private:
  // `content_id`: the id the event's content hashes to, when the caller computed it.
  static Status Check(const Record& record, const std::optional<EventId>& content_id) {
    const auto* payload = dynamic_cast<const EventPayload*>(record.payload.get());
    if (payload == nullptr) return Status::InvalidArgument("the record's payload is not an event");
    const Event& event = payload->event();
    if (record.id != event.id) {
      return Status::InvalidArgument("the record's id " + record.id.ToHex() +
                                     " is not its event's id " + event.id.ToHex());
    }
    STATELOG_RETURN_IF_ERROR(content_id ? event.CheckId(*content_id) : event.CheckId());
    if (record.timestamp != event.timestamp) {
      return Status::InvalidArgument("the record's timestamp is not the event's");
    }
    return Status::OK();
  }
};

}  // namespace
}  // namespace store_internal

std::string ChannelStream(const ChannelId& id) {
  std::string key(1, store_internal::kChannelTag);
  key.append(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
  return key;
}

std::string ObjectiveStream(const ObjectiveId& id) {
  std::string key(1, store_internal::kObjectiveTag);
  key.push_back(static_cast<char>(id.kind));
  key.append(reinterpret_cast<const char*>(id.channel.bytes.data()), id.channel.bytes.size());
  return key;
}

std::string SnapshotStream() { return std::string(1, store_internal::kSnapshotTag); }

std::string ImportStream() { return std::string(1, store_internal::kImportTag); }

std::vector<std::string> EventStreams(const Event& event) {
  std::vector<std::string> streams;
  if (const ChannelId* c = event.channel()) streams.push_back(ChannelStream(*c));
  if (const ObjectiveId* o = event.objective()) streams.push_back(ObjectiveStream(*o));
  if (event.type() == EventType::kSnapshotCreated) streams.push_back(SnapshotStream());
  if (event.type() == EventType::kStoreImported) streams.push_back(ImportStream());
  return streams;
}

const RecordFormat& EventRecordFormat() {
  static const store_internal::EventFormat format;
  return format;
}

}  // namespace statelog
