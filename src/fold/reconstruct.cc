#include "statelog/reconstruct.h"

#include "fold/snapshot_manager.h"
#include "fold/state_cache.h"
#include "fold/view_index.h"
#include "statelog/snapshot.h"

namespace statelog {

Status FoldError(const Status& reason, Offset offset, const Event& event) {
  return Status::Corruption("offset " + std::to_string(offset) + " (" +
                            std::string(EventTypeName(event.type())) +
                            "): " + std::string(reason.message()));
}

StatusOr<LogIdentity> ReadLogIdentity(const EventStore& store) {
  STATELOG_ASSIGN_OR_RETURN(uint64_t length, store.Length());
  if (length == 0) return LogIdentity{};
  STATELOG_ASSIGN_OR_RETURN(StoredEvent first, store.Read(0));
  const auto* created = std::get_if<events::LogCreated>(&first.event.body);
  if (created == nullptr) return LogIdentity{};
  StatusOr<LogIdentity> identity = IdentityOfLog(*created, 0);
  if (!identity.ok()) return FoldError(identity.status(), 0, first.event);
  return identity;
}

struct Reconstructor::IdentityCache {
  std::mutex mu;
  std::optional<LogIdentity> identity;  // guarded by mu
};

Reconstructor::Reconstructor(const EventStore* store, const SnapshotManager* snapshots)
    : store_(store), snapshots_(snapshots), identity_(std::make_shared<IdentityCache>()) {}

StatusOr<LogIdentity> Reconstructor::Identity() const {
  std::lock_guard<std::mutex> lock(identity_->mu);
  if (identity_->identity) return *identity_->identity;
  STATELOG_ASSIGN_OR_RETURN(uint64_t length, store_->Length());
  STATELOG_ASSIGN_OR_RETURN(LogIdentity identity, ReadLogIdentity(*store_));
  if (length > 0) identity_->identity = identity;  // a log's first event never changes
  return identity;
}

StatusOr<uint64_t> Reconstructor::EndFor(std::optional<Offset> as_of) const {
  STATELOG_ASSIGN_OR_RETURN(uint64_t length, store_->Length());
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
StatusOr<State> FoldEntity(const EventStore& store, StatusOr<std::vector<Offset>> listed,
                           Apply apply, const std::string& name) {
  if (!listed.ok()) return listed.status().WithPrefix("listing the events of " + name);
  const std::vector<Offset>& offsets = *listed;
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
  STATELOG_ASSIGN_OR_RETURN(LogIdentity log, Identity());
  auto apply = [&log](const Event& event, Offset offset, std::optional<ObjectiveState>* state) {
    return ApplyObjectiveEvent(log, event, offset, state);
  };
  return FoldEntity<ObjectiveState>(*store_, store_->ObjectiveOffsets(id, end), apply,
                                    "objective " + id.ToString());
}

StatusOr<ChannelState> Reconstructor::Channel(const ChannelId& id, std::optional<Offset> as_of,
                                              TurnRetention retention) const {
  STATELOG_ASSIGN_OR_RETURN(uint64_t end, EndFor(as_of));
  STATELOG_ASSIGN_OR_RETURN(LogIdentity log, Identity());
  auto apply = [&log, retention](const Event& event, Offset offset,
                                 std::optional<ChannelState>* state) {
    return ApplyChannelEvent(log, event, offset, state, retention);
  };
  return FoldEntity<ChannelState>(*store_, store_->ChannelOffsets(id, end), apply,
                                  "channel " + id.ToHex());
}

Status Reconstructor::FoldInto(NodeView* view, uint64_t end) const {
  fold_internal::ViewIndex index(view);
  STATELOG_RETURN_IF_ERROR(
      store_->Scan(view->length, end, [&index](Offset offset, const Event& event) {
        Status st = fold_internal::ApplyToView(event, offset, index);
        return st.ok() ? st : FoldError(st, offset, event);
      }));
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
    // A refused snapshot is a miss; a read error is an error.
    STATELOG_ASSIGN_OR_RETURN(std::optional<NodeView> restored, snapshots_->UsableView(end));
    if (restored) view = std::move(*restored);
  }
  STATELOG_RETURN_IF_ERROR(FoldInto(&view, end));
  return view;
}

// ---- StateCache

StateCache::StateCache(const EventStore* store, NodeView initial)
    : store_(store), view_(std::move(initial)) {}

StatusOr<std::unique_ptr<StateCache>> StateCache::Open(const EventStore* store, NodeView initial) {
  STATELOG_ASSIGN_OR_RETURN(uint64_t length, store->Length());
  if (initial.length > length) {
    return Status::InvalidArgument("initial view covers " + std::to_string(initial.length) +
                                   " events, the log has " + std::to_string(length));
  }
  return std::unique_ptr<StateCache>(new StateCache(store, std::move(initial)));
}

StateCache::~StateCache() = default;

Status StateCache::CatchUpLocked() {
  if (!error_.ok()) return error_;
  STATELOG_ASSIGN_OR_RETURN(uint64_t end, store_->Length());
  if (view_.length >= end) return Status::OK();
  // A read error part-way leaves view_ a consistent fold of a shorter prefix (each event is
  // applied whole or not at all), which the next call extends.
  Reconstructor r(store_);
  Status st = r.FoldInto(&view_, end);
  // Corruption (illegal history, damaged data) stays: the log will not heal. Any other error (an
  // I/O error, a dropped connection) is this call's only; the next call tries again.
  if (st.IsCorruption()) error_ = st;
  return st;
}

Status StateCache::FoldAppended(Offset first, std::span<const Event* const> appended) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!error_.ok() || view_.length < first || view_.length >= first + appended.size()) {
    return error_;
  }
  for (size_t i = view_.length - first; i < appended.size(); ++i) {
    const Offset offset = first + i;
    if (Status st = ApplyToView(*appended[i], offset, &view_); !st.ok()) {
      error_ = FoldError(st, offset, *appended[i]);
      return error_;
    }
  }
  return Status::OK();
}

Status StateCache::Appended(std::span<const Event> events, std::span<const AppendResult> results) {
  std::vector<const Event*> run;
  Offset first = 0;
  for (size_t i = 0; i < events.size() && i < results.size(); ++i) {
    if (!results[i].appended) continue;
    if (run.empty()) {
      first = results[i].offset;
    } else if (results[i].offset != first + run.size()) {
      return Status::OK();  // not one run: the next read catches up
    }
    run.push_back(&events[i]);
  }
  if (run.empty()) return Status::OK();
  return FoldAppended(first, run);
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
