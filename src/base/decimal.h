// The one reading of a decimal 64-bit number: CLI options, HTTP parameters and path segments,
// --head lengths, checkpoint and proof sizes, go-nitro's block numbers. (Amounts, up to 2^256-1,
// are Uint256::FromDecimal's.)
#ifndef STATELOG_BASE_DECIMAL_H_
#define STATELOG_BASE_DECIMAL_H_

#include <cstdint>
#include <string_view>

#include "statelog/status.h"

namespace statelog {

// Parses ASCII digits only: no sign, no space, no "0x", at least one digit, at most 2^64-1.
// Leading zeros are accepted ("007" is 7); a format that forbids them checks that itself.
// Errors (the caller names the value): InvalidArgument "empty" or "not a decimal number";
// OutOfRange "exceeds 2^64-1".
StatusOr<uint64_t> ParseDecimal64(std::string_view text);

}  // namespace statelog

#endif  // STATELOG_BASE_DECIMAL_H_
