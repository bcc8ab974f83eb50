#include "statelog/bytes.h"

#include <array>
#include <cstring>
#include <string>

namespace statelog {
namespace {

constexpr char kDigits[] = "0123456789abcdef";
// The two hex digits of every byte value.
constexpr std::array<std::array<char, 2>, 256> kPairs = [] {
  std::array<std::array<char, 2>, 256> pairs{};
  for (int b = 0; b < 256; ++b) pairs[b] = {kDigits[b >> 4], kDigits[b & 15]};
  return pairs;
}();

constexpr int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// HexValue of every byte, with kNotHex for a byte that is not a hex digit.
constexpr uint8_t kNotHex = 0x10;
constexpr std::array<uint8_t, 256> kHexValues = [] {
  std::array<uint8_t, 256> values{};
  for (int c = 0; c < 256; ++c) {
    const int v = HexValue(static_cast<char>(c));
    values[c] = v < 0 ? kNotHex : static_cast<uint8_t>(v);
  }
  return values;
}();

// The error for the first byte of `digits` that is not a hex digit. REQUIRES: there is one.
Status BadDigit(std::string_view digits) {
  size_t bad = 0;
  while (kHexValues[static_cast<unsigned char>(digits[bad])] != kNotHex) ++bad;
  std::string msg = "bad hex digit '";
  unsigned char ch = static_cast<unsigned char>(digits[bad]);
  if (ch >= 0x20 && ch < 0x7f) {
    msg += static_cast<char>(ch);
  } else {
    msg += "\\x";
    msg += kDigits[ch >> 4];
    msg += kDigits[ch & 15];
  }
  msg += "' at position " + std::to_string(bad + 2);
  return Status::InvalidArgument(msg);
}

// Decodes an even number of hex digits into digits.size() / 2 bytes at `out`. The digits are
// checked together at the end: `out` holds garbage when a digit is bad.
Status DecodeDigits(std::string_view digits, uint8_t* out) {
  uint8_t seen = 0;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    const uint8_t hi = kHexValues[static_cast<unsigned char>(digits[i])];
    const uint8_t lo = kHexValues[static_cast<unsigned char>(digits[i + 1])];
    seen |= hi | lo;
    out[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return (seen & kNotHex) == 0 ? Status::OK() : BadDigit(digits);
}

Status CheckPrefix(std::string_view hex) {
  if (hex.size() < 2 || hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) {
    return Status::InvalidArgument("hex must start with 0x");
  }
  return Status::OK();
}

}  // namespace

void AppendHex(std::span<const uint8_t> data, std::string* out) {
  size_t pos = out->size();
  out->resize(pos + 2 + 2 * data.size());
  char* p = out->data() + pos;
  *p++ = '0';
  *p++ = 'x';
  for (uint8_t b : data) {
    std::memcpy(p, kPairs[b].data(), 2);
    p += 2;
  }
}

std::string ToHex(std::span<const uint8_t> data) {
  std::string out;
  AppendHex(data, &out);
  return out;
}

Status ParseHexBytes(std::string_view hex, Bytes* out) {
  STATELOG_RETURN_IF_ERROR(CheckPrefix(hex));
  std::string_view digits = hex.substr(2);
  if (digits.size() % 2 != 0) {
    return Status::InvalidArgument("hex has an odd number of digits (" +
                                   std::to_string(digits.size()) + ")");
  }
  Bytes tmp(digits.size() / 2);
  STATELOG_RETURN_IF_ERROR(DecodeDigits(digits, tmp.data()));
  *out = std::move(tmp);
  return Status::OK();
}

Status ParseHexFixed(std::string_view hex, std::span<uint8_t> out) {
  STATELOG_RETURN_IF_ERROR(CheckPrefix(hex));
  std::string_view digits = hex.substr(2);
  if (digits.size() != out.size() * 2) {
    return Status::InvalidArgument("hex must have " + std::to_string(out.size() * 2) +
                                   " digits, has " + std::to_string(digits.size()));
  }
  return DecodeDigits(digits, out.data());
}

}  // namespace statelog
