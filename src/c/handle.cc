// The C API's shared parts: codes, errors, memory.
#include "c/handle.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace statelog::c_api {

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
  if (code < 0 || code > static_cast<int>(statelog::StatusCode::kConflict)) return "Unknown";
  // StatusCodeName returns views of string literals: NUL-terminated.
  return statelog::StatusCodeName(static_cast<statelog::StatusCode>(code)).data();
}

void statelog_free(void* ptr) { std::free(ptr); }

}  // extern "C"
