// The in-memory EventStore (ADR-0003): segmented storage with stable addresses and lock-free reads.
//
// Events live in 1024-event segments that are never moved or freed while the store lives, so a
// reference returned by At() stays valid until the store is destroyed, however far the log grows.
// Appends are serialized by a mutex; reads by offset take no lock (the length is published with
// release/acquire ordering after the slot is fully written).
#ifndef STATELOG_MEMORY_STORE_H_
#define STATELOG_MEMORY_STORE_H_

#include <memory>

#include "statelog/store.h"

namespace statelog {

class MemoryEventStore : public EventStore {
 public:
  static constexpr size_t kSegmentSize = 1024;

  // Returns a new empty in-memory store.
  static std::unique_ptr<MemoryEventStore> Create();

  // Returns a reference to the stored event at `offset`, valid until the store is destroyed.
  // REQUIRES: offset < Length().
  virtual const StoredEvent& At(Offset offset) const = 0;
};

}  // namespace statelog

#endif  // STATELOG_MEMORY_STORE_H_
