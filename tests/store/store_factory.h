// One factory per EventStore backend; the conformance suite runs over StoreBackends.
// A persistent backend adds tests/store/<backend>_factory.h (a struct with kName and
// static std::unique_ptr<EventStore> Make() and std::unique_ptr<LogBackend> MakeBackend()) and a
// STATELOG_TEST_<BACKEND> definition in tests/store/CMakeLists.txt.
#ifndef STATELOG_TESTS_STORE_STORE_FACTORY_H_
#define STATELOG_TESTS_STORE_STORE_FACTORY_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "statelog/log_backend.h"
#include "statelog/memory_store.h"
#include "statelog/store.h"
#include "store/memory_backend.h"
#include "store/staged_tree_backend.h"

namespace statelog::test {

struct MemoryFactory {
  static constexpr const char* kName = "Memory";
  // Returns a new, empty store.
  static std::unique_ptr<EventStore> Make() { return MemoryEventStore::Create(); }
  // Returns a new, empty backend (for tests that wrap it).
  static std::unique_ptr<LogBackend> MakeBackend() { return store_internal::NewMemoryBackend(); }
};

// The memory backend with the Merkle tree staged by the log core, as the durable backends keep it
// (staged_tree_backend.h).
struct StagedTreeFactory {
  static constexpr const char* kName = "StagedTree";
  static std::unique_ptr<EventStore> Make() { return EventStore::Open(MakeBackend()).value(); }
  static std::unique_ptr<LogBackend> MakeBackend() { return std::make_unique<StagedTreeBackend>(); }
};

}  // namespace statelog::test

// Each persistent backend has its own factory header; CMake defines STATELOG_TEST_<BACKEND> when
// that backend is built, so the suite runs over every backend there is.
#if STATELOG_TEST_ROCKSDB
#include "store/rocksdb_factory.h"  // statelog::test::RocksDbFactory
#endif
#if STATELOG_TEST_POSTGRES
#include "store/postgres_factory.h"  // statelog::test::PostgresFactory
#endif

namespace statelog::test {

using StoreBackends = ::testing::Types<MemoryFactory, StagedTreeFactory
#if STATELOG_TEST_ROCKSDB
                                       ,
                                       RocksDbFactory, RocksDbBulkFactory
#endif
#if STATELOG_TEST_POSTGRES
                                       ,
                                       PostgresFactory
#endif
                                       >;

struct BackendName {
  template <typename Factory>
  static std::string GetName(int) {
    return Factory::kName;
  }
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_STORE_FACTORY_H_
