// The Ledger's state cache: the current node view, kept current by folding what the log holds
// beyond it. Internal to the fold library (the Ledger, and through it DB, are the public way in).
#ifndef STATELOG_FOLD_STATE_CACHE_H_
#define STATELOG_FOLD_STATE_CACHE_H_

#include <memory>
#include <mutex>
#include <span>

#include "statelog/fold.h"
#include "statelog/store.h"

namespace statelog {

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
  // The Ledger's own appends: `events[i]` was appended at `results[i].offset` when
  // `results[i].appended` (the others were already in the log). When the appended events form
  // one run of consecutive offsets, which is what one append of this process writes, they are
  // folded from memory instead of being read back; otherwise the next read catches up.
  Status Appended(std::span<const Event> events, std::span<const AppendResult> results);

 private:
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

#endif  // STATELOG_FOLD_STATE_CACHE_H_
