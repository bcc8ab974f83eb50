// Status and StatusOr<T>: statelog's errors as values.
//
// A Status is OK or carries a code and a message that says what is wrong and where (an offset,
// a line, a field path). OK costs one pointer compare. Both types are [[nodiscard]]: an ignored
// error is a compile warning (an error under -Werror).
//
// Thread safety: distinct objects may be used from distinct threads; a const object may be shared.
#ifndef STATELOG_STATUS_H_
#define STATELOG_STATUS_H_

#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace statelog {

enum class StatusCode : int {
  kOk = 0,
  kNotFound = 1,
  kCorruption = 2,
  kInvalidArgument = 3,
  kIOError = 4,
  kOutOfRange = 5,
  kFailedPrecondition = 6,  // the operation is illegal in the current state (domain rules)
  kAlreadyExists = 7,
  kBusy = 8,  // a resource is held by someone else (e.g. a store locked by another process)
  kNotSupported = 9,
  kAborted = 10,  // the object is no longer usable (e.g. after a fatal I/O error)
  // An append's expectation (the log's length or a stream's version, statelog/log.h) did not
  // hold: someone else appended first. Nothing was written; re-read and decide again.
  kConflict = 11,
  // The file system is full, or has less free space than the store's reserve (e.g.
  // RocksDbOptions::disk_reserve_bytes). Nothing was written; retry once space is freed.
  kNoSpace = 12,
};

// Returns the name of `code`, e.g. "InvalidArgument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // Creates an OK status.
  Status() noexcept = default;
  Status(StatusCode code, std::string_view message);

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return {StatusCode::kNotFound, msg}; }
  static Status Corruption(std::string_view msg) { return {StatusCode::kCorruption, msg}; }
  static Status InvalidArgument(std::string_view msg) {
    return {StatusCode::kInvalidArgument, msg};
  }
  static Status IOError(std::string_view msg) { return {StatusCode::kIOError, msg}; }
  static Status OutOfRange(std::string_view msg) { return {StatusCode::kOutOfRange, msg}; }
  static Status FailedPrecondition(std::string_view msg) {
    return {StatusCode::kFailedPrecondition, msg};
  }
  static Status AlreadyExists(std::string_view msg) { return {StatusCode::kAlreadyExists, msg}; }
  static Status Busy(std::string_view msg) { return {StatusCode::kBusy, msg}; }
  static Status NotSupported(std::string_view msg) { return {StatusCode::kNotSupported, msg}; }
  static Status Aborted(std::string_view msg) { return {StatusCode::kAborted, msg}; }
  static Status Conflict(std::string_view msg) { return {StatusCode::kConflict, msg}; }
  static Status NoSpace(std::string_view msg) { return {StatusCode::kNoSpace, msg}; }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // Returns the message without the code name; empty when OK.
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }
  // Returns "OK" or "<CodeName>: <message>".
  std::string ToString() const;

  // Returns a status with the same code and "<prefix>: <message>" as its message. OK stays OK.
  // The index (below) is kept.
  Status WithPrefix(std::string_view prefix) const;

  // The position of the failing item in a batch the operation was given (e.g. the event of an
  // AppendBatch that was refused), as data: callers never parse it out of the message.
  std::optional<uint64_t> index() const { return rep_ ? rep_->index : std::nullopt; }
  // Returns this status with index() set to `index` and the message prefixed by `prefix` (when
  // not empty). OK stays OK.
  Status WithIndex(uint64_t index, std::string_view prefix = "") const;

  // True when the operation failed because the store could not be reached (a database server
  // down, restarting or failing over), as data beside the code: the same call can succeed once
  // the store is back. Subscriptions retry such reads (SubscribeOptions). Kept by WithPrefix and
  // WithIndex.
  bool unreachable() const { return rep_ != nullptr && rep_->unreachable; }
  // Returns this status with unreachable() true. OK stays OK.
  Status AsUnreachable() const;

  bool IsNotFound() const { return code() == StatusCode::kNotFound; }
  bool IsCorruption() const { return code() == StatusCode::kCorruption; }
  bool IsInvalidArgument() const { return code() == StatusCode::kInvalidArgument; }
  bool IsOutOfRange() const { return code() == StatusCode::kOutOfRange; }
  bool IsConflict() const { return code() == StatusCode::kConflict; }
  bool IsNoSpace() const { return code() == StatusCode::kNoSpace; }

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::optional<uint64_t> index;
    bool unreachable = false;
  };
  Status(StatusCode code, std::string_view message, std::optional<uint64_t> index,
         bool unreachable);
  std::shared_ptr<const Rep> rep_;  // null when OK; shared so that copies are cheap
};

// StatusOr<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // REQUIRES: !status.ok(). An OK status without a value becomes an internal error.
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<0>(v_).ok()) v_ = Status(StatusCode::kAborted, "StatusOr built from OK Status");
  }
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 1; }
  // Returns OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<0>(v_); }

  // REQUIRES: ok().
  T& value() & { return std::get<1>(v_); }
  const T& value() const& { return std::get<1>(v_); }
  // By value: `for (auto& x : F().value())` must not refer into a destroyed temporary.
  T value() && { return std::get<1>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace statelog

// Evaluates `expr` (a Status) and returns it from the enclosing function when it is not OK.
#define STATELOG_RETURN_IF_ERROR(expr) \
  do {                                 \
    ::statelog::Status _st = (expr);   \
    if (!_st.ok()) return _st;         \
  } while (0)

#define STATELOG_CONCAT_INNER_(a, b) a##b
#define STATELOG_CONCAT_(a, b) STATELOG_CONCAT_INNER_(a, b)
// Declares `lhs` from a StatusOr expression, or returns its error from the enclosing function.
#define STATELOG_ASSIGN_OR_RETURN(lhs, expr) \
  STATELOG_ASSIGN_OR_RETURN_IMPL_(STATELOG_CONCAT_(_statusor_, __LINE__), lhs, expr)
#define STATELOG_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

#endif  // STATELOG_STATUS_H_
