#include <map>
#include <mutex>

#include "statelog/snapshot_store.h"

namespace statelog {
namespace {

class MemorySnapshotStore : public SnapshotStore {
 public:
  Status Put(const Snapshot& snapshot) override {
    std::lock_guard<std::mutex> lock(mu_);
    snapshots_[snapshot.covers] = snapshot;
    return Status::OK();
  }
  StatusOr<std::optional<Snapshot>> LatestAtOrBefore(uint64_t max_covers) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = snapshots_.upper_bound(max_covers);
    if (it == snapshots_.begin()) return std::optional<Snapshot>();
    return std::optional<Snapshot>(std::prev(it)->second);
  }
  StatusOr<std::vector<uint64_t>> List() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<uint64_t> out;
    for (const auto& [covers, s] : snapshots_) out.push_back(covers);
    return out;
  }
  Status Delete(uint64_t covers) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (snapshots_.erase(covers) == 0) {
      return Status::NotFound("no snapshot covers " + std::to_string(covers));
    }
    return Status::OK();
  }

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, Snapshot> snapshots_;
};

}  // namespace

std::unique_ptr<SnapshotStore> SnapshotStore::NewMemory() {
  return std::make_unique<MemorySnapshotStore>();
}

}  // namespace statelog
