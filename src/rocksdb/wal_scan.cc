#include "rocksdb/wal_scan.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/crc32c.h"

namespace statelog::rocksdb_internal {
namespace {

constexpr uint64_t kBlockSize = 32768;
constexpr uint64_t kHeaderSize = 7;             // checksum (4), length (2), type (1)
constexpr uint64_t kRecyclableHeaderSize = 11;  // and the log number (4)
enum RecordType : uint8_t {
  kZeroType = 0,
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
  kRecyclableFullType = 5,
  kRecyclableLastType = 8,
  kSetCompressionType = 9,
};

uint32_t Le32(const char* p) {
  return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[3])) << 24;
}

uint64_t Le64(const char* p) { return Le32(p) | static_cast<uint64_t>(Le32(p + 4)) << 32; }

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

uint32_t MaskedCrc32c(std::string_view data) {
  const uint32_t crc = Crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

std::string WalFile::Describe() const {
  if (!bad_offset) return "";
  return path + " at byte " + std::to_string(*bad_offset) + ": " + problem;
}

WalFile ScanWal(const std::string& path, std::string_view bytes) {
  WalFile out;
  out.path = path;
  out.size = bytes.size();
  auto fail = [&](uint64_t at, std::string problem, bool torn_tail) {
    out.bad_offset = at;
    out.problem = std::move(problem);
    out.torn_tail = torn_tail;
    return out;
  };
  const uint64_t size = bytes.size();
  bool in_record = false;  // inside a record split into fragments
  uint64_t record_start = 0;
  std::string fragments;  // the payload of the record being assembled
  // Each record is a write batch: its sequence number (8 bytes) and count (4 bytes) first. A
  // batch must start at or after the sequence where the one before it ended: a repeated block
  // replays sequence numbers, which RocksDB's recovery does not check (it asserts, or worse).
  uint64_t next_sequence = 0;
  auto check_batch = [&](uint64_t at, std::string_view payload) -> bool {
    if (payload.size() < 12) {
      fail(at,
           "a write batch of " + std::to_string(payload.size()) +
               " bytes, shorter than its 12-byte header",
           false);
      return false;
    }
    const uint64_t sequence = Le64(payload.data());
    if (sequence < next_sequence) {
      fail(at,
           "a write batch at sequence " + std::to_string(sequence) + " after one that ended at " +
               std::to_string(next_sequence) + " (a repeated or misplaced block)",
           false);
      return false;
    }
    next_sequence = sequence + Le32(payload.data() + 8);
    return true;
  };
  uint64_t pos = 0;
  while (pos < size) {
    const uint64_t block_end = std::min((pos / kBlockSize + 1) * kBlockSize, size);
    const uint64_t left = block_end - pos;
    const bool last_block = block_end == size;
    const char* h = bytes.data() + pos;
    const uint8_t type = left >= kHeaderSize ? static_cast<uint8_t>(h[6]) : 0;
    const uint64_t header = type >= kRecyclableFullType && type <= kRecyclableLastType
                                ? kRecyclableHeaderSize
                                : kHeaderSize;
    if (left < header) {
      if (!last_block) {  // a block's trailer: too short for a header, skipped
        pos = block_end;
        continue;
      }
      if (AllZero(bytes.substr(pos))) break;
      return fail(pos, "a header cut short by the end of the file", true);
    }
    const uint64_t length =
        static_cast<uint8_t>(h[4]) | static_cast<uint64_t>(static_cast<uint8_t>(h[5])) << 8;
    if (type == kZeroType && length == 0) {
      // Zeroes where a header should be: preallocated space, or a write that never happened.
      // RocksDB skips the rest of the block; data after the zeroes is a hole in the log.
      if (AllZero(bytes.substr(pos))) {
        if (in_record) {
          return fail(record_start, "a record cut short by zeroes up to the end of the file", true);
        }
        break;
      }
      const size_t data = bytes.find_first_not_of('\0', pos);
      return fail(pos,
                  "zeroes instead of records up to byte " + std::to_string(data) +
                      ", then more of the log (a hole)",
                  false);
    }
    if (header + length > left) {
      if (last_block) {
        return fail(
            pos,
            "a record of " + std::to_string(length) + " bytes cut short by the end of the file",
            true);
      }
      return fail(pos,
                  "bad record length " + std::to_string(length) + " (the block has " +
                      std::to_string(left - header) + " bytes left)",
                  false);
    }
    if (Le32(h) != MaskedCrc32c(bytes.substr(pos + 6, header - 6 + length))) {
      return fail(pos, "checksum mismatch in a record of " + std::to_string(length) + " bytes",
                  false);
    }
    const uint8_t kind = type >= kRecyclableFullType && type <= kRecyclableLastType
                             ? static_cast<uint8_t>(type - kRecyclableFullType + kFullType)
                             : type;
    switch (kind) {
      case kFullType:
        if (in_record) {
          return fail(record_start, "a record split into fragments is not finished", false);
        }
        if (!check_batch(pos, bytes.substr(pos + header, length))) return out;
        ++out.records;
        break;
      case kFirstType:
        if (in_record) {
          return fail(record_start, "a record split into fragments is not finished", false);
        }
        in_record = true;
        record_start = pos;
        fragments.assign(bytes.substr(pos + header, length));
        break;
      case kMiddleType:
      case kLastType:
        if (!in_record) return fail(pos, "a fragment without the start of its record", false);
        fragments.append(bytes.substr(pos + header, length));
        if (kind == kLastType) {
          in_record = false;
          if (!check_batch(record_start, fragments)) return out;
          ++out.records;
        }
        break;
      case kSetCompressionType:
        if (pos != 0) return fail(pos, "a compression record after the start of the log", false);
        break;
      default:
        return fail(pos, "unknown record type " + std::to_string(type), false);
    }
    pos += header + length;
  }
  if (in_record) {
    return fail(record_start, "a record split into fragments cut short by the end of the file",
                true);
  }
  return out;
}

StatusOr<std::vector<WalFile>> ScanWals(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> paths;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".log" && it->is_regular_file()) {
      paths.push_back(it->path().string());
    }
  }
  if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
  // RocksDB names its logs by number, zero-padded to the same width: name order is age order.
  std::sort(paths.begin(), paths.end());
  std::vector<WalFile> out;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IOError("cannot read " + path);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Status::IOError("cannot read " + path);
    out.push_back(ScanWal(path, bytes));
  }
  return out;
}

}  // namespace statelog::rocksdb_internal
