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
#include <mutex>
#include <optional>
#include <span>

#include "statelog/fold.h"
#include "statelog/store.h"

namespace statelog {

class SnapshotManager;

// Stateless reads of the log. Thread-safe; `store` must outlive the Reconstructor.
class Reconstructor {
 public:
  // `snapshots` (optional, must outlive this) speeds up View() with the latest usable snapshot.
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

  const EventStore* store_;
  const SnapshotManager* snapshots_;
  mutable std::mutex identity_mu_;
  mutable std::optional<LogIdentity> identity_;  // guarded by identity_mu_
};

// Returns the identity of the log `store` holds: from its first event when that is log_created,
// otherwise rule set statelog-1 without a node (and so for an empty log). Corruption when that
// first event does not give a valid identity.
StatusOr<LogIdentity> ReadLogIdentity(const EventStore& store);

// Returns Corruption "offset N (type): <reason>" for a fold error at `offset`.
Status FoldError(const Status& reason, Offset offset, const Event& event);

// A node view that is never stale: every read first folds whatever the log holds beyond the view
// (appends by this process or, on a shared log, by any other).
// Errors: Corruption (illegal history, damaged data) is kept and returned by every later read;
// any other error (I/O, a dropped connection) is returned by that read only, and the next read
// tries again.
// Thread-safe. `store` must outlive the cache.
class StateCache {
 public:
  // Starts from `initial` (e.g. restored from a snapshot) or from an empty view.
  static StatusOr<std::unique_ptr<StateCache>> Open(const EventStore* store, NodeView initial = {});
  ~StateCache();

  // The current state of one entity; NotFound if unknown.
  StatusOr<ObjectiveState> Objective(const ObjectiveId& id);
  StatusOr<ChannelState> Channel(const ChannelId& id);
  // A copy of the whole view, current as of the call.
  StatusOr<NodeView> View();
  // Runs fn(view) with the view current as of the call, under the cache's lock, without copying.
  // fn must not call back into the cache or append to the store.
  template <class Fn>
  Status WithView(Fn&& fn) {
    std::lock_guard<std::mutex> lock(mu_);
    Status st = CatchUpLocked();
    if (st.ok()) fn(static_cast<const NodeView&>(view_));
    return st;
  }

 private:
  friend class StateCacheAppender;  // the Ledger's own appends (src/fold/state_cache_appender.h)

  StateCache(const EventStore* store, NodeView initial);
  Status CatchUpLocked();
  // Folds the events appended at [first, first + appended.size()) without reading them back, if
  // the view has reached `first`; otherwise leaves the view for the next read to catch up.
  // REQUIRES: `appended` are the events the log holds at those offsets.
  Status FoldAppended(Offset first, std::span<const Event* const> appended);

  const EventStore* store_;
  std::mutex mu_;
  NodeView view_;  // guarded by mu_
  Status error_;   // guarded by mu_: the first Corruption; the cache stops there
};

}  // namespace statelog

#endif  // STATELOG_RECONSTRUCT_H_
