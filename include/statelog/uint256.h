// Uint256: an unsigned 256-bit integer for Nitro amounts, exact (never through double or uint64).
#ifndef STATELOG_UINT256_H_
#define STATELOG_UINT256_H_

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "statelog/status.h"

namespace statelog {

class Uint256 {
 public:
  constexpr Uint256() = default;
  constexpr Uint256(uint64_t v) : limbs_{v, 0, 0, 0} {}  // NOLINT: implicit from small values

  // Returns 2^256 - 1.
  static Uint256 Max();
  // Parses a decimal string of 1 to 78 digits without sign, spaces or leading zeros ("0" is
  // allowed). Values above 2^256-1 are OutOfRange.
  static StatusOr<Uint256> FromDecimal(std::string_view s);
  // Interprets 32 big-endian bytes (the ABI form).
  static Uint256 FromBigEndian(std::span<const uint8_t, 32> be);

  std::string ToDecimal() const;
  // Writes the 32-byte big-endian (ABI) form into `out`.
  void ToBigEndian(std::span<uint8_t, 32> out) const;

  bool IsZero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // Sets *out = a + b; returns false (and leaves *out unspecified) on overflow.
  static bool CheckedAdd(const Uint256& a, const Uint256& b, Uint256* out);
  // Sets *out = a - b; returns false on underflow.
  static bool CheckedSub(const Uint256& a, const Uint256& b, Uint256* out);

  friend bool operator==(const Uint256&, const Uint256&) = default;
  friend std::strong_ordering operator<=>(const Uint256& a, const Uint256& b) {
    for (int i = 3; i >= 0; --i) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
    }
    return std::strong_ordering::equal;
  }

 private:
  std::array<uint64_t, 4> limbs_{};  // little-endian limbs
};

}  // namespace statelog

#endif  // STATELOG_UINT256_H_
