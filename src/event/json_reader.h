// Strict JSON reader driven by VisitFields (fields.h), on simdjson's On-Demand API. Internal
// header of the event layer, shared with the snapshot codec. Errors name the field path.
#ifndef STATELOG_EVENT_JSON_READER_H_
#define STATELOG_EVENT_JSON_READER_H_

#include <simdjson.h>

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "event/fields.h"
#include "statelog/status.h"

namespace statelog::codec_internal {

namespace sj = simdjson::ondemand;

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
  template <class E>
  requires std::is_enum_v<E> Status Value(sj::value& v, E& out) {
    std::string_view s;
    if (auto err = v.get_string().get(s)) return JsonError(err, "a name string");
    Status st = ParseEnum(s, &out);
    return st.ok() ? st : Error(st.message());
  }
  template <class T>
  Status Value(sj::value& v, std::optional<T>& out) {
    bool is_null = false;
    if (auto err = v.is_null().get(is_null)) return JsonError(err);
    if (is_null) {
      out.reset();
      return Status::OK();
    }
    out.emplace();
    return Value(v, *out);
  }
  // A map is an array of [key, value] pairs with strictly increasing keys.
  template <class K, class V>
  Status Value(sj::value& v, std::map<K, V>& out) {
    sj::array arr;
    if (auto err = v.get_array().get(arr)) return JsonError(err, "an array of [key, value]");
    out.clear();
    size_t i = 0;
    for (auto element : arr) {
      PushIndex(i++);
      sj::array pair;
      if (auto err = element.get_array().get(pair)) return JsonError(err, "a [key, value] pair");
      K key{};
      V value{};
      int n = 0;
      for (auto item : pair) {
        sj::value iv;
        if (auto err = item.get(iv)) return JsonError(err);
        if (n == 0) {
          STATELOG_RETURN_IF_ERROR(Value(iv, key));
        } else if (n == 1) {
          STATELOG_RETURN_IF_ERROR(Value(iv, value));
        }
        ++n;
      }
      if (n != 2) return Error("expected a [key, value] pair, got " + std::to_string(n) + " items");
      if (!out.empty() && !(out.rbegin()->first < key)) return Error("keys out of order");
      out.emplace_hint(out.end(), std::move(key), std::move(value));
      Pop();
    }
    return Status::OK();
  }
  template <class T>
  requires HasFieldList<T> Status Value(sj::value& v, T& out) { return StructValue(v, out); }
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
    return StructValue(v, out);
  }
  template <class T>
  Status StructValue(sj::value& v, T& out) {
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

  std::string Path() const { return JoinPath(path_); }

  std::vector<PathElem> path_;
  sj::document* doc_ = nullptr;
  const char* base_ = nullptr;
};

}  // namespace statelog::codec_internal

#endif  // STATELOG_EVENT_JSON_READER_H_
