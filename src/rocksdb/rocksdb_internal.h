// Internals of the RocksDB backend shared by its .cc files and its tests. Not a public header:
// it names RocksDB types.
#ifndef STATELOG_ROCKSDB_ROCKSDB_INTERNAL_H_
#define STATELOG_ROCKSDB_ROCKSDB_INTERNAL_H_

#include <rocksdb/env.h>
#include <rocksdb/status.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "statelog/log.h"
#include "statelog/log_backend.h"
#include "statelog/rocksdb_store.h"
#include "statelog/status.h"

namespace statelog::rocksdb_internal {

// Internal knobs of Open: for tests, and for RocksDbEventStore::Repair.
struct TestHooks {
  // The environment RocksDB runs on (e.g. one that fails writes to simulate a full disk).
  // Null: rocksdb::Env::Default().
  std::shared_ptr<rocksdb::Env> env;
  // Stops the upgrade of a format-1 store just before its last write (the one that removes the
  // format-1 indexes and changes the format marker), as a crash there would, and fails Open with
  // Aborted.
  bool interrupt_upgrade = false;
  // Returns the free bytes of the file system holding a path (e.g. a simulated full disk).
  // Null: statvfs.
  std::function<StatusOr<uint64_t>(const std::string& path)> free_bytes = nullptr;
  // Opens for a repair: a log shorter than its acknowledged head (ACKED), or an ACKED without a
  // valid record, is accepted, and ACKED records the head the log holds.
  bool repair = false;
  // Benchmarks only (the Merkle tree's cost, measured against a store without it): false leaves
  // the tree out of every append. A store written so lacks its tree: never reopen it.
  bool keep_tree = true;
};

// The free bytes an unprivileged writer may use on the file system holding `path`, or on that of
// its nearest existing ancestor when `path` does not exist yet (statvfs: f_bavail * f_frsize;
// the largest uint64_t on a file system that counts no blocks, such as /proc).
StatusOr<uint64_t> FreeBytes(const std::string& path);

// Open with test hooks; RocksDbEventStore::Open is OpenWithHooks(dir, options, {}).
StatusOr<std::unique_ptr<RocksDbEventStore>> OpenWithHooks(const std::string& dir,
                                                           const RocksDbOptions& options,
                                                           const TestHooks& hooks);

// Opens the bare backend (RocksBackend) for a caller that builds its own Log over it, e.g. a test
// that wraps it. `format` decodes the stored payloads and must outlive the backend.
StatusOr<std::unique_ptr<LogBackend>> OpenBackend(const std::string& dir,
                                                  const RocksDbOptions& options,
                                                  const RecordFormat* format,
                                                  const TestHooks& hooks = {});

// Flushes the memtable of `store` (opened by this library) to an SST file and waits for it.
Status FlushForTesting(RocksDbEventStore* store);

// Converts a RocksDB status; `context` prefixes the message (e.g. "offset 12"). Every RocksDB
// status of the backend goes through here.
Status FromRocks(const rocksdb::Status& s, std::string_view context);

}  // namespace statelog::rocksdb_internal

#endif  // STATELOG_ROCKSDB_ROCKSDB_INTERNAL_H_
