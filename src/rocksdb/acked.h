// ACKED: the acknowledged head of a RocksDB store, kept outside its write-ahead log
// (docs/adr/0019-damage-is-refused.md, docs/rocksdb-format.md "ACKED").
//
// A sequence of 64-byte records, each the head the store acknowledged: "STLGACK1", BE64(length),
// chain (32 bytes), BE64(sequence), 4 zero bytes, and the masked CRC-32C of the 60 bytes before
// it. The last complete record whose checksum holds is the acknowledged head; a torn or damaged
// record only makes an older one (a lower bound) the answer.
#ifndef STATELOG_ROCKSDB_ACKED_H_
#define STATELOG_ROCKSDB_ACKED_H_

#include <rocksdb/file_system.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "statelog/log.h"
#include "statelog/status.h"

namespace statelog::rocksdb_internal {

inline constexpr const char* kAckedName = "ACKED";
inline constexpr size_t kAckedRecordSize = 64;

// What a read of ACKED found.
struct AckedRead {
  bool exists = false;            // the file exists
  uint64_t size = 0;              // its size in bytes
  std::optional<ChainHead> head;  // the last valid record's head
  uint64_t valid = 0;             // records whose checksum holds
  uint64_t bad = 0;               // complete records whose checksum or magic does not
};

// Returns the path of ACKED in store directory `dir`.
std::string AckedPath(const std::string& dir);

// Reads ACKED in `dir` (a missing file is exists == false, not an error). IOError if it cannot be
// read.
StatusOr<AckedRead> ReadAcked(const std::string& dir);

// Appends acknowledged heads to ACKED. Not thread-safe: the backend calls it from its one
// appending thread (the log core serializes appends) and at close.
class AckedWriter {
 public:
  // Replaces ACKED in `dir` with one record, `head` (a new file, synced, renamed into place, the
  // directory synced), through `fs`, and keeps it open for Record(). `fs` outlives the writer.
  static StatusOr<std::unique_ptr<AckedWriter>> Create(rocksdb::FileSystem* fs,
                                                       const std::string& dir,
                                                       const ChainHead& head);
  ~AckedWriter();
  AckedWriter(const AckedWriter&) = delete;
  AckedWriter& operator=(const AckedWriter&) = delete;

  // Appends `head` and syncs it. REQUIRES: the log holding `head` is durable.
  Status Record(const ChainHead& head);

 private:
  AckedWriter(std::string path, std::unique_ptr<rocksdb::FSWritableFile> file, uint64_t sequence)
      : path_(std::move(path)), file_(std::move(file)), sequence_(sequence) {}

  const std::string path_;
  std::unique_ptr<rocksdb::FSWritableFile> file_;
  uint64_t sequence_;
};

// The 64-byte record of `head` with `sequence` (exposed for the tests).
std::string AckedRecord(const ChainHead& head, uint64_t sequence);

}  // namespace statelog::rocksdb_internal

#endif  // STATELOG_ROCKSDB_ACKED_H_
