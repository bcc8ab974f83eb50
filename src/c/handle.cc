// The C API's shared parts: codes, errors, memory.
#include "c/handle.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace statelog::c_api {

// statelog_code mirrors StatusCode value for value (Report() returns the StatusCode as is).
static_assert(STATELOG_OK == static_cast<int>(StatusCode::kOk));
static_assert(STATELOG_NOT_FOUND == static_cast<int>(StatusCode::kNotFound));
static_assert(STATELOG_CORRUPTION == static_cast<int>(StatusCode::kCorruption));
static_assert(STATELOG_INVALID_ARGUMENT == static_cast<int>(StatusCode::kInvalidArgument));
static_assert(STATELOG_IO_ERROR == static_cast<int>(StatusCode::kIOError));
static_assert(STATELOG_OUT_OF_RANGE == static_cast<int>(StatusCode::kOutOfRange));
static_assert(STATELOG_FAILED_PRECONDITION == static_cast<int>(StatusCode::kFailedPrecondition));
static_assert(STATELOG_ALREADY_EXISTS == static_cast<int>(StatusCode::kAlreadyExists));
static_assert(STATELOG_BUSY == static_cast<int>(StatusCode::kBusy));
static_assert(STATELOG_NOT_SUPPORTED == static_cast<int>(StatusCode::kNotSupported));
static_assert(STATELOG_ABORTED == static_cast<int>(StatusCode::kAborted));
static_assert(STATELOG_CONFLICT == static_cast<int>(StatusCode::kConflict));
static_assert(STATELOG_NO_SPACE == static_cast<int>(StatusCode::kNoSpace));
// The last code: a StatusCode added after it must be added to statelog/c.h (and here).
constexpr StatusCode kLastCode = StatusCode::kNoSpace;

int Report(const Status& status, char** errptr) {
  if (!status.ok() && errptr != nullptr) {
    std::free(*errptr);
    *errptr = CopyOut(status.ToString());
  }
  return static_cast<int>(status.code());
}

Status NotNull(const void* pointer, std::string_view function, std::string_view what) {
  if (pointer != nullptr) return Status::OK();
  return Status::InvalidArgument(std::string(function) + ": " + std::string(what) + " is NULL");
}

Status OptionalOffset(int64_t value, std::string_view function, std::string_view what,
                      std::optional<uint64_t>* out) {
  if (value == STATELOG_NONE) {
    *out = std::nullopt;
    return Status::OK();
  }
  if (value < 0) {
    return Status::InvalidArgument(std::string(function) + ": " + std::string(what) + " is " +
                                   std::to_string(value) + ", not STATELOG_NONE or >= 0");
  }
  *out = static_cast<uint64_t>(value);
  return Status::OK();
}

Status PrivateKey(const char* key_hex, std::string_view function, Bytes32* out) {
  STATELOG_RETURN_IF_ERROR(NotNull(key_hex, function, "key_hex"));
  StatusOr<Bytes32> key = Bytes32::FromHex(key_hex);
  if (!key.ok()) {
    // Never echoes the key: the message names only what is wrong with it.
    return Status::InvalidArgument(std::string(function) + ": key_hex: not 0x and 64 hex digits");
  }
  *out = *key;
  return Status::OK();
}

char* CopyOut(std::string_view s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

}  // namespace statelog::c_api

extern "C" {

const char* statelog_version(void) { return STATELOG_VERSION_STRING; }

const char* statelog_code_name(int code) {
  if (code < 0 || code > static_cast<int>(statelog::c_api::kLastCode)) return "Unknown";
  // StatusCodeName returns views of string literals: NUL-terminated.
  return statelog::StatusCodeName(static_cast<statelog::StatusCode>(code)).data();
}

void statelog_free(void* ptr) { std::free(ptr); }

}  // extern "C"
