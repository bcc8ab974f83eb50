// RocksDbEventStore::disk_usage: each part of the store is a key range (docs/rocksdb-format.md),
// measured with RocksDB's approximation over the table files; the write-ahead logs (which hold
// what the memtables hold) and the whole directory are measured as files.
#include <rocksdb/db.h>

#include <array>
#include <filesystem>
#include <string>
#include <system_error>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"

namespace statelog::rocksdb_internal {

namespace fmt = rocksdb_format;

StatusOr<DiskUsage> MeasureDiskUsage(rocksdb::DB* db, const std::string& dir) {
  // One range per part: [prefix, prefix + 1).
  constexpr std::array<char, 6> kPrefixes = {fmt::kRecordPrefix,   fmt::kIdPrefix,
                                             fmt::kStreamPrefix,   fmt::kTreePrefix,
                                             fmt::kSnapshotPrefix, fmt::kCheckpointPrefix};
  std::array<std::string, kPrefixes.size() * 2> bounds;
  std::array<rocksdb::Range, kPrefixes.size()> ranges;
  for (size_t i = 0; i < kPrefixes.size(); ++i) {
    bounds[2 * i] = std::string(1, kPrefixes[i]);
    bounds[2 * i + 1] = std::string(1, static_cast<char>(kPrefixes[i] + 1));
    ranges[i] = rocksdb::Range(bounds[2 * i], bounds[2 * i + 1]);
  }
  std::array<uint64_t, kPrefixes.size()> sizes{};
  rocksdb::SizeApproximationOptions options;
  options.include_memtables = false;  // what the memtables hold is in the logs, counted below
  options.include_files = true;
  rocksdb::Status s = db->GetApproximateSizes(options, db->DefaultColumnFamily(), ranges.data(),
                                              static_cast<int>(ranges.size()), sizes.data());
  if (!s.ok()) return Status::IOError("measuring the store " + dir + ": " + s.ToString());
  DiskUsage usage;
  usage.events = sizes[0];
  usage.indexes = sizes[1] + sizes[2];
  usage.tree = sizes[3];
  usage.snapshots = sizes[4];
  usage.checkpoints = sizes[5];
  namespace fs = std::filesystem;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const uint64_t bytes = it->file_size(ec);
    if (ec) break;
    usage.total += bytes;
    if (it->path().extension() == ".log" && it->path().parent_path() == fs::path(dir)) {
      usage.logs += bytes;
    }
  }
  if (ec) return Status::IOError("measuring the store " + dir + ": " + ec.message());
  return usage;
}

}  // namespace statelog::rocksdb_internal
