// Opening the store a command works on: the embedded RocksDB store in --data DIR by default.
#ifndef STATELOG_CLI_STORE_OPEN_H_
#define STATELOG_CLI_STORE_OPEN_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "statelog/db.h"

namespace statelog::cli {

struct StoreFlags {
  std::string data = "./statelog-data";  // --data DIR
  std::string store;                     // --store postgresql://...: a shared PostgreSQL log
  bool relaxed = false;                  // --relaxed: no fsync per append
  bool replicated_delivery = false;      // --replicated-delivery (PostgreSQL)
  uint64_t snapshot_interval = 1000;     // --snapshot-interval N
  uint64_t snapshot_keep = SnapshotOptions{}.keep;  // --snapshot-keep N
  uint64_t disk_reserve = uint64_t{64} << 20;       // --disk-reserve SIZE (RocksDbOptions)
  std::string node;                                 // --node ADDRESS: the node the log belongs to
};

// Adds --data and --store to `cmd`, and --relaxed, --snapshot-interval and --disk-reserve when it
// `writes`.
void AddStoreFlags(CLI::App* cmd, StoreFlags* flags, bool writes = true);

// How a command uses the store.
enum class Access {
  kRead,    // never writes: the embedded store is opened read-only (works on a full disk)
  kWrite,   // appends to an existing store
  kCreate,  // appends; a missing directory becomes an empty store
};

// Adds --node ADDRESS to a command that can create a store (LedgerOptions::node).
void AddNodeFlag(CLI::App* cmd, StoreFlags* flags);

// Opens the store named by `flags` (DB::Open). Without kCreate, a missing store is NotFound.
StatusOr<std::unique_ptr<DB>> OpenStore(const StoreFlags& flags, Access access);

}  // namespace statelog::cli

#endif  // STATELOG_CLI_STORE_OPEN_H_
