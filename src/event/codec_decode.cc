// Strict decoding of canonical event JSON with simdjson's On-Demand API. See statelog/codec.h.
#include <simdjson.h>

#include <cstring>
#include <limits>
#include <utility>

#include "event/fields.h"
#include "statelog/codec.h"

namespace statelog {
namespace {

namespace sj = simdjson::ondemand;
using codec_internal::NestedStruct;
using codec_internal::VisitFields;

// Returns the body alternative with index `index`, default-constructed.
template <size_t... I>
EventBody MakeBody(size_t index, std::index_sequence<I...>) {
  EventBody body;
  ((index == I ? (void)body.emplace<I>() : void()), ...);
  return body;
}

// Counts the fields of T.
template <class T>
int FieldCount(T& x) {
  int n = 0;
  auto count = [&n](const char*, const auto&) { ++n; };
  VisitFields(count, x);
  return n;
}

// Returns the name of field `index` of T.
template <class T>
const char* FieldName(T& x, int index) {
  int i = 0;
  const char* found = "";
  auto pick = [&](const char* name, const auto&) {
    if (i++ == index) found = name;
  };
  VisitFields(pick, x);
  return found;
}

class Reader {
 public:
  // Returns InvalidArgument "<path>: <reason>" for the current field path.
  Status Error(std::string_view reason) const {
    std::string msg = Path();
    if (!msg.empty()) msg += ": ";
    msg += reason;
    return Status::InvalidArgument(msg);
  }
  Status JsonError(simdjson::error_code err, std::string_view expected = "") const {
    if (err == simdjson::INCORRECT_TYPE && !expected.empty()) {
      return Error("expected " + std::string(expected));
    }
    std::string msg = std::string("malformed JSON (") + simdjson::error_message(err) + ")";
    const char* loc = nullptr;
    if (doc_ && !doc_->current_location().get(loc) && loc > base_) {
      msg += " near byte " + std::to_string(loc - base_);
    }
    return Error(msg);
  }

  // Lets errors name the byte offset at which the parser stopped.
  void Attach(sj::document* doc, const char* base) {
    doc_ = doc;
    base_ = base;
  }

  void Push(const char* name) { path_.push_back({name, 0}); }
  void PushIndex(size_t i) { path_.push_back({nullptr, i}); }
  void Pop() { path_.pop_back(); }
  // Forgets the path and the document of the previous decode.
  void Reset() {
    path_.clear();
    doc_ = nullptr;
    base_ = nullptr;
  }

  template <size_t N>
  Status Value(sj::value& v, FixedBytes<N>& out) {
    std::string_view s;
    if (auto err = v.get_string().get(s)) return JsonError(err, "a hex string");
    Status st = ParseHexFixed(s, out.bytes);
    return st.ok() ? st : Error(st.message());
  }
  Status Value(sj::value& v, Bytes& out) {
    std::string_view s;
    if (auto err = v.get_string().get(s)) return JsonError(err, "a hex string");
    Status st = ParseHexBytes(s, &out);
    return st.ok() ? st : Error(st.message());
  }
  Status Value(sj::value& v, Uint256& out) {
    std::string_view s;
    if (auto err = v.get_string().get(s)) return JsonError(err, "a decimal string");
    auto r = Uint256::FromDecimal(s);
    if (!r.ok()) return Error(r.status().message());
    out = *r;
    return Status::OK();
  }
  Status Value(sj::value& v, bool& out) {
    if (auto err = v.get_bool().get(out)) return JsonError(err, "true or false");
    return Status::OK();
  }
  Status Value(sj::value& v, uint8_t& out) { return Integer(v, out); }
  Status Value(sj::value& v, uint32_t& out) { return Integer(v, out); }
  Status Value(sj::value& v, uint64_t& out) { return Integer(v, out); }
  Status Value(sj::value& v, int64_t& out) { return Integer(v, out); }
  Status Value(sj::value& v, std::string& out) {
    std::string_view s;
    if (auto err = v.get_string().get(s)) return JsonError(err, "a string");
    out.assign(s);
    return Status::OK();
  }
  Status Value(sj::value& v, ObjectiveId& out) {
    std::string_view s;
    if (auto err = v.get_string().get(s)) return JsonError(err, "an objective id string");
    auto r = ObjectiveId::Parse(s);
    if (!r.ok()) return Error(r.status().message());
    out = *r;
    return Status::OK();
  }
  Status Value(sj::value& v, ObjectiveStep& out) {
    std::string_view s;
    if (auto err = v.get_string().get(s)) return JsonError(err, "an objective step string");
    auto r = ParseObjectiveStep(s);
    if (!r.ok()) return Error(r.status().message());
    out = *r;
    return Status::OK();
  }
  template <class T>
  Status Value(sj::value& v, std::vector<T>& out) {
    sj::array arr;
    if (auto err = v.get_array().get(arr)) return JsonError(err, "an array");
    out.clear();
    size_t i = 0;
    for (auto element : arr) {
      sj::value ev;
      PushIndex(i);
      if (auto err = element.get(ev)) return JsonError(err);
      T item{};
      STATELOG_RETURN_IF_ERROR(Value(ev, item));
      out.push_back(std::move(item));
      Pop();
      ++i;
    }
    return Status::OK();
  }
  template <NestedStruct T>
  Status Value(sj::value& v, T& out) {
    sj::object obj;
    if (auto err = v.get_object().get(obj)) return JsonError(err, "an object");
    uint64_t seen = 0;
    for (auto member : obj) {
      std::string_view key;
      if (auto err = member.unescaped_key().get(key)) return JsonError(err);
      STATELOG_RETURN_IF_ERROR(Member(key, member.value(), out, &seen));
    }
    return CheckAllSeen(out, seen);
  }

