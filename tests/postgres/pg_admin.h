// Helpers of the PostgreSQL tests: statements run as the fixture's superuser, and stores opened
// on a named schema.
#ifndef STATELOG_TESTS_POSTGRES_PG_ADMIN_H_
#define STATELOG_TESTS_POSTGRES_PG_ADMIN_H_

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "statelog/postgres_store.h"
#include "store/postgres_factory.h"

namespace statelog::test {

// Runs `sql` (no parameters: test-controlled text only) as the fixture's superuser and returns
// the first column of every row as text.
inline std::vector<std::string> Admin(const std::string& sql) {
  std::vector<std::string> rows;
  PGconn* conn = PQconnectdb(PostgresConninfo().c_str());
  EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
      << sql << ": " << PQresultErrorMessage(r);
  if (st == PGRES_TUPLES_OK && PQnfields(r) > 0) {
    for (int i = 0; i < PQntuples(r); ++i) rows.emplace_back(PQgetvalue(r, i, 0));
  }
  PQclear(r);
  PQfinish(conn);
  return rows;
}

inline StatusOr<std::unique_ptr<PostgresEventStore>> OpenSchema(const std::string& schema,
                                                                const std::string& extra = "",
                                                                bool create = true) {
  PostgresOptions options;
  options.schema = schema;
  options.create_if_missing = create;
  return PostgresEventStore::Open(PostgresConninfo() + extra, options);
}

// Creates a login role that holds exactly the privileges docs/adr/0006-postgres-backend.md
// lists for an application on `schema` (which must exist).
inline void CreateAppRole(const std::string& role, const std::string& schema) {
  Admin("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE");
  Admin("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
  Admin("GRANT SELECT ON " + schema + ".meta TO " + role);
  Admin("GRANT SELECT, INSERT, UPDATE ON " + schema + ".head, " + schema + ".events TO " + role);
  Admin("GRANT SELECT, INSERT ON " + schema + ".stream_entries, " + schema + ".tree_hashes, " +
        schema + ".checkpoints TO " + role);
  Admin("GRANT SELECT, INSERT, UPDATE, DELETE ON " + schema + ".snapshots TO " + role);
}

}  // namespace statelog::test

#endif  // STATELOG_TESTS_POSTGRES_PG_ADMIN_H_
