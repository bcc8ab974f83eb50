// Fuzzes DecodeEvent: it must never crash or read out of bounds, and whatever it accepts must
// re-encode to bytes that decode to the same event (canonical round trip).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "statelog/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool verify : {true, false}) {
    auto event = statelog::DecodeEvent(input, statelog::DecodeOptions{.verify_id = verify});
    if (!event.ok()) {
      if (event.status().message().empty()) std::abort();  // every error must say something
      continue;
    }
    std::string canonical = statelog::EncodeEvent(*event);
    auto again = statelog::DecodeEvent(canonical, statelog::DecodeOptions{.verify_id = verify});
    if (!again.ok() || !(*again == *event)) std::abort();
    if (statelog::EncodeEvent(*again) != canonical) std::abort();
  }
  return 0;
}
