// RepairStore (statelog/db.h): the front door's salvage of a damaged store, which only the RocksDB
// backend knows how to do (docs/adr/0019-damage-is-refused.md).
#include <string>
#include <string_view>

#include "statelog/db.h"
#ifdef STATELOG_DB_WITH_ROCKSDB
#include "statelog/rocksdb_store.h"
#endif

namespace statelog {

StatusOr<RepairReport> RepairStore(std::string_view name) {
  STATELOG_ASSIGN_OR_RETURN(StoreName parsed, ParseStoreName(name));
  switch (parsed.kind) {
    case StoreKind::kMemory:
      return Status::NotSupported("repair: the memory store keeps nothing to repair");
    case StoreKind::kPostgres:
      return Status::NotSupported(
          "repair: a PostgreSQL log is repaired with PostgreSQL's own tools; statelog verify names "
          "the offset of a damaged or missing row");
    case StoreKind::kRocksDb:
#ifdef STATELOG_DB_WITH_ROCKSDB
      return RocksDbEventStore::Repair(parsed.location);
#else
      return Status::NotSupported("repair " + parsed.location +
                                  ": this statelog was built without RocksDB");
#endif
  }
  return Status::InvalidArgument("repair: unknown store kind");
}

}  // namespace statelog
