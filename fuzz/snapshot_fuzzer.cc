// Fuzzes the snapshot decoder (DecodeNodeView, docs/snapshot-format.md). It must never crash or
// read out of bounds, every error must say something, and a view it accepts must encode to bytes
// that decode to the same view. The first byte picks the input's role:
//   0: the rest is a whole snapshot (magic, format, checksum and all, or format 1 JSON);
//   1: the rest is a format 2 body (prefix chain and view), 2 or more: a format 3 body; the fuzzer
//   seals it with the magic, the format and a valid CRC-32C, so that mutations reach the body's
//   decoder instead of stopping at the checksum. A sealed format 3 body that decodes must
//   re-encode to the same bytes (one encoding per value); every view that decodes must re-encode
//   (as format 3) to bytes that decode to the same view.
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
  const bool current = data[0] >= 2;
  if (sealed) {
    input.assign("\x89SLSNAP\n", 8);
    input.push_back(current ? '\x03' : '\x02');
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
  if (current && encoded != input) std::abort();
  Hash256 chain_again;
  auto again = DecodeNodeView(encoded, &chain_again);
  if (!again.ok() || !(*again == *view) || chain_again != chain) std::abort();
  return 0;
}
