#include "base/decimal.h"

namespace statelog {

StatusOr<uint64_t> ParseDecimal64(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty");
  uint64_t v = 0;
  bool overflow = false;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("not a decimal number");
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) overflow = true;
    v = v * 10 + digit;
  }
  if (overflow) return Status::OutOfRange("exceeds 2^64-1");
  return v;
}

}  // namespace statelog
