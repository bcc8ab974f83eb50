// The PostgreSQL backend's tables and their versioning (docs/adr/0006-postgres-backend.md).
#ifndef STATELOG_POSTGRES_SCHEMA_H_
#define STATELOG_POSTGRES_SCHEMA_H_

#include <libpq-fe.h>

#include <string>

#include "statelog/log.h"
#include "statelog/postgres_store.h"
#include "statelog/status.h"

namespace statelog::pg {

// InvalidArgument unless `schema` matches [a-z_][a-z0-9_]{0,62} and does not start with "pg_".
Status ValidateSchemaName(const std::string& schema);

// Makes sure options.schema holds statelog's tables at PostgresEventStore::kSchemaVersion:
// refuses a newer stored version (NotSupported); creates everything when the schema holds no log
// and options.create_if_missing (NotFound otherwise); upgrades an older version in place, in one
// transaction, decoding the stored payloads with `format` (an error leaves the schema as it
// was). Creation and upgrade hold the schema's advisory lock, so several processes may open at
// once: one does the work, the others find it done.
// REQUIRES: `conn` came from Connect() with options.schema.
Status EnsureSchema(PGconn* conn, const PostgresOptions& options, const RecordFormat& format);

}  // namespace statelog::pg

#endif  // STATELOG_POSTGRES_SCHEMA_H_
