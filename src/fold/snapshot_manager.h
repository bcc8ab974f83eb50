// The Ledger's snapshots: when one is due, taking it, and restoring a checked view from the
// latest usable one. Internal to the fold library (LedgerOptions::snapshots and DB configure it).
#ifndef STATELOG_FOLD_SNAPSHOT_MANAGER_H_
#define STATELOG_FOLD_SNAPSHOT_MANAGER_H_

#include <atomic>
#include <mutex>
#include <optional>

#include "statelog/snapshot.h"
#include "statelog/snapshot_store.h"
#include "statelog/store.h"

namespace statelog {

// Creates snapshots and restores views from them, checking each against the log.
// Thread-safe; `store` and `snapshots` must outlive the manager.
class SnapshotManager {
 public:
  SnapshotManager(EventStore* store, SnapshotStore* snapshots, SnapshotOptions options = {});

  // Stores a snapshot of `view` (a fold of the log's first view.length events) and appends a
  // snapshot_created event recording it, to the snapshot stream at the version read just before
  // (an expected-version append), then deletes the snapshots older than the newest
  // options.keep. Returns the offset of that event.
  // With `only_if_due`, first re-reads the log's latest snapshot_created and does nothing
  // (nullopt) unless a snapshot is still due; if another writer appends a snapshot_created in
  // between, stands down (nullopt). So however many processes write one log, at most one
  // snapshot is taken per interval. Without it, a Conflict is returned as such.
  StatusOr<std::optional<Offset>> Create(const NodeView& view, Timestamp now,
                                         bool only_if_due = false);
  // True when a snapshot may be due for a view of `length` events: the log has passed a multiple
  // of the interval since the latest snapshot this manager knows of. Reads nothing (it runs after
  // every append); Create(..., only_if_due = true) confirms it against the log.
  bool Due(uint64_t length) const;
  // Returns the view of the latest snapshot with covers <= end, or nullopt when there is none.
  // A snapshot whose prefix does not match the log is refused: Corruption naming it.
  StatusOr<std::optional<NodeView>> LatestView(uint64_t end) const;
  // Like LatestView, but a refused snapshot (Corruption: it does not match the log) is a cache
  // miss (nullopt): the caller folds from the start and the refusal is kept in last_refusal() for
  // `statelog verify` and `stats` to report. A read error is returned as an error.
  StatusOr<std::optional<NodeView>> UsableView(uint64_t end) const;
  // The last refusal of UsableView (OK when none).
  Status last_refusal() const;
  // Checks `snapshot` against the log: it decodes, covers what it says, and its prefix chain
  // equals the log's chain at covers-1. Stores the decoded view in *view when given.
  Status Check(const Snapshot& snapshot, NodeView* view = nullptr) const;

  const SnapshotOptions& options() const { return options_; }

 private:
  // Returns the number of snapshot_created events in the log, and notes the latest one's covers.
  StatusOr<uint64_t> LoggedSnapshots();
  // Deletes the stored snapshots older than the newest options_.keep (none when keep is 0).
  Status DeleteOlderThanKept();
  void NoteCovers(uint64_t covers);

  EventStore* store_;
  SnapshotStore* snapshots_;
  SnapshotOptions options_;
  // The largest `covers` of any snapshot taken or found: Due() runs after every append and must
  // not read snapshot data.
  std::atomic<uint64_t> latest_covers_{0};
  mutable std::mutex refusal_mu_;
  mutable Status last_refusal_;  // guarded by refusal_mu_
};

}  // namespace statelog

#endif  // STATELOG_FOLD_SNAPSHOT_MANAGER_H_
