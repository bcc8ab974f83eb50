// statelog_open_* and statelog_close: a DB (statelog/db.h) behind a handle.
#include <memory>
#include <string>

#include "c/handle.h"

namespace statelog::c_api {
namespace {

// Opens `name` for `function`: checks db, sets *db to NULL first. The domain API is opened here,
// not at the first call that needs it, so that a log that cannot be read (damaged, of a newer
// rule set) is refused by the open.
// `name` returns the store's name once db is checked (InvalidArgument for a NULL argument).
template <typename Name>
int Open(std::string_view function, statelog_t** db, char** errptr, Name&& name,
         const DBOptions& options) {
  return Guard(function, errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(db, function, "db"));
    *db = nullptr;
    STATELOG_ASSIGN_OR_RETURN(std::string store, name());
    STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<DB> opened, DB::Open(store, options));
    STATELOG_RETURN_IF_ERROR(opened->Identity().status());
    *db = new statelog_t{std::shared_ptr<DB>(std::move(opened))};
    return Status::OK();
  });
}

}  // namespace
}  // namespace statelog::c_api

using statelog::DBOptions;
using statelog::Status;
using statelog::StatusOr;
using statelog::c_api::NotNull;

extern "C" {

int statelog_open(statelog_t** db, const char* name, const char* node, int flags, char** errptr) {
  constexpr std::string_view kFunction = "statelog_open";
  DBOptions options;
  options.create_if_missing = (flags & STATELOG_OPEN_MUST_EXIST) == 0;
  options.read_only = (flags & STATELOG_OPEN_READ_ONLY) != 0;
  options.sync = (flags & STATELOG_OPEN_NO_SYNC) == 0;
  auto store = [&]() -> StatusOr<std::string> {
    STATELOG_RETURN_IF_ERROR(NotNull(name, kFunction, "name"));
    constexpr int kKnown =
        STATELOG_OPEN_NO_SYNC | STATELOG_OPEN_READ_ONLY | STATELOG_OPEN_MUST_EXIST;
    if ((flags & ~kKnown) != 0) {
      return Status::InvalidArgument(std::string(kFunction) + ": unknown flags " +
                                     std::to_string(flags & ~kKnown));
    }
    if (node != nullptr) {
      StatusOr<statelog::Address> address = statelog::Address::FromHex(node);
      if (!address.ok()) return address.status().WithPrefix(std::string(kFunction) + ": node");
      if (*address == statelog::Address{}) {
        return Status::InvalidArgument(std::string(kFunction) +
                                       ": node: the zero address is no node");
      }
      options.node = *address;
    }
    return std::string(name);
  };
  return statelog::c_api::Open(kFunction, db, errptr, store, options);
}

int statelog_open_memory(statelog_t** db, char** errptr) {
  return statelog::c_api::Open(
      "statelog_open_memory", db, errptr, [] { return StatusOr<std::string>("memory:"); },
      DBOptions{});
}

int statelog_open_rocksdb(statelog_t** db, const char* dir, int sync, char** errptr) {
  constexpr std::string_view kFunction = "statelog_open_rocksdb";
  DBOptions options;
  options.create_if_missing = true;
  options.sync = sync != 0;
  auto name = [&]() -> StatusOr<std::string> {
    STATELOG_RETURN_IF_ERROR(NotNull(dir, kFunction, "dir"));
    return std::string("rocksdb:") + dir;
  };
  return statelog::c_api::Open(kFunction, db, errptr, name, options);
}

int statelog_open_postgres(statelog_t** db, const char* conninfo, const char* schema,
                           char** errptr) {
  constexpr std::string_view kFunction = "statelog_open_postgres";
  DBOptions options;
  options.create_if_missing = true;
  if (schema != nullptr) options.schema = schema;
  auto name = [&]() -> StatusOr<std::string> {
    STATELOG_RETURN_IF_ERROR(NotNull(conninfo, kFunction, "conninfo"));
    return statelog::PostgresStoreName(conninfo);
  };
  return statelog::c_api::Open(kFunction, db, errptr, name, options);
}

void statelog_close(statelog_t* db) { delete db; }

}  // extern "C"
