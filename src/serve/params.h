// Strict parsing of an HTTP request's query parameters. Every refusal names the parameter:
// "parameter 'at': not an offset: 'x'". Unknown and repeated parameters are refused too, so a
// misspelt filter is an error rather than silently ignored.
#ifndef STATELOG_SERVE_PARAMS_H_
#define STATELOG_SERVE_PARAMS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "statelog/event.h"
#include "statelog/fold.h"

namespace statelog::serve {

// A refused parameter: its name and the whole message.
struct ParamError {
  std::string parameter;
  std::string message;
};

// The query parameters of one request. Each getter returns nullopt when the parameter is absent
// or refused; the first refusal is kept in error(). Not thread-safe (one per request).
class Params {
 public:
  explicit Params(std::vector<std::pair<std::string, std::string>> items)
      : items_(std::move(items)) {}

  // Refuses any parameter not in `allowed`, and any given twice. Returns ok().
  bool Allow(std::initializer_list<std::string_view> allowed);

  // A log offset: a plain decimal number.
  std::optional<uint64_t> Offset(std::string_view name);
  // A count from `min` to `max`.
  std::optional<uint64_t> Count(std::string_view name, uint64_t min, uint64_t max);
  std::optional<ChannelId> Channel(std::string_view name);
  std::optional<ObjectiveId> Objective(std::string_view name);
  std::optional<Address> Participant(std::string_view name);
  std::optional<EventType> Type(std::string_view name);
  std::optional<bool> Bool(std::string_view name);
  // One of `choices`.
  std::optional<std::string> Choice(std::string_view name,
                                    std::initializer_list<std::string_view> choices);

  // Records a refusal of `name` (the first one is kept). Returns false.
  bool Refuse(std::string_view name, std::string_view reason);

  bool ok() const { return !error_; }
  const std::optional<ParamError>& error() const { return error_; }

 private:
  const std::string* Get(std::string_view name) const;
  template <typename T>
  std::optional<T> Parsed(std::string_view name, StatusOr<T> (*parse)(std::string_view));

  std::vector<std::pair<std::string, std::string>> items_;
  std::optional<ParamError> error_;
};

// Parses a path segment, parameter or header value. InvalidArgument saying what it is not, e.g.
// "not an offset: 'x'" (the caller names the parameter).
StatusOr<uint64_t> ParseOffset(std::string_view text);
StatusOr<ChannelId> ParseChannelId(std::string_view text);
StatusOr<ObjectiveId> ParseObjectiveId(std::string_view text);
StatusOr<EventId> ParseEventId(std::string_view text);

// Quotes `text` for an error message: at most 64 bytes, control bytes and non-ASCII as \xNN.
std::string Quote(std::string_view text);

}  // namespace statelog::serve

#endif  // STATELOG_SERVE_PARAMS_H_
