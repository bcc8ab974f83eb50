// PostgresStore: the implementation behind PostgresEventStore. Reads are in store_impl.cc,
// appends in append.cc, snapshots in snapshot_store.cc.
#ifndef STATELOG_POSTGRES_STORE_IMPL_H_
#define STATELOG_POSTGRES_STORE_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "postgres/listener.h"
#include "postgres/pg_conn.h"
#include "statelog/postgres_store.h"

namespace statelog::pg {

// Returns a SnapshotStore over the schema's snapshots table. `pool` must outlive it.
std::unique_ptr<SnapshotStore> NewSnapshotStore(ConnectionPool* pool);

class PostgresStore final : public PostgresEventStore {
 public:
  PostgresStore(const std::string& conninfo, const PostgresOptions& options);
  ~PostgresStore() override;

  // Starts the listener. Called once by Open().
  Status Start();

  StatusOr<AppendResult> Append(const Event& event) override;
  StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events) override;
  uint64_t Length() const override { return Head().length; }
  ChainHead Head() const override;
  StatusOr<StoredEvent> Read(Offset offset) const override;
  Status ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const override;
  std::optional<Offset> Find(const EventId& id) const override;
  std::vector<Offset> ChannelOffsets(const ChannelId& id, Offset before) const override;
  std::vector<Offset> ObjectiveOffsets(const ObjectiveId& id, Offset before) const override;
  SnapshotStore* snapshots() override { return snapshots_.get(); }

 private:
  // Appends `events` (append.cc): concurrent calls of this process are merged into one
  // transaction (group commit); each keeps its own result. `batch` selects AppendBatch's texts.
  struct AppendRequest;
  StatusOr<std::vector<AppendResult>> AppendEvents(std::span<const Event> events, bool batch);
  // Runs `group` as one transaction (retrying a unique violation) and sets every result.
  void CommitGroup(const std::vector<AppendRequest*>& group);
  // One attempt on `conn`, BEGIN ... COMMIT. On OK every result is set and *wrote says whether
  // rows were written. On error the transaction did not commit, or, if *write_sent and the
  // connection broke, its outcome is unknown.
  Status CommitGroupOnce(PGconn* conn, const std::vector<AppendRequest*>& group, bool* wrote,
                         bool* write_sent);
  // Reads the committed head.
  StatusOr<ChainHead> QueryHead(PGconn* conn) const;
  // Runs `sql` with `params` on a pooled connection; returns the offsets in column 0.
  StatusOr<std::vector<Offset>> QueryOffsets(const char* sql, const Params& params) const;

  // Group commit: callers queue their request; the first becomes the leader and commits every
  // request queued by then in one transaction, while later callers queue for the next group.
  std::mutex group_mu_;
  std::condition_variable group_cv_;
  std::deque<AppendRequest*> queue_;  // guarded by group_mu_
  bool leader_active_ = false;        // guarded by group_mu_

  mutable ConnectionPool pool_;
  std::unique_ptr<SnapshotStore> snapshots_;
  std::unique_ptr<Listener> listener_;
  // The last head read or written, returned by Head() when the database cannot be reached.
  mutable std::mutex cached_mu_;
  mutable ChainHead cached_head_;
};

}  // namespace statelog::pg

#endif  // STATELOG_POSTGRES_STORE_IMPL_H_
