// Fuzzes the go-nitro JSON reader (ParseNitroSignedStateJson): it must never crash or read out of
// bounds, every error must say something, and whatever it accepts must write (ToNitroJson) to
// text that reads back to the same signed state and writes again identically.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "statelog/nitro.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace statelog::nitro;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseNitroSignedStateJson(input);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    return 0;
  }
  const std::string written = ToNitroJson(*parsed);
  auto again = ParseNitroSignedStateJson(written);
  if (!again.ok() || !(*again == *parsed)) std::abort();
  if (ToNitroJson(*again) != written) std::abort();
  return 0;
}
