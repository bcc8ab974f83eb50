// Canonical JSON encoding of events. See statelog/codec.h for the rules.
#include "event/json_writer.h"
#include "statelog/codec.h"

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

std::string EncodeEvent(const Event& event) {
  std::string out;
  out.reserve(512);
  EncodeEvent(event, &out);
  return out;
}

}  // namespace statelog
