// Snapshots: the node view at an offset, serialized (docs/snapshot-format.md). Only a cache:
// restore = the latest snapshot at or before the target + a fold of the tail, and deleting every
// snapshot changes no answer.
#ifndef STATELOG_SNAPSHOT_H_
#define STATELOG_SNAPSHOT_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "statelog/fold.h"
#include "statelog/snapshot_store.h"
#include "statelog/store.h"

namespace statelog {

// Returns the snapshot encoding of `view`: format 2, binary, with a CRC-32C
// (docs/snapshot-format.md). Equal views with equal prefix chains give identical bytes.
std::string EncodeNodeView(const NodeView& view, const Hash256& prefix_chain);
// Returns the JSON of one entity's state, in the snapshot encoding (also `statelog show --json`).
std::string EncodeObjectiveState(const ObjectiveState& state);
std::string EncodeChannelState(const ChannelState& state);
// Decodes a snapshot encoding, format 2 or format 1 (canonical JSON, whose superseded turns are
// dropped as the fold drops them); *prefix_chain receives the chain value it records.
// InvalidArgument naming the byte offset and field path of damage; NotSupported for a newer format.
StatusOr<NodeView> DecodeNodeView(std::string_view data, Hash256* prefix_chain);

struct SnapshotOptions {
  // A snapshot is taken each time the log passes a multiple of `interval` events. 0 disables.
  uint64_t interval = 1000;
};

// Creates snapshots and restores views from them, checking each against the log.
// Thread-safe; `store` and `snapshots` must outlive the manager.
class SnapshotManager {
 public:
  SnapshotManager(EventStore* store, SnapshotStore* snapshots, SnapshotOptions options = {});

  // Stores a snapshot of `view` (a fold of the log's first view.length events) and appends a
  // snapshot_created event recording it, to the snapshot stream at the version read just before
  // (an expected-version append). Returns the offset of that event.
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

#endif  // STATELOG_SNAPSHOT_H_
