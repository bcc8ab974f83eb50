// Opens a RocksDB store through statelog::rocksdb alone and prints its length.
// Usage: rocksdb_consumer DIR
#include <cstdio>

#include "statelog/rocksdb_store.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto store = statelog::RocksDbEventStore::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto length = (*store)->Length();
  if (!length.ok()) return 1;
  std::printf("rocksdb store: %llu events\n", static_cast<unsigned long long>(*length));
  return 0;
}
