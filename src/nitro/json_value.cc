#include "nitro/json_value.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace statelog::nitro::json {
namespace {

// Builds a Value tree from SAX events. Numbers arrive as raw text (kParseNumbersAsStringsFlag).
class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
 public:
  bool Null() { return Add(Value{}) != nullptr; }
  bool Bool(bool b) {
    Value v;
    v.kind = Kind::kBool;
    v.boolean = b;
    return Add(std::move(v)) != nullptr;
  }
  bool RawNumber(const char* str, rapidjson::SizeType length, bool /*copy*/) {
    return AddText(Kind::kNumber, str, length);
  }
  bool String(const char* str, rapidjson::SizeType length, bool /*copy*/) {
    return AddText(Kind::kString, str, length);
  }
  bool Key(const char* str, rapidjson::SizeType length, bool /*copy*/) {
    key_.assign(str, length);
    return true;
  }
  bool StartObject() { return Open(Kind::kObject); }
  bool EndObject(rapidjson::SizeType /*count*/) { return Close(); }
  bool StartArray() { return Open(Kind::kArray); }
  bool EndArray(rapidjson::SizeType /*count*/) { return Close(); }

  bool too_deep() const { return too_deep_; }
  // Returns the path of the value being parsed, e.g. "State.Outcome[0].Allocations[1].Amount".
  std::string CurrentPath() const {
    std::string path;
    for (size_t i = 0; i < stack_.size(); ++i) {
      const Value* v = stack_[i];
      bool innermost = i + 1 == stack_.size();
      if (v->kind == Kind::kArray) {
        size_t index = innermost ? v->items.size() : v->items.size() - 1;
        path += "[" + std::to_string(index) + "]";
      } else {
        const std::string& key = innermost ? key_ : v->members.back().key;
        if (key.empty()) continue;  // between members: no key read yet
        if (!path.empty()) path += ".";
        path += key;
      }
    }
    return path;
  }
  Value& root() { return root_; }

 private:
  bool AddText(Kind kind, const char* str, rapidjson::SizeType length) {
    Value v;
    v.kind = kind;
    v.text.assign(str, length);
    return Add(std::move(v)) != nullptr;
  }
  // Adds `v` to the innermost open container (or as the root) and returns where it now lives.
  // Only the innermost container grows, so the pointers held in stack_ (its ancestors) stay valid.
  Value* Add(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Value* parent = stack_.back();
    if (parent->kind == Kind::kArray) {
      parent->items.push_back(std::move(v));
      return &parent->items.back();
    }
    parent->members.push_back(Member{std::move(key_), std::move(v)});
    return &parent->members.back().value;
  }
  bool Open(Kind kind) {
    if (static_cast<int>(stack_.size()) >= kMaxDepth) {
      too_deep_ = true;
      return false;
    }
    Value v;
    v.kind = kind;
    stack_.push_back(Add(std::move(v)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  Value root_;
  std::vector<Value*> stack_;
  std::string key_;
  bool too_deep_ = false;
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
  // RapidJSON's memory stream reads '\0' as the end of input; reject it so nothing hides behind.
  if (size_t nul = json.find('\0'); nul != std::string_view::npos) {
    return Status::InvalidArgument("JSON: NUL byte at offset " + std::to_string(nul));
  }
  rapidjson::MemoryStream ms(json.data(), json.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
  rapidjson::Reader reader;
  Builder builder;
  constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseIterativeFlag;
  rapidjson::ParseResult result = reader.Parse<kFlags>(is, builder);
  if (!result) {
    std::string path = builder.CurrentPath();
    if (result.Code() == rapidjson::kParseErrorNumberTooBig && !path.empty()) {
      // RapidJSON gives up on numbers beyond double's range even when it keeps them as text.
      return Status::InvalidArgument(path + ": number exceeds 2^256-1");
    }
    std::string what = builder.too_deep()
                           ? "nesting deeper than " + std::to_string(kMaxDepth) + " levels"
                           : std::string(rapidjson::GetParseError_En(result.Code()));
    std::string where = "at offset " + std::to_string(result.Offset());
    if (!path.empty()) where += ", in " + path;
    return Status::InvalidArgument("JSON: " + what + " (" + where + ")");
  }
  return std::move(builder.root());
}

}  // namespace statelog::nitro::json
