// Canonical JSON encoding of events. See statelog/codec.h for the rules.
#include "event/encoded_id.h"
#include "event/json_writer.h"
#include "statelog/codec.h"
#include "statelog/keccak.h"

namespace statelog {
namespace {

using codec_internal::VisitFields;
using codec_internal::Writer;

// Writes the members of an event's content: "type", "ts", then the body's fields.
void WriteContentMembers(Writer& w, Timestamp timestamp, const EventBody& body) {
  w("type", EventTypeName(static_cast<EventType>(body.index())));
  w("ts", static_cast<int64_t>(timestamp));
  std::visit([&w](const auto& b) { VisitFields(w, b); }, body);
}

}  // namespace

void EncodeEventContent(Timestamp timestamp, const EventBody& body, std::string* out) {
  Writer w(out);
  out->push_back('{');
  WriteContentMembers(w, timestamp, body);
  out->push_back('}');
}

void EncodeEvent(const Event& event, std::string* out) {
  Writer w(out);
  out->push_back('{');
  w("id", event.id);
  WriteContentMembers(w, event.timestamp, event.body);
  out->push_back('}');
}

namespace codec_internal {

std::optional<EventId> ContentIdOfEncoding(std::string_view encoded) {
  // {"id":"0x<64 hex digits>",
  constexpr std::string_view kOpen = "{\"id\":\"0x";
  constexpr std::string_view kClose = "\",";
  constexpr size_t kMember = kOpen.size() + 2 * EventId::kSize + kClose.size();
  if (encoded.size() <= kMember || !encoded.starts_with(kOpen) ||
      encoded.substr(kMember - kClose.size(), kClose.size()) != kClose) {
    return std::nullopt;
  }
  thread_local Keccak256Hasher hasher;
  hasher.Update(std::string_view("{"));
  hasher.Update(encoded.substr(kMember));
  return hasher.Finish();
}

}  // namespace codec_internal

std::string EncodeEvent(const Event& event) {
  std::string out;
  out.reserve(512);
  EncodeEvent(event, &out);
  return out;
}

}  // namespace statelog
