// JSON output of the HTTP API, on the event layer's canonical writer (event/json_writer.h): the
// same escaping and value forms as the log's events (hex byte strings, decimal uint256 strings).
#ifndef STATELOG_SERVE_JSON_H_
#define STATELOG_SERVE_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "event/json_writer.h"

namespace statelog::serve {

// Streams one JSON text: objects and arrays with separators placed automatically.
//   JsonOut j; j.BeginObject(); j.Field("length", n); j.EndObject(); j.str();
class JsonOut {
 public:
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // Writes `"key":`; the next value follows it.
  void Key(std::string_view key);
  template <class T>
  void Value(const T& v) {
    Separate();
    codec_internal::Writer(&out_).Value(v);
  }
  void Value(const char* v) { Value(std::string_view(v)); }
  void Null();
  // Writes `json`, which must be one valid JSON value.
  void Raw(std::string_view json);
  template <class T>
  void Field(std::string_view key, const T& v) {
    Key(key);
    Value(v);
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Open(char c);
  void Close(char c);
  void Separate();

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace statelog::serve

#endif  // STATELOG_SERVE_JSON_H_
