#include "statelog/status.h"

namespace statelog {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kCorruption:
      return "Corruption";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kIOError:
      return "IOError";
    case StatusCode::kOutOfRange:
      return "OutOfRange";
    case StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kBusy:
      return "Busy";
    case StatusCode::kNotSupported:
      return "NotSupported";
    case StatusCode::kAborted:
      return "Aborted";
    case StatusCode::kConflict:
      return "Conflict";
    case StatusCode::kNoSpace:
      return "NoSpace";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string_view message) {
  if (code != StatusCode::kOk) {
    rep_ = std::make_shared<Rep>(Rep{code, std::string(message), std::nullopt, false});
  }
}

Status::Status(StatusCode code, std::string_view message, std::optional<uint64_t> index,
               bool unreachable) {
  if (code != StatusCode::kOk) {
    rep_ = std::make_shared<Rep>(Rep{code, std::string(message), index, unreachable});
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  return out;
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  std::string msg(prefix);
  msg += ": ";
  msg += rep_->message;
  return Status(rep_->code, msg, rep_->index, rep_->unreachable);
}

Status Status::WithIndex(uint64_t index, std::string_view prefix) const {
  if (ok()) return *this;
  if (prefix.empty()) return Status(rep_->code, rep_->message, index, rep_->unreachable);
  std::string msg(prefix);
  msg += ": ";
  msg += rep_->message;
  return Status(rep_->code, msg, index, rep_->unreachable);
}

Status Status::AsUnreachable() const {
  if (ok()) return *this;
  return Status(rep_->code, rep_->message, rep_->index, true);
}

}  // namespace statelog
