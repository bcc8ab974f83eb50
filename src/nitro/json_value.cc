#include "nitro/json_value.h"

#include <simdjson.h>

#include "event/json_writer.h"

namespace statelog::nitro::json {
namespace {

namespace od = simdjson::ondemand;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True when `t` is a JSON number (RFC 8259 section 6): no leading zero, no '+', digits after a
// '.' and after an exponent. simdjson is not asked to convert numbers (they are kept as text), so
// their grammar is checked here.
bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    return i > from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

// Builds a Value tree from simdjson's On-Demand walk of the document, keeping numbers as their
// source text. Errors name the byte offset where the value being read starts and its path, e.g.
// "State.Outcome[0].Allocations[1].Amount".
class Builder {
 public:
  explicit Builder(const char* base) : base_(base) {}

  Status Document(od::document& doc, Value* out) {
    bool scalar = false;
    if (auto e = doc.is_scalar().get(scalar); e) return Fail(e, doc.current_location());
    if (scalar) return Scalar(doc, out);
    od::value root;
    if (auto e = doc.get_value().get(root); e) return Fail(e, doc.current_location());
    STATELOG_RETURN_IF_ERROR(Walk(root, out, 0));
    // Once the root is read the document must be at its end.
    if (const char* rest = Location(doc.current_location()); rest != nullptr) {
      return Fail("trailing content after the document", rest);
    }
    return Status::OK();
  }

 private:
  // A value of the document (an object's member or an array's item, or its root).
  Status Walk(od::value v, Value* out, int depth) {
    const char* at = Location(v.current_location());
    od::json_type type;
    if (auto e = v.type().get(type); e) return Fail(e, at);
    switch (type) {
      case od::json_type::object:
      case od::json_type::array:
        if (depth >= kMaxDepth) {
          return Fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels", at);
        }
        return type == od::json_type::object ? Object(v, out, depth) : Array(v, out, depth);
      default:
        return Scalar(v, out);
    }
  }

