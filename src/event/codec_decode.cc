// Strict decoding of canonical event JSON with simdjson's On-Demand API. See statelog/codec.h.
#include <simdjson.h>

#include <cstring>
#include <limits>
#include <utility>

#include "event/json_reader.h"
#include "statelog/codec.h"

namespace statelog {
namespace {

using codec_internal::Reader;
namespace sj = simdjson::ondemand;

// Returns the body alternative with index `index`, default-constructed.
template <size_t... I>
EventBody MakeBody(size_t index, std::index_sequence<I...>) {
  EventBody body;
  ((index == I ? (void)body.emplace<I>() : void()), ...);
  return body;
}

}  // namespace

struct EventDecoder::Impl {
  sj::parser parser;
  std::string buffer;  // the input copied with SIMDJSON_PADDING bytes after it
  Reader reader;

  Status Decode(std::string_view json, Event* out, const DecodeOptions& options);
};

Status EventDecoder::Impl::Decode(std::string_view json, Event* out, const DecodeOptions& options) {
  reader.Reset();
  if (buffer.size() < json.size() + simdjson::SIMDJSON_PADDING) {
    buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(buffer.data(), json.data(), json.size());
  sj::document doc;
  if (auto err = parser.iterate(buffer.data(), json.size(), buffer.size()).get(doc)) {
    return reader.JsonError(err);
  }
  reader.Attach(&doc, buffer.data());
  sj::object obj;
  if (auto err = doc.get_object().get(obj)) {
    // simdjson checks that a root object's last token is '}' before anything else.
    size_t end = json.find_last_not_of(" \t\r\n");
    if (err == simdjson::INCOMPLETE_ARRAY_OR_OBJECT && end != std::string_view::npos &&
        json[0] == '{' && json[end] != '}') {
      return reader.Error(
          "trailing characters after the JSON object, or it is not terminated (at "
          "byte " +
          std::to_string(end) + ")");
    }
    return reader.JsonError(err, "a JSON object");
  }

  // The body's type decides its fields, so find "type" first wherever it is.
  std::string_view type_name;
  {
    sj::value tv;
    auto err = obj.find_field_unordered("type").get(tv);
    if (err == simdjson::NO_SUCH_FIELD) return reader.Error("missing field \"type\"");
    if (err) return reader.JsonError(err);
    reader.Push("type");
    if (auto e2 = tv.get_string().get(type_name)) return reader.JsonError(e2, "a string");
    reader.Pop();
  }
  std::optional<EventType> type = ParseEventType(type_name);
  if (!type) return reader.Error("unknown event type \"" + std::string(type_name) + "\"");
  out->body = MakeBody(static_cast<size_t>(*type), std::make_index_sequence<kEventTypeCount>());
  if (auto err = obj.reset().error()) return reader.JsonError(err);

  bool have_id = false, have_type = false, have_ts = false;
  uint64_t seen = 0;
  for (auto member : obj) {
    std::string_view key;
    if (auto err = member.unescaped_key().get(key)) return reader.JsonError(err);
    sj::value v = member.value();
    auto once = [&](bool* have, const char* name) -> Status {
      if (*have) return reader.Error(std::string("duplicate field \"") + name + "\"");
      *have = true;
      return Status::OK();
    };
    if (key == "id") {
      STATELOG_RETURN_IF_ERROR(once(&have_id, "id"));
      reader.Push("id");
      STATELOG_RETURN_IF_ERROR(reader.Value(v, out->id));
      reader.Pop();
    } else if (key == "type") {
      STATELOG_RETURN_IF_ERROR(once(&have_type, "type"));
    } else if (key == "ts") {
      STATELOG_RETURN_IF_ERROR(once(&have_ts, "ts"));
      reader.Push("ts");
      int64_t ts = 0;
      STATELOG_RETURN_IF_ERROR(reader.Value(v, ts));
      out->timestamp = ts;
      reader.Pop();
    } else {
      STATELOG_RETURN_IF_ERROR(
          std::visit([&](auto& body) { return reader.Member(key, v, body, &seen); }, out->body));
    }
  }
  if (!have_id && !options.complete_id) return reader.Error("missing field \"id\"");
  if (!have_ts) return reader.Error("missing field \"ts\"");
  STATELOG_RETURN_IF_ERROR(
      std::visit([&](auto& body) { return reader.CheckAllSeen(body, seen); }, out->body));
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) {
    return reader.Error("trailing characters after the JSON object at byte " +
                        std::to_string(rest - buffer.data()));
  }

  if (!have_id) {
    out->id = ComputeEventId(out->timestamp, out->body);
  } else if (options.verify_id) {
    EventId computed = ComputeEventId(out->timestamp, out->body);
    if (computed != out->id) {
      return Status::InvalidArgument("id does not match the content: id is " + out->id.ToHex() +
                                     ", content hashes to " + computed.ToHex());
    }
  }
  return Status::OK();
}

EventDecoder::EventDecoder() : impl_(std::make_unique<Impl>()) {}
EventDecoder::~EventDecoder() = default;

Status EventDecoder::Decode(std::string_view json, Event* out, const DecodeOptions& options) {
  return impl_->Decode(json, out, options);
}

StatusOr<Event> DecodeEvent(std::string_view json, const DecodeOptions& options) {
  thread_local EventDecoder decoder;
  Event e;
  STATELOG_RETURN_IF_ERROR(decoder.Decode(json, &e, options));
  return e;
}

}  // namespace statelog
