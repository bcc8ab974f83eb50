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

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status DecodeDigits(std::string_view digits, uint8_t* out) {
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = HexValue(digits[i]);
    int lo = HexValue(digits[i + 1]);
    if (hi < 0 || lo < 0) {
      size_t bad = hi < 0 ? i : i + 1;
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
    out[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return Status::OK();
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