  // Decodes the member `key` of struct `out` and marks it in *seen. Errors for an unknown or
  // duplicate member.
  template <class T>
  Status Member(std::string_view key, sj::value v, T& out, uint64_t* seen) {
    int index = 0, found = -1;
    Status st;
    auto match = [&](const char* name, auto& member) {
      if (found < 0 && key == name) {
        found = index;
        Push(name);
        st = Value(v, member);
        if (st.ok()) Pop();
      }
      ++index;
    };
    VisitFields(match, out);
    if (found < 0) return Error("unknown field \"" + std::string(key) + "\"");
    if (!st.ok()) return st;
    uint64_t bit = uint64_t{1} << found;
    if (*seen & bit) return Error("duplicate field \"" + std::string(key) + "\"");
    *seen |= bit;
    return Status::OK();
  }

  template <class T>
  Status CheckAllSeen(T& out, uint64_t seen) {
    int n = FieldCount(out);
    for (int i = 0; i < n; ++i) {
      if (!(seen & (uint64_t{1} << i))) {
        return Error(std::string("missing field \"") + FieldName(out, i) + "\"");
      }
    }
    return Status::OK();
  }

 private:
  // Parses a JSON integer token strictly: optional '-', then 0 or a digit string without a
  // leading zero; no fraction or exponent; within I's range.
  template <class I>
  Status Integer(sj::value& v, I& out) {
    sj::json_type type;
    if (auto err = v.type().get(type)) return JsonError(err);
    if (type != sj::json_type::number) return Error("expected an integer");
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() &&
           (tok.back() == ' ' || tok.back() == '\n' || tok.back() == '\r' || tok.back() == '\t')) {
      tok.remove_suffix(1);
    }
    bool negative = !tok.empty() && tok[0] == '-';
    std::string_view digits = negative ? tok.substr(1) : tok;
    if (digits.empty()) return Error("malformed number");
    for (char c : digits) {
      if (c < '0' || c > '9') {
        if (c == '.' || c == 'e' || c == 'E') return Error("expected an integer, got a fraction");
        return Error("malformed number");
      }
    }
    if (digits.size() > 1 && digits[0] == '0') return Error("number has a leading zero");
    if (negative && !std::numeric_limits<I>::is_signed) {
      return Error("number must not be negative");
    }
    // Accumulate as a magnitude in uint64 with overflow checks, then range-check against I.
    uint64_t mag = 0;
    for (char c : digits) {
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (mag > (std::numeric_limits<uint64_t>::max() - d) / 10) {
        return Error("number out of range");
      }
      mag = mag * 10 + d;
    }
    if (negative) {
      constexpr uint64_t kMaxNeg = uint64_t{1} << 63;  // |INT64_MIN|
      if (mag > kMaxNeg) return Error("number out of range");
      out = static_cast<I>(mag == kMaxNeg ? std::numeric_limits<int64_t>::min()
                                          : -static_cast<int64_t>(mag));
      return Status::OK();
    }
    if (mag > static_cast<uint64_t>(std::numeric_limits<I>::max())) {
      return Error("number out of range (max " + std::to_string(std::numeric_limits<I>::max()) +
                   ")");
    }
    out = static_cast<I>(mag);
    return Status::OK();
  }

  std::string Path() const {
    std::string p;
    for (const auto& e : path_) {
      if (e.name) {
        if (!p.empty()) p += '.';
        p += e.name;
      } else {
        p += '[' + std::to_string(e.index) + ']';
      }
    }
    return p;
  }

  struct PathElem {
    const char* name;  // null for an array index
    size_t index;
  };
  std::vector<PathElem> path_;
  sj::document* doc_ = nullptr;
  const char* base_ = nullptr;
};

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
  if (!have_id) return reader.Error("missing field \"id\"");
  if (!have_ts) return reader.Error("missing field \"ts\"");
  STATELOG_RETURN_IF_ERROR(
      std::visit([&](auto& body) { return reader.CheckAllSeen(body, seen); }, out->body));
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) {
    return reader.Error("trailing characters after the JSON object at byte " +
                        std::to_string(rest - buffer.data()));
  }

  if (options.verify_id) {
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
