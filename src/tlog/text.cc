#include "tlog/text.h"

#include "base/decimal.h"

namespace statelog::tlog {
namespace {

Status BadByte(size_t offset, std::string_view what) {
  return Status::InvalidArgument(std::string(what) + " at byte offset " + std::to_string(offset));
}

}  // namespace

Status CheckNoteCharacters(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\n') return BadByte(i, "a control character");
      ++i;
      continue;
    }
    // Multi-byte sequences: the lead byte fixes the length and the range of the second byte
    // (no overlong forms, no surrogates, nothing above U+10FFFF).
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return BadByte(i, "invalid UTF-8");
    }
    if (i + len > n) return BadByte(i, "truncated UTF-8");
    if (p[i + 1] < lo || p[i + 1] > hi) return BadByte(i, "invalid UTF-8");
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xbf) return BadByte(i, "invalid UTF-8");
    }
    i += len;
  }
  return Status::OK();
}

StatusOr<uint64_t> ParseDecimal(std::string_view text, std::string_view what) {
  const std::string name(what);
  if (text.empty()) return Status::InvalidArgument(name + " is empty");
  StatusOr<uint64_t> v = ParseDecimal64(text);
  if (v.status().IsInvalidArgument()) {
    return Status::InvalidArgument(name + " \"" + std::string(text) + "\" is not a decimal number");
  }
  if (text.size() > 1 && text[0] == '0') {
    return Status::InvalidArgument(name + " \"" + std::string(text) + "\" has a leading zero");
  }
  if (!v.ok() || *v >= uint64_t{1} << 63) {
    return Status::InvalidArgument(name + " \"" + std::string(text) + "\" is 2^63 or more");
  }
  return v;
}

bool LineReader::Next(std::string_view* line) {
  if (rest_.empty()) return false;
  const size_t nl = rest_.find('\n');
  if (nl == std::string_view::npos) {
    incomplete_ = true;
    return false;
  }
  *line = rest_.substr(0, nl);
  rest_.remove_prefix(nl + 1);
  ++line_number_;
  return true;
}

}  // namespace statelog::tlog
