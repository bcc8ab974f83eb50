// The PostgreSQL backend's tables and their versioning (docs/adr/0006-postgres-backend.md).
#ifndef STATELOG_POSTGRES_SCHEMA_H_
#define STATELOG_POSTGRES_SCHEMA_H_

#include <libpq-fe.h>

#include <string>

#include "statelog/postgres_store.h"
#include "statelog/status.h"

namespace statelog::pg {

// InvalidArgument unless `schema` matches [a-z_][a-z0-9_]{0,62} and does not start with "pg_".
Status ValidateSchemaName(const std::string& schema);

// Makes sure options.schema holds statelog's tables at PostgresEventStore::kSchemaVersion:
// checks the stored version (NotSupported when newer), creates everything when missing and
// options.create_if_missing (NotFound otherwise). Safe when several processes open at once.
// REQUIRES: `conn` came from Connect() with options.schema.
Status EnsureSchema(PGconn* conn, const PostgresOptions& options);

}  // namespace statelog::pg

#endif  // STATELOG_POSTGRES_SCHEMA_H_
