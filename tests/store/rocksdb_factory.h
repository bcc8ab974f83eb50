// The RocksDB backend in the conformance suite: each store (or bare backend) lives in a fresh
// temporary directory that is removed at process exit, after the store was closed.
#ifndef STATELOG_TESTS_STORE_ROCKSDB_FACTORY_H_
#define STATELOG_TESTS_STORE_ROCKSDB_FACTORY_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "rocksdb/rocksdb_internal.h"  // OpenBackend
#include "statelog/log_backend.h"
#include "statelog/rocksdb_store.h"
#include "statelog/store.h"

namespace statelog::test {

// Returns a new empty directory under $TMPDIR (default /tmp); the caller removes it.
inline std::string MakeTempDir(const std::string& tag) {
  const char* base = getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/statelog-" + tag + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

// Removes a directory tree when destroyed.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test") : path_(MakeTempDir(tag)) {}
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Directories of the stores made by RocksDbFactory, removed at process exit (after every test
// has destroyed its store, so RocksDB has closed them).
class TempDirRegistry {
 public:
  static void Add(std::unique_ptr<TempDir> dir) {
    static TempDirRegistry registry;
    std::lock_guard<std::mutex> lock(registry.mu_);
    registry.dirs_.push_back(std::move(dir));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<TempDir>> dirs_;
};

// kBulkBytes: RocksDbOptions::bulk_append_bytes of the stores it makes.
template <uint64_t kBulkBytes>
struct RocksDbFactoryWith {
  // Returns the store's options.
  static RocksDbOptions Options() {
    RocksDbOptions options;
    options.bulk_append_bytes = kBulkBytes;
    return options;
  }
  // Returns a new, empty durable store in a temporary directory (removed at exit).
  static std::unique_ptr<EventStore> Make() {
    auto dir = std::make_unique<TempDir>("conformance");
    auto store = RocksDbEventStore::Open(dir->path() + "/db", Options());
    if (!store.ok()) {
      ADD_FAILURE() << "RocksDbEventStore::Open: " << store.status().ToString();
      return nullptr;
    }
    TempDirRegistry::Add(std::move(dir));
    return std::move(*store);
  }
  // Returns a new, empty RocksDB backend holding Nitro events (for tests that wrap it), in a
  // temporary directory (removed at exit).
  static std::unique_ptr<LogBackend> MakeBackend() {
    auto dir = std::make_unique<TempDir>("backend");
    auto backend =
        rocksdb_internal::OpenBackend(dir->path() + "/db", Options(), &EventRecordFormat());
    if (!backend.ok()) {
      ADD_FAILURE() << "opening a RocksDB backend: " << backend.status().ToString();
      return nullptr;
    }
    TempDirRegistry::Add(std::move(dir));
    return std::move(*backend);
  }
};

// The default options: appends below 4 MiB go through the write-ahead log and memtable.
struct RocksDbFactory : RocksDbFactoryWith<RocksDbOptions{}.bulk_append_bytes> {
  static constexpr const char* kName = "RocksDb";
};
// Appends of about five events or more take the bulk way (table files and an ingestion), smaller
// ones the write-ahead log: the suite runs over both ways and their mix.
struct RocksDbBulkFactory : RocksDbFactoryWith<4096> {
  static constexpr const char* kName = "RocksDbBulk";
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_ROCKSDB_FACTORY_H_
