// The memory LogBackend (internal): segmented storage with stable addresses and lock-free reads,
// behind MemoryEventStore (statelog/memory_store.h).
#ifndef STATELOG_STORE_MEMORY_BACKEND_H_
#define STATELOG_STORE_MEMORY_BACKEND_H_

#include <memory>

#include "statelog/log_backend.h"

namespace statelog::store_internal {

class MemoryBackend : public LogBackend {
 public:
  // Returns the record at `offset`, valid until the backend is destroyed.
  // REQUIRES: offset below a length this backend returned or the core published.
  virtual const StoredRecord& At(Offset offset) const = 0;
};

// Returns a new empty memory backend.
std::unique_ptr<MemoryBackend> NewMemoryBackend();

}  // namespace statelog::store_internal

#endif  // STATELOG_STORE_MEMORY_BACKEND_H_
