// PostgresBackend: the LogBackend in a PostgreSQL schema (docs/adr/0006-postgres-backend.md).
// Reads are in backend.cc, the conditional append in append.cc, snapshots in snapshot_store.cc,
// the tables, their creation and the upgrade from older versions in schema.cc.
#ifndef STATELOG_POSTGRES_BACKEND_H_
#define STATELOG_POSTGRES_BACKEND_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "postgres/listener.h"
#include "postgres/pg_conn.h"
#include "statelog/log.h"
#include "statelog/log_backend.h"
#include "statelog/postgres_store.h"
#include "statelog/snapshot_store.h"

namespace statelog::pg {

// Returns a SnapshotStore over the schema's snapshots table. `pool` must outlive it.
std::unique_ptr<SnapshotStore> NewSnapshotStore(ConnectionPool* pool);

// One log in one schema. Several backends (in any number of processes) may hold the same schema:
// Append is conditional on the head row, which every append locks, so the log stays dense and
// commit-ordered whoever writes it.
class PostgresBackend final : public LogBackend {
 public:
  // Connects with `conninfo`, makes sure options.schema holds the tables at
  // PostgresEventStore::kSchemaVersion (creating them, or upgrading an older version in place,
  // decoding stored payloads with `format`), and starts the notification listener. `format`
  // must outlive the backend. Errors as PostgresEventStore::Open.
  static StatusOr<std::unique_ptr<PostgresBackend>> Open(const std::string& conninfo,
                                                         const PostgresOptions& options,
                                                         const RecordFormat* format);
  // Stops the listener (the append callback is not called once this returns).
  ~PostgresBackend() override;
  PostgresBackend(const PostgresBackend&) = delete;
  PostgresBackend& operator=(const PostgresBackend&) = delete;

  bool shared() const override { return true; }
  bool wants_encoded() const override { return true; }
  // The Merkle tree's stored hashes (table tree_hashes), inserted in each append's transaction.
  bool keeps_tree() const override { return true; }
  // One query per kTreeChunk hashes.
  Status ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                        std::span<tlog::Hash> out) const override;

  // The kept checkpoints (table checkpoints, schema 4). KeepCheckpoint is one INSERT of the
  // next number only (the primary key refuses a second writer's same number: Conflict).
  bool keeps_checkpoints() const override { return true; }
  StatusOr<std::optional<KeptCheckpoint>> ReadLatestCheckpoint() const override;
  Status KeepCheckpoint(const KeptCheckpoint& checkpoint) override;

  // Where the schema's bytes are (PostgresEventStore::disk_usage).
  StatusOr<DiskUsage> MeasureDiskUsage() const;

  StatusOr<ChainHead> ReadHead() const override;
  // With PostgresOptions::replicated_delivery: the newest head every synchronous standby has
  // flushed (the head read with the WAL position at that moment, once the standbys' flush
  // position reached it; else the last head confirmed so).
  StatusOr<ChainHead> ReadDeliverableHead() const override;
  // One transaction: lock the head row, compare it with `expected` (Conflict, naming both heads,
  // when another writer moved it), insert the records, their stream entries and the tree's
  // stored hashes, move the head,
  // notify, commit. After a Conflict the transaction keeps the lock for up to 20 ms, and the next
  // Append staged against the head it locked writes in it (append.cc). A connection that broke
  // after the write was sent makes the outcome unknown: IOError, whose message says so and that
  // retrying is safe.
  Status Append(const ChainHead& expected, std::span<const StagedRecord> records) override;
  Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const override;
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const override;
  // One query per kFindChunk ids.
  Status FindMany(std::span<const RecordId> ids,
                  std::vector<std::optional<Offset>>* out) const override;
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream,
                                              Offset before) const override;
  StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view stream,
                                                     Offset before) const override;
  // Called by the listener thread on a notification of this schema, or when its periodic
  // re-read finds the head moved.
  void SetAppendListener(std::function<void()> callback) override;

  // The snapshot store in the same schema; valid while the backend lives.
  SnapshotStore* snapshots() { return snapshots_.get(); }
  const std::string& schema() const { return pool_.schema(); }

 private:
  PostgresBackend(const std::string& conninfo, const PostgresOptions& options,
                  const RecordFormat* format);

  // The head from row 0 of a (length, chain, ...) result of the head table.
  StatusOr<ChainHead> HeadFromRow(const Result& r) const;
  // Decodes row `row` of a (pos, chain, body) result into *out.
  Status DecodeRow(const PGresult* r, int row, StoredRecord* out) const;
  // A transaction that found the head moved and kept its lock (append.cc).
  struct Held {
    ConnectionPool::Lease lease;
    ChainHead head;  // the head it locked
    std::chrono::steady_clock::time_point deadline;
  };
  // Locks the head row on `conn` (BEGIN; SELECT ... FOR UPDATE) and returns it.
  StatusOr<ChainHead> LockHead(PGconn* conn) const;
  // Writes the rows, head and notification and commits, on `conn` holding the head lock.
  Status WriteAndCommit(PGconn* conn, const Params& write) const;
  // Ends a held transaction (ROLLBACK) and returns its connection to the pool.
  static void Release(std::unique_ptr<Held> held);
  // The releaser thread: ends a held transaction that was not used before its deadline.
  void ReleaseExpired();

  // The listener's callback: forwards to the callback set by SetAppendListener, if any.
  void OnAppend();

  const RecordFormat* const format_;
  const bool replicated_delivery_;
  mutable ConnectionPool pool_;
  mutable std::mutex confirmed_mu_;
  mutable ChainHead confirmed_;  // guarded by confirmed_mu_: the last head standbys confirmed
  std::unique_ptr<SnapshotStore> snapshots_;
  std::mutex callback_mu_;
  std::function<void()> callback_;  // guarded by callback_mu_
  std::unique_ptr<Listener> listener_;

  // After a Conflict the transaction keeps the head lock for a moment, so that this process's
  // next attempt (the core catches up and stages the group again) cannot be overtaken again.
  std::mutex held_mu_;
  std::condition_variable held_cv_;
  std::unique_ptr<Held> held_;  // guarded by held_mu_
  bool stopping_ = false;       // guarded by held_mu_
  std::thread releaser_;
};

}  // namespace statelog::pg

#endif  // STATELOG_POSTGRES_BACKEND_H_
