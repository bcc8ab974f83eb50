// A reader of RocksDB's write-ahead log files that finds and names damage
// (docs/adr/0019-damage-is-refused.md). RocksDB's own recovery reports "checksum mismatch"
// without a file or an offset, and skips a zeroed block in the middle of a log without a word;
// this reader follows the same format (RocksDB's db/log_format.h: 32 KiB blocks, records with a
// 7-byte header, or 11 bytes for the recyclable types, holding the masked CRC-32C of the type,
// the log number if any, and the payload; records split into first, middle and last fragments
// across blocks) and reports the first thing that is not a valid record.
#ifndef STATELOG_ROCKSDB_WAL_SCAN_H_
#define STATELOG_ROCKSDB_WAL_SCAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/status.h"

namespace statelog::rocksdb_internal {

// RocksDB's masked CRC-32C: the CRC rotated right by 15 bits plus 0xa282ead8.
uint32_t MaskedCrc32c(std::string_view data);

struct WalFile {
  std::string path;
  uint64_t size = 0;
  uint64_t records = 0;  // complete logical records read before any problem
  // The first problem, if any: its byte offset and what it is.
  std::optional<uint64_t> bad_offset;
  std::string problem;
  // The problem is a torn tail: a header or a record cut short by the end of the file, or zeroes
  // up to the end (a write interrupted by a crash, never acknowledged if the store syncs).
  bool torn_tail = false;

  // "<path> at byte N: <problem>"; empty when there is no problem.
  std::string Describe() const;
};

// Reads `bytes`, the content of write-ahead log `path`.
WalFile ScanWal(const std::string& path, std::string_view bytes);

// Reads every write-ahead log file (*.log) of store directory `dir`, oldest first. IOError if one
// cannot be read.
StatusOr<std::vector<WalFile>> ScanWals(const std::string& dir);

}  // namespace statelog::rocksdb_internal

#endif  // STATELOG_ROCKSDB_WAL_SCAN_H_