  Status Object(od::value v, Value* out, int depth) {
    out->kind = Kind::kObject;
    od::object object;
    const char* at = Location(v.current_location());
    if (auto e = v.get_object().get(object); e) return Fail(e, at);
    for (auto field : object) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key); e) return Fail(e, at);
      out->members.push_back(Member{std::string(key), Value{}});
      path_.push_back(std::string(key));
      od::value member;
      if (auto e = field.value().get(member); e) return Fail(e, at);
      STATELOG_RETURN_IF_ERROR(Walk(member, &out->members.back().value, depth + 1));
      path_.pop_back();
    }
    return Status::OK();
  }

  Status Array(od::value v, Value* out, int depth) {
    out->kind = Kind::kArray;
    od::array array;
    const char* at = Location(v.current_location());
    if (auto e = v.get_array().get(array); e) return Fail(e, at);
    for (auto element : array) {
      od::value item;
      std::string index(1, '[');  // (not "[" + ...: GCC 12 warns falsely on that, -Wrestrict)
      index += std::to_string(out->items.size());
      index += ']';
      path_.push_back(std::move(index));
      if (auto e = element.get(item); e) return Fail(e, at);
      out->items.emplace_back();
      STATELOG_RETURN_IF_ERROR(Walk(item, &out->items.back(), depth + 1));
      path_.pop_back();
    }
    return Status::OK();
  }

  // A number, string, boolean or null: `v` is a value or a scalar document.
  template <typename V>
  Status Scalar(V& v, Value* out) {
    const char* at = Location(v.current_location());
    od::json_type type;
    if (auto e = v.type().get(type); e) return Fail(e, at);
    switch (type) {
      case od::json_type::number: {
        std::string_view raw;
        if (auto e = Raw(v.raw_json_token(), &raw); e) return Fail(e, at);
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' ||
                                raw.back() == '\r')) {
          raw.remove_suffix(1);
        }
        if (!IsJsonNumber(raw)) return Fail("invalid number '" + std::string(raw) + "'", at);
        out->kind = Kind::kNumber;
        out->text.assign(raw);
        return Status::OK();
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s); e) return Fail(e, at);
        out->kind = Kind::kString;
        out->text.assign(s);
        return Status::OK();
      }
      case od::json_type::boolean: {
        bool b = false;
        if (v.get_bool().get(b)) return Fail("invalid value", at);  // e.g. "tru"
        out->kind = Kind::kBool;
        out->boolean = b;
        return Status::OK();
      }
      case od::json_type::null: {
        bool null = false;
        if (v.is_null().get(null) || !null) return Fail("invalid value", at);  // e.g. "nul"
        out->kind = Kind::kNull;
        return Status::OK();
      }
      default:
        return Fail("invalid value", at);
    }
  }

  // The location simdjson reports, or nullptr when it has none.
  static const char* Location(simdjson::simdjson_result<const char*> location) {
    const char* at = nullptr;
    return std::move(location).get(at) ? nullptr : at;
  }
  // A number's token: a value's is a string_view, a scalar document's a result.
  static simdjson::error_code Raw(std::string_view token, std::string_view* out) {
    *out = token;
    return simdjson::SUCCESS;
  }
  static simdjson::error_code Raw(simdjson::simdjson_result<std::string_view> token,
                                  std::string_view* out) {
    return std::move(token).get(*out);
  }
  template <typename L>
  Status Fail(simdjson::error_code e, L location) {
    return Fail(What(e), Locate(location));
  }
  Status Fail(const std::string& what, const char* at) {
    std::string where;
    if (at != nullptr) where = "at offset " + std::to_string(at - base_);
    std::string path = Path();
    if (!path.empty()) where += (where.empty() ? "in " : ", in ") + path;
    return Status::InvalidArgument("JSON: " + what + (where.empty() ? "" : " (" + where + ")"));
  }
  template <typename L>
  Status Fail(const std::string& what, L location) {
    return Fail(what, Locate(location));
  }
  static const char* Locate(const char* at) { return at; }
  static const char* Locate(simdjson::simdjson_result<const char*> location) {
    return Location(std::move(location));
  }

  static std::string What(simdjson::error_code e) { return simdjson::error_message(e); }

  std::string Path() const {
    std::string path;
    for (const std::string& part : path_) {
      if (!part.empty() && part[0] == '[') {
        path += part;
      } else {
        if (!path.empty()) path += ".";
        path += part;
      }
    }
    return path;
  }

  const char* base_;
  std::vector<std::string> path_;
};

}  // namespace

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "a boolean";
    case Kind::kNumber:
      return "a number";
    case Kind::kString:
      return "a string";
    case Kind::kArray:
      return "an array";
    case Kind::kObject:
      return "an object";
  }
  return "?";
}

StatusOr<Value> Parse(std::string_view json) {
  // A NUL byte is no JSON; named here rather than as simdjson's generic error.
  if (size_t nul = json.find('\0'); nul != std::string_view::npos) {
    return Status::InvalidArgument("JSON: NUL byte at offset " + std::to_string(nul));
  }
  simdjson::padded_string padded(json);
  od::parser parser;
  od::document doc;
  Builder builder(padded.data());
  if (auto e = parser.iterate(padded).get(doc); e) {
    return Status::InvalidArgument("JSON: " + std::string(simdjson::error_message(e)));
  }
  Value root;
  STATELOG_RETURN_IF_ERROR(builder.Document(doc, &root));
  return root;
}

namespace {

// Strings as the event codec writes them: only '"', '\\' and control characters escaped.
void AppendString(std::string_view text, std::string* out) {
  codec_internal::Writer(out).Value(text);
}

void AppendValue(const Value& v, std::string* out) {
  switch (v.kind) {
    case Kind::kNull:
      out->append("null");
      return;
    case Kind::kBool:
      out->append(v.boolean ? "true" : "false");
      return;
    case Kind::kNumber:
      out->append(v.text);
      return;
    case Kind::kString:
      AppendString(v.text, out);
      return;
    case Kind::kArray:
      out->push_back('[');
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out->push_back(',');
        AppendValue(v.items[i], out);
      }
      out->push_back(']');
      return;
    case Kind::kObject:
      out->push_back('{');
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i) out->push_back(',');
        AppendString(v.members[i].key, out);
        out->push_back(':');
        AppendValue(v.members[i].value, out);
      }
      out->push_back('}');
      return;
  }
}

}  // namespace

std::string Write(const Value& v) {
  std::string out;
  AppendValue(v, &out);
  return out;
}

}  // namespace statelog::nitro::json
