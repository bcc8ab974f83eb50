// The memory LogBackend of the Nitro layer (internal): segmented storage with stable addresses
// and lock-free reads, behind MemoryEventStore (statelog/memory_store.h). It stores only: every
// check is the log core's. Each slot holds a record's chain value and its event, in place, so a
// read touches one place and an append copies (or takes) the event once.
#ifndef STATELOG_STORE_MEMORY_BACKEND_H_
#define STATELOG_STORE_MEMORY_BACKEND_H_

#include <memory>
#include <vector>

#include "statelog/log_backend.h"
#include "statelog/store.h"

namespace statelog::store_internal {

class MemoryBackend : public LogBackend {
 public:
  // The event and the chain value at `offset`, valid until the backend is destroyed.
  // REQUIRES: offset below a length this backend returned or the core published.
  virtual const Event& EventAt(Offset offset) const = 0;
  virtual const Hash256& ChainAt(Offset offset) const = 0;
  // Appends copies of the events at [begin, end) to *out. REQUIRES: as for EventAt().
  virtual void CopyEvents(Offset begin, Offset end, std::vector<StoredEvent>* out) const = 0;
};

// Returns a new empty memory backend. It holds records of EventRecordFormat() only (an append of
// another payload is InvalidArgument). The payloads of the StoredRecords its reads return point
// into it: they must not outlive it (the Nitro layer copies the events out). It keeps the Merkle
// tree unless `keep_tree` is false (benchmarks measure the tree's cost against that).
std::unique_ptr<MemoryBackend> NewMemoryBackend(bool keep_tree = true);

}  // namespace statelog::store_internal

#endif  // STATELOG_STORE_MEMORY_BACKEND_H_
