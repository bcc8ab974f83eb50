// RocksBackend: the LogBackend on RocksDB behind RocksDbEventStore
// (docs/adr/0004-rocksdb-storage.md, layout in docs/rocksdb-format.md).
//
// The log core (statelog/log.h) does every check, assigns offsets, chain values and stream
// versions, and serializes appends through its group commit; this class only stores. Each Append
// is ONE WriteBatch (records, id index, stream index, head), written with the store's
// WriteOptions (synced unless RocksDbOptions::sync is false). A failed write is fatal: it is
// never retried, health() returns it and every later write fails with Aborted until the store is
// reopened (the database's state past the last durable point is unknown until recovery).
//
// An append of at least RocksDbOptions::bulk_append_bytes takes another way to the same result:
// its entries are written to new table files under the store's bulk/ directory, on every core,
// and RocksDB takes them in with one atomic, synced ingestion (bulk.cc). A failure while writing
// the files leaves the store unchanged and usable; a failed ingestion is fatal like a failed write.
//
// Reads go straight to RocksDB. Every scan checks its iterator's status when it ends: damage is
// an error naming the offset or stream, never a shorter answer.
#ifndef STATELOG_ROCKSDB_ROCKSDB_BACKEND_H_
#define STATELOG_ROCKSDB_ROCKSDB_BACKEND_H_

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rocksdb/acked.h"
#include "rocksdb/rocksdb_internal.h"
#include "statelog/log.h"
#include "statelog/log_backend.h"
#include "statelog/rocksdb_store.h"
#include "statelog/snapshot_store.h"

namespace statelog::rocksdb_internal {

class AppendPlan;

class RocksBackend final : public LogBackend {
 public:
  // Opens (or creates) the store in `dir` (RocksDbEventStore::Open lists the errors), upgrading a
  // format-1 store in place. `format` decodes the stored payloads and must outlive the backend.
  static StatusOr<std::unique_ptr<RocksBackend>> Open(const std::string& dir,
                                                      const RocksDbOptions& options,
                                                      const RecordFormat* format,
                                                      const TestHooks& hooks);

  // `db` holds a valid format-2 store in `dir` whose head is `head`. `env` (may be null) outlives
  // `db`. `lock` (read-only stores: the LOCK file this process holds through `env`, or the
  // default Env when null) is released on destruction.
  RocksBackend(std::shared_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db,
               const std::string& dir, const RocksDbOptions& options, const TestHooks& hooks,
               const RecordFormat* format, const ChainHead& head, rocksdb::FileLock* lock);
  ~RocksBackend() override;
  RocksBackend(const RocksBackend&) = delete;
  RocksBackend& operator=(const RocksBackend&) = delete;

  // LogBackend.
  bool shared() const override { return false; }
  bool wants_encoded() const override { return true; }
  // The Merkle tree's stored hashes ('h' keys), written in each append's batch or ingestion.
  bool keeps_tree() const override { return keep_tree_; }
  Status ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                        std::span<tlog::Hash> out) const override;
  // The kept checkpoints ('k' keys, checkpoints.cc): each one write of one key, synced like
  // appends, under checkpoints_mu_ so that its number is checked and written at once.
  bool keeps_checkpoints() const override { return true; }
  StatusOr<std::optional<KeptCheckpoint>> ReadLatestCheckpoint() const override;
  Status KeepCheckpoint(const KeptCheckpoint& checkpoint) override;
  StatusOr<ChainHead> ReadHead() const override;
  Status Append(const ChainHead& expected, std::span<const StagedRecord> records) override;
  Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const override;
  std::unique_ptr<RecordCursor> NewCursor(Offset begin, Offset end) const override;
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const override;
  // MultiGet in chunks, the chunks on every core.
  Status FindMany(std::span<const RecordId> ids,
                  std::vector<std::optional<Offset>>* out) const override;
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream,
                                              Offset before) const override;
  StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view stream,
                                                     Offset before) const override;

  // The snapshot store in the same database ('s' records).
  SnapshotStore* snapshots() { return snapshots_.get(); }
  // OK, or the write error that made the store unusable.
  Status health() const;
  // Puts the store into its fatal error state (the first error wins).
  void SetFatal(const Status& error);
  // Aborted naming the fatal error, NotSupported when the store is read-only, or OK.
  Status CheckWritable() const;
  // NoSpace when writing `bytes` more (`what`, e.g. "appending offsets [3, 5)") would leave less
  // than the reserve free (RocksDbOptions::disk_reserve_bytes); nothing is written then.
  Status CheckSpace(uint64_t bytes, std::string_view what) const;

  // From now on, records every durable append's head in `acked` (synced stores), or the head at
  // a clean close (relaxed ones).
  void StartAcked(std::unique_ptr<AckedWriter> acked) { acked_ = std::move(acked); }

  rocksdb::DB* db() const { return db_.get(); }
  const std::string& dir() const { return dir_; }
  // The directory where large appends build their table files before they are ingested.
  static std::string BulkDir(const std::string& dir) { return dir + "/bulk"; }
  const rocksdb::WriteOptions& write_options() const { return write_options_; }
  const RecordFormat& format() const { return *format_; }

 private:
  // The two ways Append writes a checked plan (the head is updated by the caller).
  Status AppendByWriteBatch(const AppendPlan& plan, const std::string& what);
  Status AppendByIngestion(const AppendPlan& plan, const std::string& what);

  const std::shared_ptr<rocksdb::Env> env_;  // destroyed after db_
  std::unique_ptr<rocksdb::DB> db_;
  const std::string dir_;
  const bool read_only_;
  const uint64_t reserve_;
  const uint64_t bulk_bytes_;
  const bool keep_tree_;  // TestHooks::keep_tree
  const std::function<StatusOr<uint64_t>(const std::string&)> free_bytes_;
  rocksdb::FileLock* lock_;  // read-only stores: the LOCK file; null otherwise
  const RecordFormat* const format_;
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<SnapshotStore> snapshots_;
  std::unique_ptr<AckedWriter> acked_;  // writable stores; used by the one appending thread

  std::mutex checkpoints_mu_;  // serializes KeepCheckpoint
  mutable std::mutex mu_;      // guards head_ and fatal_
  ChainHead head_;             // what the last successful Append (or Open) left on disk
  Status fatal_;
};

// Removes the table files an append interrupted by a crash left in the store's bulk/ directory
// (none of them is part of the database until an ingestion took it in).
Status RemoveBulkLeftovers(rocksdb::Env* env, const std::string& dir);

// Where the bytes of the store in `dir`, open as `db`, are (RocksDbEventStore::disk_usage).
StatusOr<DiskUsage> MeasureDiskUsage(rocksdb::DB* db, const std::string& dir);

// The SnapshotStore kept in a RocksBackend's database.
std::unique_ptr<SnapshotStore> NewRocksSnapshotStore(RocksBackend* owner);

// Upgrades the store of format `version` in `db` (head already checked: `length` records) to the
// current format, one format at a time (docs/rocksdb-format.md, "Upgrades"):
//   1 to 2: indexes every record under the streams `format` assigns, removes the format-1
//           indexes;
//   2 to 3: computes the Merkle tree's stored hashes from the records.
// Each writes its format marker last and is redone from its start if interrupted. `dir` names
// the store in errors.
Status UpgradeFormat(rocksdb::DB* db, const std::string& dir, const RecordFormat& format,
                     uint32_t version, uint64_t length, const TestHooks& hooks);

}  // namespace statelog::rocksdb_internal

#endif  // STATELOG_ROCKSDB_ROCKSDB_BACKEND_H_
