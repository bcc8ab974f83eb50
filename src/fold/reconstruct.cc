#include "statelog/reconstruct.h"

#include "statelog/snapshot.h"

namespace statelog {

Status FoldError(const Status& reason, Offset offset, const Event& event) {
  return Status::Corruption("offset " + std::to_string(offset) + " (" +
                            std::string(EventTypeName(event.type())) +
                            "): " + std::string(reason.message()));
}

Reconstructor::Reconstructor(const EventStore* store, const SnapshotManager* snapshots)
    : store_(store), snapshots_(snapshots) {}

StatusOr<uint64_t> Reconstructor::EndFor(std::optional<Offset> as_of) const {
  uint64_t length = store_->Length();
  if (!as_of) return length;
  if (*as_of >= length) {
    return Status::OutOfRange("offset " + std::to_string(*as_of) + " is past the end of the log (" +
                              std::to_string(length) + " events)");
  }
  return *as_of + 1;
}

namespace {

// Folds one entity's events below `end`, read through the store's index for that entity.
template <class State, class Apply>
StatusOr<State> FoldEntity(const EventStore& store, const std::vector<Offset>& offsets, Apply apply,
                           const std::string& name) {
  std::optional<State> state;
  for (Offset off : offsets) {
    STATELOG_ASSIGN_OR_RETURN(StoredEvent e, store.Read(off));
    Status st = apply(e.event, off, &state);
    if (!st.ok()) return FoldError(st, off, e.event);
  }
  if (!state) return Status::NotFound(name + " has no events");
  return std::move(*state);
}

}  // namespace

StatusOr<ObjectiveState> Reconstructor::Objective(const ObjectiveId& id,
                                                  std::optional<Offset> as_of) const {
  STATELOG_ASSIGN_OR_RETURN(uint64_t end, EndFor(as_of));
  return FoldEntity<ObjectiveState>(*store_, store_->ObjectiveOffsets(id, end), ApplyObjectiveEvent,
                                    "objective " + id.ToString());
}

StatusOr<ChannelState> Reconstructor::Channel(const ChannelId& id,
                                              std::optional<Offset> as_of) const {
  STATELOG_ASSIGN_OR_RETURN(uint64_t end, EndFor(as_of));
  return FoldEntity<ChannelState>(*store_, store_->ChannelOffsets(id, end), ApplyChannelEvent,
                                  "channel " + id.ToHex());
}

Status Reconstructor::FoldInto(NodeView* view, uint64_t end) const {
  auto cursor = store_->NewCursor(view->length, end);
  for (; cursor->Valid(); cursor->Next()) {
    const StoredEvent& e = cursor->event();
    Status st = ApplyToView(e.event, e.offset, view);
    if (!st.ok()) return FoldError(st, e.offset, e.event);
  }
  STATELOG_RETURN_IF_ERROR(cursor->status());
  if (view->length != end) {
    return Status::Corruption("log ended at " + std::to_string(view->length) + ", expected " +
                              std::to_string(end));
  }
  return Status::OK();
}

StatusOr<NodeView> Reconstructor::FullFold(uint64_t length) const {
  NodeView view;
  STATELOG_RETURN_IF_ERROR(FoldInto(&view, length));
  return view;
}

StatusOr<NodeView> Reconstructor::View(std::optional<Offset> as_of) const {
  STATELOG_ASSIGN_OR_RETURN(uint64_t end, EndFor(as_of));
  NodeView view;
  if (snapshots_ != nullptr) {
    std::optional<NodeView> restored = snapshots_->UsableView(end);  // a refused one: a miss
    if (restored) view = std::move(*restored);
  }
  STATELOG_RETURN_IF_ERROR(FoldInto(&view, end));
  return view;
}

// ---- StateCache

StateCache::StateCache(EventStore* store, NodeView initial)
    : store_(store), view_(std::move(initial)) {}

StatusOr<std::unique_ptr<StateCache>> StateCache::Open(EventStore* store, NodeView initial) {
  if (initial.length > store->Length()) {
    return Status::InvalidArgument("initial view covers " + std::to_string(initial.length) +
                                   " events, the log has " + std::to_string(store->Length()));
  }
  Offset from = initial.length;
  std::unique_ptr<StateCache> cache(new StateCache(store, std::move(initial)));
  StateCache* raw = cache.get();
  cache->subscription_ =
      store->SubscribeFrom(from, [raw](const StoredEvent& e) { raw->OnEvent(e); });
  return cache;
}

StateCache::~StateCache() { (void)store_->Unsubscribe(subscription_); }

void StateCache::OnEvent(const StoredEvent& e) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!error_.ok() || e.offset < view_.length) return;  // already folded by a read
  if (e.offset > view_.length) {
    error_ = Status::Corruption("subscription skipped from " + std::to_string(view_.length) +
                                " to " + std::to_string(e.offset));
    return;
  }
  Status st = ApplyToView(e.event, e.offset, &view_);
  if (!st.ok()) error_ = FoldError(st, e.offset, e.event);
}

Status StateCache::CatchUpLocked() {
  if (!error_.ok()) return error_;
  uint64_t end = store_->Length();
  if (view_.length >= end) return Status::OK();
  Reconstructor r(store_);
  Status st = r.FoldInto(&view_, end);
  if (!st.ok()) error_ = st;
  return st;
}

StatusOr<ObjectiveState> StateCache::Objective(const ObjectiveId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  STATELOG_RETURN_IF_ERROR(CatchUpLocked());
  auto it = view_.objectives.find(id);
  if (it == view_.objectives.end()) return Status::NotFound("objective " + id.ToString());
  return it->second;
}

StatusOr<ChannelState> StateCache::Channel(const ChannelId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  STATELOG_RETURN_IF_ERROR(CatchUpLocked());
  auto it = view_.channels.find(id);
  if (it == view_.channels.end()) return Status::NotFound("channel " + id.ToHex());
  return it->second;
}

StatusOr<NodeView> StateCache::View() {
  std::lock_guard<std::mutex> lock(mu_);
  STATELOG_RETURN_IF_ERROR(CatchUpLocked());
  return view_;
}

}  // namespace statelog
