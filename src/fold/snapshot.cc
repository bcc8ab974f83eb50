#include "statelog/snapshot.h"

#include <algorithm>
#include <vector>

#include "fold/snapshot_manager.h"
#include "statelog/keccak.h"

namespace statelog {
SnapshotManager::SnapshotManager(EventStore* store, SnapshotStore* snapshots,
                                 SnapshotOptions options)
    : store_(store), snapshots_(snapshots), options_(options) {
  if (snapshots_ != nullptr) {
    // Only a hint for Due(): CreateIfDue() decides from the log itself.
    auto covers = snapshots_->List();
    if (covers.ok() && !covers->empty()) latest_covers_ = covers->back();
  }
}

void SnapshotManager::NoteCovers(uint64_t covers) {
  uint64_t seen = latest_covers_.load();
  while (seen < covers && !latest_covers_.compare_exchange_weak(seen, covers)) {
  }
}

StatusOr<uint64_t> SnapshotManager::LoggedSnapshots() {
  STATELOG_ASSIGN_OR_RETURN(ChainHead head, store_->Head());
  STATELOG_ASSIGN_OR_RETURN(std::vector<Offset> offsets,
                            store_->log().StreamOffsets(SnapshotStream(), head.length));
  if (offsets.empty()) return uint64_t{0};
  STATELOG_ASSIGN_OR_RETURN(StoredEvent last, store_->Read(offsets.back()));
  const auto* created = std::get_if<events::SnapshotCreated>(&last.event.body);
  if (created == nullptr) {
    return Status::Corruption("offset " + std::to_string(last.offset) +
                              ": a snapshot-stream event that is not snapshot_created");
  }
  NoteCovers(created->covers);
  return static_cast<uint64_t>(offsets.size());
}

StatusOr<std::optional<Offset>> SnapshotManager::Create(const NodeView& view, Timestamp now,
                                                        bool only_if_due) {
  // Decided against the log's snapshot stream, and appended with that stream's version as the
  // expectation: of several writers deciding at once, one appends and the others stand down.
  STATELOG_ASSIGN_OR_RETURN(uint64_t version, LoggedSnapshots());
  if (only_if_due && !Due(view.length)) return std::optional<Offset>();
  Hash256 prefix;
  if (view.length > 0) {
    STATELOG_ASSIGN_OR_RETURN(StoredEvent last, store_->Read(view.length - 1));
    prefix = last.chain;
  }
  Snapshot snapshot{view.length, prefix, EncodeNodeView(view, prefix)};
  STATELOG_RETURN_IF_ERROR(snapshots_->Put(snapshot));
  Event e =
      Event::Make(now, events::SnapshotCreated{view.length, prefix, Keccak256(snapshot.data)});
  AppendOptions expect;
  expect.expected_streams.push_back({SnapshotStream(), version});
  StatusOr<AppendResult> r = store_->Append(e, expect);
  if (!r.ok()) {
    // Nothing refers to the stored snapshot: remove it (best effort; an orphan is only unused).
    (void)snapshots_->Delete(snapshot.covers);
    if (only_if_due && r.status().IsConflict()) return std::optional<Offset>();
    return r.status();
  }
  NoteCovers(view.length);
  STATELOG_RETURN_IF_ERROR(DeleteOlderThanKept().WithPrefix(
      "snapshot covering " + std::to_string(view.length) + " events taken (offset " +
      std::to_string(r->offset) + "), but deleting an older one failed"));
  return std::optional<Offset>(r->offset);
}

Status SnapshotManager::DeleteOlderThanKept() {
  if (options_.keep == 0) return Status::OK();
  STATELOG_ASSIGN_OR_RETURN(std::vector<uint64_t> covers, snapshots_->List());
  if (covers.size() <= options_.keep) return Status::OK();
  std::sort(covers.begin(), covers.end());
  for (size_t i = 0; i + options_.keep < covers.size(); ++i) {
    // Another writer of the same log may have deleted it first: that is the outcome wanted.
    Status deleted = snapshots_->Delete(covers[i]);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) return deleted;
  }
  return Status::OK();
}

bool SnapshotManager::Due(uint64_t length) const {
  if (options_.interval == 0) return false;
  return length / options_.interval > latest_covers_.load() / options_.interval;
}

Status SnapshotManager::Check(const Snapshot& snapshot, NodeView* decoded) const {
  std::string name = "snapshot covering " + std::to_string(snapshot.covers) + " events";
  STATELOG_ASSIGN_OR_RETURN(uint64_t length, store_->Length());
  if (snapshot.covers > length) {
    return Status::Corruption(name + " is longer than the log (" + std::to_string(length) +
                              " events)");
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

StatusOr<std::optional<NodeView>> SnapshotManager::UsableView(uint64_t end) const {
  auto view = LatestView(end);
  if (view.ok()) return std::move(*view);
  // A snapshot that does not match the log is a cache miss; failing to read is an error.
  if (!view.status().IsCorruption()) return view.status();
  std::lock_guard<std::mutex> lock(refusal_mu_);
  last_refusal_ = view.status();
  return std::optional<NodeView>();
}

Status SnapshotManager::last_refusal() const {
  std::lock_guard<std::mutex> lock(refusal_mu_);
  return last_refusal_;
}

}  // namespace statelog
