// The in-memory EventStore (ADR-0003): segmented storage with stable addresses and lock-free reads.
//
// Records live in 1024-record segments that are never moved or freed while the store lives, so a
// reference returned by At() stays valid until the store is destroyed, however far the log grows.
// Appends are serialized by the log core's group commit; reads by offset take no lock (the length
// is published with release/acquire ordering after the slot is fully written). Events are kept as
// they were appended: nothing is encoded or decoded.
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

  // Returns a reference to the event at `offset`, valid until the store is destroyed.
  // REQUIRES: offset < the length.
  virtual const Event& At(Offset offset) const = 0;

 protected:
  using EventStore::EventStore;
};

}  // namespace statelog

#endif  // STATELOG_MEMORY_STORE_H_
