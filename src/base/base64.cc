#include "base/base64.h"

#include <array>
#include <cstdint>

namespace statelog {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int8_t kInvalid = -1;

// The value of each alphabet character; kInvalid for every other byte.
constexpr std::array<int8_t, 256> kValues = [] {
  std::array<int8_t, 256> v{};
  v.fill(kInvalid);
  for (int i = 0; i < 64; ++i) v[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return v;
}();

std::string CharName(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

Status Bad(size_t offset, const std::string& what) {
  return Status::InvalidArgument("base64: " + what + " at offset " + std::to_string(offset));
}

}  // namespace

void AppendBase64(std::span<const uint8_t> data, std::string* out) {
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t n = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
    out->push_back(kAlphabet[n >> 18]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->push_back(kAlphabet[(n >> 6) & 63]);
    out->push_back(kAlphabet[n & 63]);
  }
  if (const size_t rest = data.size() - i; rest > 0) {
    const uint32_t n = uint32_t{data[i]} << 16 | (rest == 2 ? uint32_t{data[i + 1]} << 8 : 0);
    out->push_back(kAlphabet[n >> 18]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out->push_back('=');
  }
}

Status DecodeBase64(std::string_view text, Bytes* out) {
  if (text.size() % 4 != 0) {
    return Status::InvalidArgument("base64: length " + std::to_string(text.size()) +
                                   " is not a multiple of 4");
  }
  Bytes bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (size_t g = 0; g < text.size(); g += 4) {
    const bool last = g + 4 == text.size();
    // Padding: at most the last two characters of the last group.
    size_t pad = 0;
    if (last && text[g + 3] == '=') pad = text[g + 2] == '=' ? 2 : 1;
    uint32_t n = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[g + k];
      if (k >= 4 - pad) continue;  // a padding '='
      const int8_t v = kValues[static_cast<uint8_t>(c)];
      if (v == kInvalid) {
        return Bad(g + k,
                   c == '=' ? std::string("'=' before the end") : CharName(c) + " is not base64");
      }
      n |= static_cast<uint32_t>(v) << (18 - 6 * k);
    }
    bytes.push_back(static_cast<uint8_t>(n >> 16));
    if (pad < 2) bytes.push_back(static_cast<uint8_t>(n >> 8));
    if (pad < 1) bytes.push_back(static_cast<uint8_t>(n));
    if ((pad == 2 && (n & 0xffff) != 0) || (pad == 1 && (n & 0xff) != 0)) {
      return Bad(g + 3 - pad, "non-zero unused bits in the last character");
    }
  }
  *out = std::move(bytes);
  return Status::OK();
}

}  // namespace statelog
