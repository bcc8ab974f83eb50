// One factory per EventStore backend; the conformance suite runs over StoreBackends.
// A new backend adds a factory here and to StoreBackends.
#ifndef STATELOG_TESTS_STORE_STORE_FACTORY_H_
#define STATELOG_TESTS_STORE_STORE_FACTORY_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "statelog/memory_store.h"
#include "statelog/store.h"

namespace statelog::test {

struct MemoryFactory {
  static constexpr const char* kName = "Memory";
  // Returns a new, empty store.
  static std::unique_ptr<EventStore> Make() { return MemoryEventStore::Create(); }
};

using StoreBackends = ::testing::Types<MemoryFactory>;

struct BackendName {
  template <typename Factory>
  static std::string GetName(int) {
    return Factory::kName;
  }
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_STORE_FACTORY_H_
