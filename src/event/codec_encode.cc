// Canonical JSON encoding of events. See statelog/codec.h for the rules.
#include <charconv>

#include "event/fields.h"
#include "statelog/codec.h"

namespace statelog {
namespace {

using codec_internal::NestedStruct;
using codec_internal::VisitFields;

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  // Writes `"name":value` with a separating comma when needed.
  template <class T>
  void operator()(const char* name, const T& value) {
    if (!first_) out_->push_back(',');
    first_ = false;
    out_->push_back('"');
    out_->append(name);
    out_->append("\":");
    Value(value);
  }

  template <class T>
  void Object(const T& value) {
    bool saved = first_;
    first_ = true;
    out_->push_back('{');
    VisitFields(*this, value);
    out_->push_back('}');
    first_ = saved;
  }

  template <size_t N>
  void Value(const FixedBytes<N>& v) {
    out_->push_back('"');
    AppendHex(v.span(), out_);
    out_->push_back('"');
  }
  void Value(const Bytes& v) {
    out_->push_back('"');
    AppendHex(v, out_);
    out_->push_back('"');
  }
  void Value(const Uint256& v) {
    out_->push_back('"');
    out_->append(v.ToDecimal());
    out_->push_back('"');
  }
  void Value(bool v) { out_->append(v ? "true" : "false"); }
  void Value(uint8_t v) { Integer(v); }
  void Value(uint32_t v) { Integer(v); }
  void Value(uint64_t v) { Integer(v); }
  void Value(int64_t v) { Integer(v); }
  void Value(const std::string& v) { String(v); }
  void Value(std::string_view v) { String(v); }
  void Value(const ObjectiveId& v) {
    out_->push_back('"');
    out_->append(ObjectiveKindName(v.kind));
    out_->push_back('-');
    AppendHex(v.channel.span(), out_);
    out_->push_back('"');
  }
  void Value(ObjectiveStep v) {
    out_->push_back('"');
    out_->append(ObjectiveStepName(v));
    out_->push_back('"');
  }
  template <class T>
  void Value(const std::vector<T>& v) {
    out_->push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out_->push_back(',');
      Value(v[i]);
    }
    out_->push_back(']');
  }
  template <NestedStruct T>
  void Value(const T& v) {
    Object(v);
  }

 private:
  template <class I>
  void Integer(I v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out_->append(buf, r.ptr);
  }

  // Escapes '"', '\\' and control characters; other bytes (UTF-8) are copied as they are.
  void String(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_->push_back('"');
    for (char c : s) {
      unsigned char u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_->push_back('\\');
        out_->push_back(c);
      } else if (u < 0x20) {
        out_->append("\\u00");
        out_->push_back(kHex[u >> 4]);
        out_->push_back(kHex[u & 15]);
      } else {
        out_->push_back(c);
      }
    }
    out_->push_back('"');
  }

  std::string* out_;
  bool first_ = true;
};

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
