// Internal: what a statelog_t and a statelog_subscription_t hold, and the error reporting every
// function of the C API shares.
#ifndef STATELOG_SRC_C_HANDLE_H_
#define STATELOG_SRC_C_HANDLE_H_

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "statelog/c.h"
#include "statelog/db.h"

namespace statelog::c_api {

// Reports `status` in *errptr (when errptr is not NULL) and returns its code.
int Report(const Status& status, char** errptr);

// InvalidArgument "<function>: <what> is NULL" when `pointer` is NULL.
Status NotNull(const void* pointer, std::string_view function, std::string_view what);

// Checks an int64 argument that is STATELOG_NONE or an offset/length; sets *out to nullopt for
// STATELOG_NONE.
Status OptionalOffset(int64_t value, std::string_view function, std::string_view what,
                      std::optional<uint64_t>* out);

// Parses a secp256k1 private key `key_hex` ("0x" and 64 hex digits) into *out. The error names
// the parameter and never echoes the key: InvalidArgument "<function>: key_hex: ...".
Status PrivateKey(const char* key_hex, std::string_view function, Bytes32* out);

// Returns a copy of `s` allocated for statelog_free (NUL-terminated).
char* CopyOut(std::string_view s);

// Runs `body` (returning Status), turning an exception into Aborted: none crosses into C.
template <typename F>
int Guard(std::string_view function, char** errptr, F&& body) {
  try {
    return Report(body(), errptr);
  } catch (const std::exception& e) {
    return Report(Status::Aborted(std::string(function) + ": " + e.what()), errptr);
  }
}

}  // namespace statelog::c_api

struct statelog_t {
  // Shared with the handle's subscriptions, which may outlive statelog_close's caller's use.
  std::shared_ptr<statelog::DB> open;
};

#endif  // STATELOG_SRC_C_HANDLE_H_
