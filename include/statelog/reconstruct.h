// Reconstruction: objective, channel and node states from the log, at any offset (time travel).
//
// "As of offset N" means after applying the events at offsets 0..N inclusive; nullopt means the
// whole log at the time of the call. Reconstructing one entity reads only that entity's events
// through the store's index, so its cost does not grow with the log's length.
//
// A log that holds illegal history (e.g. imported) is not guessed at: reconstruction returns
// Corruption naming the offset, the event type and the rule it breaks.
#ifndef STATELOG_RECONSTRUCT_H_
#define STATELOG_RECONSTRUCT_H_

#include <memory>
#include <optional>
#include <span>

#include "statelog/fold.h"
#include "statelog/store.h"

namespace statelog {

class SnapshotManager;

// Stateless reads of the log. Thread-safe; `store` must outlive the Reconstructor.
class Reconstructor {
 public:
  // `snapshots` (statelog's own, inside the Ledger; nullptr elsewhere) speeds up View() with the
  // latest usable snapshot; it must outlive this.
  explicit Reconstructor(const EventStore* store, const SnapshotManager* snapshots = nullptr);

  // NotFound when the objective has no event at or before `as_of`.
  StatusOr<ObjectiveState> Objective(const ObjectiveId& id,
                                     std::optional<Offset> as_of = std::nullopt) const;
  // `retention` kAll keeps the channel's superseded turns too (statelog/fold.h).
  StatusOr<ChannelState> Channel(const ChannelId& id, std::optional<Offset> as_of = std::nullopt,
                                 TurnRetention retention = TurnRetention::kCurrent) const;
  // Every objective and channel as of `as_of`: the latest snapshot at or before it plus a fold
  // of the tail (or a full fold without snapshots).
  StatusOr<NodeView> View(std::optional<Offset> as_of = std::nullopt) const;
  // A full fold of [0, length) that ignores snapshots (the reference the snapshots must match).
  StatusOr<NodeView> FullFold(uint64_t length) const;
  // Folds the events at [view->length, end) into *view.
  Status FoldInto(NodeView* view, uint64_t end) const;

 private:
  // Returns the exclusive end for `as_of`, or OutOfRange past the log.
  StatusOr<uint64_t> EndFor(std::optional<Offset> as_of) const;
  // The log's identity, read once the log has a first event (it never changes after that).
  StatusOr<LogIdentity> Identity() const;

  // The log's identity once read (shared by copies: they read the same log).
  struct IdentityCache;

  const EventStore* store_;
  const SnapshotManager* snapshots_;
  std::shared_ptr<IdentityCache> identity_;
};

// Returns the identity of the log `store` holds: from its first event when that is log_created,
// otherwise rule set statelog-1 without a node (and so for an empty log). Corruption when that
// first event does not give a valid identity.
StatusOr<LogIdentity> ReadLogIdentity(const EventStore& store);

// Returns Corruption "offset N (type): <reason>" for a fold error at `offset`.
Status FoldError(const Status& reason, Offset offset, const Event& event);

}  // namespace statelog

#endif  // STATELOG_RECONSTRUCT_H_
