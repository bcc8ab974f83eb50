#include "gonitro/buntdb.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

namespace statelog::gonitro {
namespace {

// The largest count or length a header may give: far beyond any go-nitro value, small enough
// that arithmetic on it cannot overflow.
constexpr uint64_t kMaxLength = uint64_t{1} << 40;

std::string Describe(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Reads one command at a time; `torn` is set when the input ends inside it.
class Reader {
 public:
  Reader(std::string_view bytes, std::string_view name) : bytes_(bytes), name_(name) {}

  bool AtEnd() const { return pos_ == bytes_.size(); }
  size_t pos() const { return pos_; }

  // Reads the command starting at pos(). Returns nullopt with *torn set when the input ends
  // inside it; an error for a malformed byte.
  StatusOr<std::optional<std::vector<std::string_view>>> Command(bool* torn) {
    std::optional<uint64_t> parts;
    STATELOG_RETURN_IF_ERROR(Header('*', "a command (*<parts>)", &parts));
    if (!parts) return Torn(torn);
    std::vector<std::string_view> out;
    for (uint64_t i = 0; i < *parts; ++i) {
      std::optional<uint64_t> length;
      STATELOG_RETURN_IF_ERROR(Header('$', "a bulk string ($<length>)", &length));
      if (!length) return Torn(torn);
      if (bytes_.size() - pos_ < *length + 2) return Torn(torn);
      const std::string_view data = bytes_.substr(pos_, *length);
      if (bytes_[pos_ + *length] != '\r' || bytes_[pos_ + *length + 1] != '\n') {
        return Error(pos_ + *length,
                     "a bulk string of " + std::to_string(*length) + " bytes must end in \\r\\n");
      }
      pos_ += *length + 2;
      out.push_back(data);
    }
    return std::optional<std::vector<std::string_view>>(std::move(out));
  }

  Status Error(size_t offset, const std::string& what) const {
    return Status::InvalidArgument(std::string(name_) + ": byte " + std::to_string(offset) + ": " +
                                   what);
  }

 private:
  StatusOr<std::optional<std::vector<std::string_view>>> Torn(bool* torn) {
    *torn = true;
    return std::optional<std::vector<std::string_view>>();
  }

  // Reads "<marker><decimal>\r\n" into *out; leaves *out empty when the input ends first.
  Status Header(char marker, const char* what, std::optional<uint64_t>* out) {
    out->reset();
    const size_t start = pos_;
    if (pos_ == bytes_.size()) return Status::OK();
    if (bytes_[pos_] != marker) {
      return Error(pos_, std::string("expected ") + what + ", got " + Describe(bytes_[pos_]));
    }
    size_t i = pos_ + 1;
    uint64_t n = 0;
    for (; i < bytes_.size() && bytes_[i] >= '0' && bytes_[i] <= '9'; ++i) {
      n = n * 10 + static_cast<uint64_t>(bytes_[i] - '0');
      if (n > kMaxLength) return Error(start, std::string(what) + " is implausibly large");
    }
    if (i == pos_ + 1) {
      if (i == bytes_.size()) return Status::OK();
      return Error(i,
                   std::string("expected the digits of ") + what + ", got " + Describe(bytes_[i]));
    }
    if (i == bytes_.size()) return Status::OK();
    if (bytes_[i] != '\r') return Error(i, std::string("expected \\r\\n after ") + what);
    if (i + 1 == bytes_.size()) return Status::OK();
    if (bytes_[i + 1] != '\n') return Error(i + 1, std::string("expected \\n after ") + what);
    pos_ = i + 2;
    *out = n;
    return Status::OK();
  }

  std::string_view bytes_;
  std::string_view name_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<BuntdbContents> ReadBuntdb(std::string_view bytes, std::string_view name) {
  Reader reader(bytes, name);
  BuntdbContents out;
  while (!reader.AtEnd()) {
    const size_t start = reader.pos();
    bool torn = false;
    STATELOG_ASSIGN_OR_RETURN(std::optional<std::vector<std::string_view>> parts,
                              reader.Command(&torn));
    if (torn) {
      out.torn_tail = true;
      break;
    }
    const std::vector<std::string_view>& p = *parts;
    if (p.empty()) return reader.Error(start, "a command with no parts");
    if (EqualsIgnoringCase(p[0], "set")) {
      if (p.size() == 5) {
        return reader.Error(start, "a set with an expiry, which go-nitro never writes");
      }
      if (p.size() != 3) {
        return reader.Error(start, "set has " + std::to_string(p.size()) + " parts, not 3");
      }
      out.values[std::string(p[1])] = std::string(p[2]);
    } else if (EqualsIgnoringCase(p[0], "del")) {
      if (p.size() != 2) {
        return reader.Error(start, "del has " + std::to_string(p.size()) + " parts, not 2");
      }
      out.values.erase(std::string(p[1]));
    } else if (EqualsIgnoringCase(p[0], "flushdb")) {
      if (p.size() != 1) return reader.Error(start, "flushdb takes no arguments");
      out.values.clear();
    } else {
      return reader.Error(start, "unknown command \"" + std::string(p[0].substr(0, 32)) + "\"");
    }
    ++out.commands;
    out.whole_bytes = reader.pos();
  }
  return out;
}

StatusOr<std::string> ReadFileBytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(path + ": a directory, not a buntdb file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError(path + ": read failed: " + std::strerror(errno));
  return bytes;
}

StatusOr<BuntdbContents> ReadBuntdbFile(const std::string& path) {
  STATELOG_ASSIGN_OR_RETURN(std::string bytes, ReadFileBytes(path));
  return ReadBuntdb(bytes, path);
}

}  // namespace statelog::gonitro
