// Internal: a small JSON tree that keeps numbers as their exact source text, so that amounts of
// any size (uint256) never pass through double or uint64. Built from simdjson's On-Demand walk of
// the document (the JSON parser statelog uses everywhere; docs/adr/0007-dependencies.md).
#ifndef STATELOG_SRC_NITRO_JSON_VALUE_H_
#define STATELOG_SRC_NITRO_JSON_VALUE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "statelog/status.h"

namespace statelog::nitro::json {

enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

// Returns "null", "a boolean", "a number", "a string", "an array" or "an object".
std::string_view KindName(Kind kind);

struct Member;

struct Value {
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;          // a string's contents, or a number's token as written ("5", "-1.5e3")
  std::vector<Value> items;  // kArray
  std::vector<Member> members;  // kObject, in document order
};

// One member of an object. (A struct, not std::pair: a vector of an incomplete pair does not
// compile with clang and libstdc++.)
struct Member {
  std::string key;
  Value value;
};

// Maximum nesting of arrays and objects accepted by Parse (a go-nitro state needs 5).
inline constexpr int kMaxDepth = 32;

// Parses one JSON document (UTF-8; whitespace around it allowed, nothing else). InvalidArgument
// naming the byte offset and the problem otherwise.
StatusOr<Value> Parse(std::string_view json);

// Returns compact JSON for `v`: members in their order, numbers as their source text, strings
// with only '"', '\\' and control characters escaped. Parse(Write(v)) gives `v` back.
std::string Write(const Value& v);

}  // namespace statelog::nitro::json

#endif  // STATELOG_SRC_NITRO_JSON_VALUE_H_
