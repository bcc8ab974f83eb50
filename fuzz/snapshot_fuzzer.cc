// Fuzzes the snapshot decoder (DecodeNodeView, docs/snapshot-format.md). It must never crash or
// read out of bounds, every error must say something, and a view it accepts must encode to bytes
// that decode to the same view. The first byte picks the input's role:
//   0: the rest is a whole snapshot (magic, format, checksum and all, or format 1 JSON);
//   otherwise: the rest is a format 2 body (prefix chain and view) that the fuzzer seals with the
//   magic, the format and a valid CRC-32C, so that mutations reach the body's decoder instead of
//   stopping at the checksum. A sealed body that decodes must re-encode to the same bytes (one
//   encoding per value).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/crc32c.h"
#include "statelog/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace statelog;
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string input;
  const bool sealed = data[0] != 0;
  if (sealed) {
    input.assign("\x89SLSNAP\n\x02", 9);
    input.append(rest);
    uint32_t crc = Crc32c(input);
    for (int i = 0; i < 4; ++i) input.push_back(static_cast<char>(crc >> (8 * i)));
  } else {
    input.assign(rest);
  }
  Hash256 chain;
  auto view = DecodeNodeView(input, &chain);
  if (!view.ok()) {
    if (view.status().message().empty()) std::abort();
    return 0;
  }
  const std::string encoded = EncodeNodeView(*view, chain);
  if (sealed && encoded != input) std::abort();
  Hash256 chain_again;
  auto again = DecodeNodeView(encoded, &chain_again);
  if (!again.ok() || !(*again == *view) || chain_again != chain) std::abort();
  return 0;
}
