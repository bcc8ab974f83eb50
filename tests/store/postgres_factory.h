// PostgresFactory: the PostgreSQL backend in the conformance suite. Each Make() opens a fresh,
// empty log in a new schema of the server named by STATELOG_PG_CONNINFO (set by the CTest
// fixture in tests/postgres/CMakeLists.txt, which starts a throw-away server).
#ifndef STATELOG_TESTS_STORE_POSTGRES_FACTORY_H_
#define STATELOG_TESTS_STORE_POSTGRES_FACTORY_H_

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "postgres/open_backend.h"
#include "statelog/log_backend.h"
#include "statelog/postgres_store.h"
#include "statelog/store.h"

namespace statelog::test {

// Returns the server's connection string; throws (failing the test, never skipping it) when the
// environment names none.
inline std::string PostgresConninfo() {
  const char* conninfo = std::getenv("STATELOG_PG_CONNINFO");
  if (conninfo == nullptr || *conninfo == '\0') {
    throw std::runtime_error(
        "STATELOG_PG_CONNINFO is not set: run the PostgreSQL tests through ctest (the "
        "postgres_server fixture starts a server with tests/postgres/pg-server.sh), or start one "
        "yourself and export the connection string it prints");
  }
  return conninfo;
}

// Returns a schema name no other Make() of any process uses.
inline std::string FreshPostgresSchema(const char* prefix = "t") {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::string(prefix) + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++) +
         "_" + std::to_string(now % 1000000);
}

// Opens a PostgresEventStore on a fresh schema; throws on failure.
inline std::unique_ptr<PostgresEventStore> OpenFreshPostgresStore(PostgresOptions options = {}) {
  options.schema = FreshPostgresSchema();
  auto store = PostgresEventStore::Open(PostgresConninfo(), options);
  if (!store.ok()) {
    throw std::runtime_error("cannot open a PostgreSQL store (STATELOG_PG_CONNINFO=\"" +
                             PostgresConninfo() + "\"): " + store.status().ToString());
  }
  return std::move(store).value();
}

// Opens the backend alone (Nitro record format) on a fresh schema; throws on failure.
inline std::unique_ptr<LogBackend> OpenFreshPostgresBackend(PostgresOptions options = {}) {
  options.schema = FreshPostgresSchema();
  auto backend = pg::OpenBackend(PostgresConninfo(), options, &EventRecordFormat());
  if (!backend.ok()) {
    throw std::runtime_error("cannot open a PostgreSQL backend (STATELOG_PG_CONNINFO=\"" +
                             PostgresConninfo() + "\"): " + backend.status().ToString());
  }
  return std::move(backend).value();
}

struct PostgresFactory {
  static constexpr const char* kName = "Postgres";
  // Returns a new, empty store in a new schema.
  static std::unique_ptr<EventStore> Make() { return OpenFreshPostgresStore(); }
  // Returns a new, empty backend in a new schema (for tests that wrap it).
  static std::unique_ptr<LogBackend> MakeBackend() { return OpenFreshPostgresBackend(); }
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_POSTGRES_FACTORY_H_
