// Canonical JSON writer driven by VisitFields (fields.h). Internal header of the event layer,
// shared with the snapshot codec.
#ifndef STATELOG_EVENT_JSON_WRITER_H_
#define STATELOG_EVENT_JSON_WRITER_H_

#include <charconv>
#include <map>
#include <optional>
#include <string>

#include "event/fields.h"

namespace statelog::codec_internal {

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
  template <class T>
  requires HasFieldList<T>
  void Value(const T& v) { Object(v); }
  template <class E>
  requires std::is_enum_v<E>
  void Value(E v) { String(EnumName(v)); }
  template <class T>
  void Value(const std::optional<T>& v) {
    if (v) {
      Value(*v);
    } else {
      out_->append("null");
    }
  }
  // A map is an array of [key, value] pairs in key order.
  template <class K, class V>
  void Value(const std::map<K, V>& m) {
    out_->push_back('[');
    bool first = true;
    for (const auto& [k, v] : m) {
      if (!first) out_->push_back(',');
      first = false;
      out_->push_back('[');
      Value(k);
      out_->push_back(',');
      Value(v);
      out_->push_back(']');
    }
    out_->push_back(']');
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

}  // namespace statelog::codec_internal

#endif  // STATELOG_EVENT_JSON_WRITER_H_
