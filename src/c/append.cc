// statelog_append and statelog_append_batch: decode (completing a missing id), then the Ledger's
// checked append; statelog_complete_event: the decoding alone.
#include <string>
#include <string_view>
#include <vector>

#include "c/handle.h"
#include "statelog/codec.h"

namespace statelog::c_api {
namespace {

// Events from C may omit "id": the library computes it (statelog/c.h). One given is checked.
constexpr DecodeOptions kClientEvent{.complete_id = true};

// Decodes the non-blank lines of `jsonl` into *events and their 1-based line numbers.
Status DecodeLines(std::string_view jsonl, std::vector<Event>* events, std::vector<size_t>* lines) {
  EventDecoder decoder;
  size_t number = 0;
  while (!jsonl.empty()) {
    ++number;
    const size_t end = jsonl.find('\n');
    std::string_view line = jsonl.substr(0, end);
    jsonl = end == std::string_view::npos ? std::string_view() : jsonl.substr(end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Event event;
    Status st = decoder.Decode(line, &event, kClientEvent);
    if (!st.ok()) return st.WithPrefix("line " + std::to_string(number));
    events->push_back(std::move(event));
    lines->push_back(number);
  }
  return Status::OK();
}

// Reports the results of an append: the first offset and how many events were new.
void Results(const std::vector<AppendResult>& results, uint64_t* offset, uint64_t* appended) {
  uint64_t fresh = 0;
  for (const AppendResult& r : results) fresh += r.appended ? 1 : 0;
  if (offset != nullptr) *offset = results.front().offset;
  if (appended != nullptr) *appended = fresh;
}

// The common part of both functions: arguments, expectation, append.
Status Append(std::string_view function, statelog_t* db, const char* json, size_t len,
              int64_t expected_length, bool batch, uint64_t* offset, uint64_t* appended) {
  STATELOG_RETURN_IF_ERROR(NotNull(db, function, "db"));
  STATELOG_RETURN_IF_ERROR(NotNull(json, function, batch ? "jsonl" : "json"));
  AppendOptions options;
  STATELOG_RETURN_IF_ERROR(
      OptionalOffset(expected_length, function, "expected_length", &options.expected_length));
  const std::string_view input(json, len);
  DB& opened = *db->open;
  if (!batch) {
    STATELOG_ASSIGN_OR_RETURN(Event event, DecodeEvent(input, kClientEvent));
    STATELOG_ASSIGN_OR_RETURN(AppendResult result, opened.Append(event, options));
    Results({result}, offset, appended);
    return Status::OK();
  }
  std::vector<Event> events;
  std::vector<size_t> lines;
  STATELOG_RETURN_IF_ERROR(DecodeLines(input, &events, &lines));
  if (events.empty()) return Status::InvalidArgument(std::string(function) + ": no event in jsonl");
  auto results = opened.AppendBatch(events, options);
  if (!results.ok()) {
    const Status& st = results.status();
    if (!st.index() || *st.index() >= lines.size()) return st;
    return st.WithPrefix("line " + std::to_string(lines[*st.index()]));
  }
  Results(*results, offset, appended);
  return Status::OK();
}

// The canonical encoding of the event `json`, its id completed or checked.
Status CompleteEvent(const char* json, size_t len, char** out, size_t* out_len) {
  constexpr std::string_view kFunction = "statelog_complete_event";
  STATELOG_RETURN_IF_ERROR(NotNull(json, kFunction, "json"));
  STATELOG_RETURN_IF_ERROR(NotNull(out, kFunction, "out"));
  STATELOG_ASSIGN_OR_RETURN(Event event, DecodeEvent(std::string_view(json, len), kClientEvent));
  const std::string canonical = EncodeEvent(event);
  *out = CopyOut(canonical);
  if (out_len != nullptr) *out_len = canonical.size();
  return Status::OK();
}

}  // namespace
}  // namespace statelog::c_api

extern "C" {

int statelog_append(statelog_t* db, const char* json, size_t len, int64_t expected_length,
                    uint64_t* offset, uint64_t* appended, char** errptr) {
  constexpr std::string_view kFunction = "statelog_append";
  return statelog::c_api::Guard(kFunction, errptr, [&] {
    return statelog::c_api::Append(kFunction, db, json, len, expected_length, false, offset,
                                   appended);
  });
}

int statelog_append_batch(statelog_t* db, const char* jsonl, size_t len, int64_t expected_length,
                          uint64_t* offset, uint64_t* appended, char** errptr) {
  constexpr std::string_view kFunction = "statelog_append_batch";
  return statelog::c_api::Guard(kFunction, errptr, [&] {
    return statelog::c_api::Append(kFunction, db, jsonl, len, expected_length, true, offset,
                                   appended);
  });
}

int statelog_complete_event(const char* json, size_t len, char** out, size_t* out_len,
                            char** errptr) {
  return statelog::c_api::Guard("statelog_complete_event", errptr, [&] {
    return statelog::c_api::CompleteEvent(json, len, out, out_len);
  });
}

}  // extern "C"
