#include "statelog/uint256.h"

#include <algorithm>
#include <charconv>

namespace statelog {
namespace {
__extension__ typedef unsigned __int128 u128;
}  // namespace

Uint256 Uint256::Max() {
  Uint256 v;
  v.limbs_ = {~0ULL, ~0ULL, ~0ULL, ~0ULL};
  return v;
}

StatusOr<Uint256> Uint256::FromDecimal(std::string_view s) {
  if (s.empty()) return Status::InvalidArgument("empty number");
  if (s.size() > 1 && s[0] == '0') return Status::InvalidArgument("number has a leading zero");
  if (s.size() > 78) return Status::OutOfRange("number exceeds 2^256-1");
  Uint256 v;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("bad decimal digit at position " + std::to_string(i));
    }
    // v = v * 10 + digit, detecting overflow out of the top limb.
    u128 carry = static_cast<u128>(c - '0');
    for (auto& limb : v.limbs_) {
      u128 t = static_cast<u128>(limb) * 10 + carry;
      limb = static_cast<uint64_t>(t);
      carry = t >> 64;
    }
    if (carry != 0) return Status::OutOfRange("number exceeds 2^256-1");
  }
  return v;
}

std::string Uint256::ToDecimal() const {
  if ((limbs_[1] | limbs_[2] | limbs_[3]) == 0) {  // most amounts fit in one limb
    char digits[20];
    return std::string(digits, std::to_chars(digits, digits + sizeof digits, limbs_[0]).ptr);
  }
  std::array<uint64_t, 4> n = limbs_;
  std::string out;
  auto nonzero = [&n] { return (n[0] | n[1] | n[2] | n[3]) != 0; };
  while (nonzero()) {
    // Divide by 10^19 (fits in uint64) and emit 19 digits at a time.
    constexpr uint64_t kChunk = 10000000000000000000ULL;
    u128 rem = 0;
    for (int i = 3; i >= 0; --i) {
      u128 cur = (rem << 64) | n[i];
      n[i] = static_cast<uint64_t>(cur / kChunk);
      rem = cur % kChunk;
    }
    uint64_t r = static_cast<uint64_t>(rem);
    for (int d = 0; d < 19; ++d) {
      out.push_back(static_cast<char>('0' + r % 10));
      r /= 10;
      if (r == 0 && !nonzero()) break;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Uint256 Uint256::FromBigEndian(std::span<const uint8_t, 32> be) {
  Uint256 v;
  for (int limb = 0; limb < 4; ++limb) {
    uint64_t x = 0;
    for (int b = 0; b < 8; ++b) x = (x << 8) | be[(3 - limb) * 8 + b];
    v.limbs_[limb] = x;
  }
  return v;
}

void Uint256::ToBigEndian(std::span<uint8_t, 32> out) const {
  for (int limb = 0; limb < 4; ++limb) {
    uint64_t x = limbs_[limb];
    for (int b = 7; b >= 0; --b) {
      out[(3 - limb) * 8 + b] = static_cast<uint8_t>(x);
      x >>= 8;
    }
  }
}

bool Uint256::CheckedAdd(const Uint256& a, const Uint256& b, Uint256* out) {
  u128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    u128 t = static_cast<u128>(a.limbs_[i]) + b.limbs_[i] + carry;
    out->limbs_[i] = static_cast<uint64_t>(t);
    carry = t >> 64;
  }
  return carry == 0;
}

bool Uint256::CheckedSub(const Uint256& a, const Uint256& b, Uint256* out) {
  if (a < b) return false;
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t ai = a.limbs_[i], bi = b.limbs_[i];
    uint64_t d = ai - bi - borrow;
    borrow = (ai < bi || (ai == bi && borrow)) ? 1 : 0;
    out->limbs_[i] = d;
  }
  return true;
}

}  // namespace statelog
