// ParseStoreName: the one reading of a store name (statelog/db.h) every entry point shares.
#include <string>
#include <string_view>

#include "statelog/db.h"

namespace statelog {
namespace {

bool Consume(std::string_view* name, std::string_view prefix) {
  if (!name->starts_with(prefix)) return false;
  name->remove_prefix(prefix.size());
  return true;
}

}  // namespace

StatusOr<StoreName> ParseStoreName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("store name: empty");
  if (name == "memory:") return StoreName{StoreKind::kMemory, ""};
  if (name.starts_with("postgresql://") || name.starts_with("postgres://")) {
    return StoreName{StoreKind::kPostgres, std::string(name)};
  }
  std::string_view rest = name;
  if (Consume(&rest, "postgresql:")) {
    if (rest.empty()) {
      return Status::InvalidArgument("store name \"postgresql:\": no connection string after it");
    }
    return StoreName{StoreKind::kPostgres, std::string(rest)};
  }
  if (Consume(&rest, "rocksdb:")) {
    if (rest.empty())
      return Status::InvalidArgument("store name \"rocksdb:\": no directory after it");
    return StoreName{StoreKind::kRocksDb, std::string(rest)};
  }
  if (name.starts_with("memory:")) {
    return Status::InvalidArgument("store name \"" + std::string(name) +
                                   "\": \"memory:\" takes nothing after it (a directory of that "
                                   "name is \"rocksdb:" +
                                   std::string(name) + "\")");
  }
  return StoreName{StoreKind::kRocksDb, std::string(name)};
}

std::string PostgresStoreName(std::string_view conninfo) {
  if (conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://")) {
    return std::string(conninfo);
  }
  return "postgresql:" + std::string(conninfo);
}

}  // namespace statelog
