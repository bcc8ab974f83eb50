// Snapshot storage: where the serialized node views of statelog/snapshot.h are kept. Part of the
// store layer so that each backend can persist its snapshots beside its log.
#ifndef STATELOG_SNAPSHOT_STORE_H_
#define STATELOG_SNAPSHOT_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "statelog/bytes.h"
#include "statelog/status.h"

namespace statelog {

struct Snapshot {
  uint64_t covers = 0;   // the snapshot is the view after offsets [0, covers)
  Hash256 prefix_chain;  // the log's chain value at offset covers-1 (zero bytes when covers==0)
  std::string data;      // EncodeNodeView() of the view
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// Where snapshots are kept. Thread-safe.
class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;
  // Stores `snapshot`, replacing one with the same `covers`.
  virtual Status Put(const Snapshot& snapshot) = 0;
  // Returns the snapshot with the largest covers <= max_covers, or nullopt.
  virtual StatusOr<std::optional<Snapshot>> LatestAtOrBefore(uint64_t max_covers) const = 0;
  // Returns the `covers` of every stored snapshot, increasing.
  virtual StatusOr<std::vector<uint64_t>> List() const = 0;
  virtual Status Delete(uint64_t covers) = 0;

  // Returns a snapshot store in memory.
  static std::unique_ptr<SnapshotStore> NewMemory();
};

}  // namespace statelog

#endif  // STATELOG_SNAPSHOT_STORE_H_
