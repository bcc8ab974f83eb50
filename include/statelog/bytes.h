// Byte strings and fixed-size byte values (Address, Bytes32, Signature), with hex forms.
//
// The hex form is "0x" followed by lowercase digits. Parsing accepts either case and requires the
// "0x" prefix; errors name what is wrong (length, the offending character and its position).
#ifndef STATELOG_BYTES_H_
#define STATELOG_BYTES_H_

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/status.h"

namespace statelog {

// Variable-length bytes (appData, metadata, message payloads).
using Bytes = std::vector<uint8_t>;

// Appends the lowercase "0x..." hex form of `data` to `out`.
void AppendHex(std::span<const uint8_t> data, std::string* out);
// Returns the lowercase "0x..." hex form of `data`.
std::string ToHex(std::span<const uint8_t> data);
// Parses "0x" + an even number of hex digits (either case) into `out`.
Status ParseHexBytes(std::string_view hex, Bytes* out);
// Parses "0x" + exactly 2*out.size() hex digits into `out` (whose bytes are unspecified after an
// error).
Status ParseHexFixed(std::string_view hex, std::span<uint8_t> out);

// N bytes with value semantics, ordering and hashing. Zero-initialized.
template <size_t N>
struct FixedBytes {
  static constexpr size_t kSize = N;
  std::array<uint8_t, N> bytes{};

  uint8_t* data() { return bytes.data(); }
  const uint8_t* data() const { return bytes.data(); }
  static constexpr size_t size() { return N; }
  std::span<const uint8_t> span() const { return bytes; }
  bool IsZero() const {
    for (uint8_t b : bytes)
      if (b) return false;
    return true;
  }
  std::string ToHex() const { return statelog::ToHex(bytes); }
  // Parses the "0x"-prefixed hex form; see ParseHexFixed.
  static StatusOr<FixedBytes> FromHex(std::string_view hex) {
    FixedBytes v;
    Status s = ParseHexFixed(hex, v.bytes);
    if (!s.ok()) return s;
    return v;
  }
  // REQUIRES: src.size() == N.
  static FixedBytes FromSpan(std::span<const uint8_t> src) {
    FixedBytes v;
    std::memcpy(v.bytes.data(), src.data(), N);
    return v;
  }
  // Lexicographic order of the bytes (what memcmp gives), compared eight bytes at a time: ids and
  // addresses are the keys of the maps every fold works in.
  friend std::strong_ordering operator<=>(const FixedBytes& a, const FixedBytes& b) {
    size_t i = 0;
    for (; i + 8 <= N; i += 8) {
      uint64_t x, y;
      std::memcpy(&x, a.bytes.data() + i, 8);
      std::memcpy(&y, b.bytes.data() + i, 8);
      if (x != y) {
        if constexpr (std::endian::native == std::endian::little) {
          x = __builtin_bswap64(x);
          y = __builtin_bswap64(y);
        }
        return x <=> y;
      }
    }
    for (; i < N; ++i) {
      if (a.bytes[i] != b.bytes[i]) return a.bytes[i] <=> b.bytes[i];
    }
    return std::strong_ordering::equal;
  }
  // Equality eight bytes at a time, without a call to memcmp.
  friend bool operator==(const FixedBytes& a, const FixedBytes& b) {
    uint64_t diff = 0;
    size_t i = 0;
    for (; i + 8 <= N; i += 8) {
      uint64_t x, y;
      std::memcpy(&x, a.bytes.data() + i, 8);
      std::memcpy(&y, b.bytes.data() + i, 8);
      diff |= x ^ y;
    }
    for (; i < N; ++i) diff |= a.bytes[i] ^ b.bytes[i];
    return diff == 0;
  }
};

struct FixedBytesHash {
  template <size_t N>
  size_t operator()(const FixedBytes<N>& v) const {
    // The values hashed here are keccak outputs or addresses: their bytes are already uniform.
    size_t h;
    static_assert(N >= sizeof(size_t));
    std::memcpy(&h, v.bytes.data(), sizeof(h));
    return h;
  }
};

using Bytes32 = FixedBytes<32>;
using Address = FixedBytes<20>;      // an Ethereum address
using Hash256 = FixedBytes<32>;      // a keccak256 output
using EventId = FixedBytes<32>;      // keccak256 of an event's canonical encoding without its id
using ChannelId = FixedBytes<32>;    // Nitro channel id (docs/nitro-encoding.md)
using Destination = FixedBytes<32>;  // an external destination is an address left-padded
using Signature = FixedBytes<65>;    // r(32) || s(32) || v(1), v = 27 or 28

}  // namespace statelog

template <size_t N>
struct std::hash<statelog::FixedBytes<N>> : statelog::FixedBytesHash {};

#endif  // STATELOG_BYTES_H_
