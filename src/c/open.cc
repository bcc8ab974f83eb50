// statelog_open_* and statelog_close: a store, its snapshots and the Ledger over both.
#include <memory>
#include <string>

#include "c/handle.h"
#include "statelog/memory_store.h"
#ifdef STATELOG_C_WITH_ROCKSDB
#include "statelog/rocksdb_store.h"
#endif
#ifdef STATELOG_C_WITH_POSTGRES
#include "statelog/postgres_store.h"
#endif

namespace statelog::c_api {
namespace {

// Opens the Ledger over `open` and hands the whole out as a new handle in *db.
Status Finish(std::shared_ptr<OpenStore> open, statelog_t** db) {
  STATELOG_ASSIGN_OR_RETURN(open->ledger, Ledger::Open(open->store.get(), open->snapshots));
  *db = new statelog_t{std::move(open)};
  return Status::OK();
}

// Runs the opening `body` for `function`: checks db, sets *db to NULL first.
template <typename F>
int Open(std::string_view function, statelog_t** db, char** errptr, F&& body) {
  return Guard(function, errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(db, function, "db"));
    *db = nullptr;
    auto open = std::make_shared<OpenStore>();
    STATELOG_RETURN_IF_ERROR(body(*open));
    return Finish(std::move(open), db);
  });
}

}  // namespace
}  // namespace statelog::c_api

using statelog::Status;
using statelog::c_api::NotNull;
using statelog::c_api::OpenStore;

extern "C" {

int statelog_open_memory(statelog_t** db, char** errptr) {
  return statelog::c_api::Open("statelog_open_memory", db, errptr, [](OpenStore& open) {
    open.own_snapshots = statelog::SnapshotStore::NewMemory();
    open.snapshots = open.own_snapshots.get();
    open.store = statelog::MemoryEventStore::Create();
    return Status::OK();
  });
}

int statelog_open_rocksdb(statelog_t** db, const char* dir, int sync, char** errptr) {
  constexpr std::string_view kFunction = "statelog_open_rocksdb";
  return statelog::c_api::Open(kFunction, db, errptr, [&](OpenStore& open) -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(dir, kFunction, "dir"));
#ifdef STATELOG_C_WITH_ROCKSDB
    statelog::RocksDbOptions options;
    options.sync = sync != 0;
    auto store = statelog::RocksDbEventStore::Open(dir, options);
    if (!store.ok()) return store.status().WithPrefix(std::string("cannot open ") + dir);
    open.snapshots = (*store)->snapshots();
    open.store = std::move(*store);
    return Status::OK();
#else
    (void)open;
    (void)sync;
    return Status::NotSupported("statelog_open_rocksdb: built without the RocksDB backend");
#endif
  });
}

int statelog_open_postgres(statelog_t** db, const char* conninfo, const char* schema,
                           char** errptr) {
  constexpr std::string_view kFunction = "statelog_open_postgres";
  return statelog::c_api::Open(kFunction, db, errptr, [&](OpenStore& open) -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(conninfo, kFunction, "conninfo"));
#ifdef STATELOG_C_WITH_POSTGRES
    statelog::PostgresOptions options;
    if (schema != nullptr) options.schema = schema;
    auto store = statelog::PostgresEventStore::Open(conninfo, options);
    if (!store.ok()) return store.status().WithPrefix("cannot open the PostgreSQL store");
    open.snapshots = (*store)->snapshots();
    open.store = std::move(*store);
    return Status::OK();
#else
    (void)open;
    (void)schema;
    return Status::NotSupported("statelog_open_postgres: built without the PostgreSQL backend");
#endif
  });
}

void statelog_close(statelog_t* db) { delete db; }

}  // extern "C"
