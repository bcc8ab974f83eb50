#include "statelog/snapshot.h"

#include "statelog/keccak.h"

namespace statelog {
SnapshotManager::SnapshotManager(EventStore* store, SnapshotStore* snapshots,
                                 SnapshotOptions options)
    : store_(store), snapshots_(snapshots), options_(options) {
  if (snapshots_ != nullptr) {
    std::vector<uint64_t> covers = snapshots_->List();
    if (!covers.empty()) latest_covers_ = covers.back();
  }
}

StatusOr<Offset> SnapshotManager::Create(const NodeView& view, Timestamp now) {
  Hash256 prefix;
  if (view.length > 0) {
    STATELOG_ASSIGN_OR_RETURN(StoredEvent last, store_->Read(view.length - 1));
    prefix = last.chain;
  }
  Snapshot snapshot{view.length, prefix, EncodeNodeView(view, prefix)};
  STATELOG_RETURN_IF_ERROR(snapshots_->Put(snapshot));
  uint64_t seen = latest_covers_.load();
  while (seen < view.length && !latest_covers_.compare_exchange_weak(seen, view.length)) {
  }
  Event e =
      Event::Make(now, events::SnapshotCreated{view.length, prefix, Keccak256(snapshot.data)});
  STATELOG_ASSIGN_OR_RETURN(AppendResult r, store_->Append(e));
  return r.offset;
}

bool SnapshotManager::Due(uint64_t length) const {
  if (options_.interval == 0) return false;
  return length / options_.interval > latest_covers_.load() / options_.interval;
}

Status SnapshotManager::Check(const Snapshot& snapshot, NodeView* decoded) const {
  std::string name = "snapshot covering " + std::to_string(snapshot.covers) + " events";
  if (snapshot.covers > store_->Length()) {
    return Status::Corruption(name + " is longer than the log (" +
                              std::to_string(store_->Length()) + " events)");
  }
  Hash256 expected;
  if (snapshot.covers > 0) {
    STATELOG_ASSIGN_OR_RETURN(StoredEvent last, store_->Read(snapshot.covers - 1));
    expected = last.chain;
  }
  if (snapshot.prefix_chain != expected) {
    return Status::Corruption(name + " does not match the log: its prefix chain is " +
                              snapshot.prefix_chain.ToHex() + ", the log's is " + expected.ToHex());
  }
  Hash256 recorded;
  auto view = DecodeNodeView(snapshot.data, &recorded);
  if (!view.ok()) return Status::Corruption(name + ": " + view.status().ToString());
  if (recorded != snapshot.prefix_chain || view->length != snapshot.covers) {
    return Status::Corruption(name + ": its data does not match its header");
  }
  if (decoded != nullptr) *decoded = std::move(*view);
  return Status::OK();
}

StatusOr<std::optional<NodeView>> SnapshotManager::LatestView(uint64_t end) const {
  STATELOG_ASSIGN_OR_RETURN(std::optional<Snapshot> snapshot, snapshots_->LatestAtOrBefore(end));
  if (!snapshot) return std::optional<NodeView>();
  NodeView view;
  STATELOG_RETURN_IF_ERROR(Check(*snapshot, &view));
  return std::optional<NodeView>(std::move(view));
}

}  // namespace statelog

namespace statelog {

std::optional<NodeView> SnapshotManager::UsableView(uint64_t end) const {
  auto view = LatestView(end);
  if (view.ok()) return std::move(*view);
  std::lock_guard<std::mutex> lock(refusal_mu_);
  last_refusal_ = view.status();
  return std::nullopt;
}

Status SnapshotManager::last_refusal() const {
  std::lock_guard<std::mutex> lock(refusal_mu_);
  return last_refusal_;
}

}  // namespace statelog
