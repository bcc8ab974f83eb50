// Schema version 1:
//   meta(key, value)            "schema_version" -> "1"
//   head(id = 1, length, chain) the single row every append locks; length and chain of the log
//   events(pos, event_id, ts, channel, objective, chain, body)
//                               one row per event; body is the canonical JSON (with the id)
//   snapshots(covers, prefix_chain, data)
// All table names are unqualified: connections set search_path to the schema (pg_conn.cc).
#include "postgres/schema.h"

#include <string>

#include "postgres/pg_conn.h"
#include "statelog/bytes.h"

namespace statelog::pg {
namespace {

constexpr const char* kCreateTables[] = {
    "CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS head (id int PRIMARY KEY CHECK (id = 1), length bigint NOT NULL, "
    "chain bytea NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events (pos bigint PRIMARY KEY, event_id bytea NOT NULL UNIQUE, "
    "ts bigint NOT NULL, channel bytea, objective text, chain bytea NOT NULL, body bytea NOT NULL)",
    "CREATE INDEX IF NOT EXISTS events_channel_pos ON events (channel, pos) "
    "WHERE channel IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS events_objective_pos ON events (objective, pos) "
    "WHERE objective IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS snapshots (covers bigint PRIMARY KEY, prefix_chain bytea NOT NULL, "
    "data bytea NOT NULL)",
};

// Returns the stored version, 0 when the schema has no meta table.
StatusOr<int> StoredVersion(PGconn* conn, const std::string& schema) {
  STATELOG_ASSIGN_OR_RETURN(Result exists,
                            Exec(conn,
                                 "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = $1 "
                                 "AND tablename = 'meta'",
                                 Params().Text(schema)));
  if (GetInt8(exists.get(), 0, 0) == 0) return 0;
  STATELOG_ASSIGN_OR_RETURN(Result r,
                            Exec(conn, "SELECT value FROM meta WHERE key = 'schema_version'"));
  if (PQntuples(r.get()) != 1) {
    return Status::Corruption("schema " + schema + " has a meta table without schema_version");
  }
  auto bytes = GetBytes(r.get(), 0, 0);
  const std::string text(bytes.begin(), bytes.end());
  int version = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || version > 100000) {
      return Status::Corruption("schema " + schema + ": bad schema_version '" + text + "'");
    }
    version = version * 10 + (c - '0');
  }
  return version;
}

Status CheckVersion(int version, const std::string& schema) {
  if (version > PostgresEventStore::kSchemaVersion) {
    return Status::NotSupported("schema " + schema + " has version " + std::to_string(version) +
                                ", newer than this statelog's " +
                                std::to_string(PostgresEventStore::kSchemaVersion) +
                                ": upgrade statelog");
  }
  if (version < 1) return Status::Corruption("schema " + schema + ": bad schema_version");
  return Status::OK();
}

Status CreateLocked(PGconn* conn, const std::string& schema) {
  // Serializes concurrent first Opens of the same schema (the key is derived from its name).
  STATELOG_RETURN_IF_ERROR(
      Exec(conn, "SELECT pg_advisory_xact_lock(7365, hashtext($1))", Params().Text(schema))
          .status());
  STATELOG_ASSIGN_OR_RETURN(int version, StoredVersion(conn, schema));
  if (version != 0) return CheckVersion(version, schema);
  // An identifier cannot be a parameter. The name was validated ([a-z_][a-z0-9_]*), so quoting
  // it is exact; this is the only SQL text built at run time, and it carries no event data.
  const std::string create_schema = "CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"";
  STATELOG_RETURN_IF_ERROR(Exec(conn, create_schema.c_str()).status());
  for (const char* sql : kCreateTables) STATELOG_RETURN_IF_ERROR(Exec(conn, sql).status());
  STATELOG_RETURN_IF_ERROR(Exec(conn, "INSERT INTO head (id, length, chain) VALUES (1, 0, $1)",
                                Params().Bytea(Hash256().span()))
                               .status());
  return Exec(conn, "INSERT INTO meta (key, value) VALUES ('schema_version', $1)",
              Params().Text(std::to_string(PostgresEventStore::kSchemaVersion)))
      .status();
}

}  // namespace

Status ValidateSchemaName(const std::string& schema) {
  bool ok = !schema.empty() && schema.size() <= 63 && schema.rfind("pg_", 0) != 0 &&
            !(schema[0] >= '0' && schema[0] <= '9');
  for (char c : schema) ok &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  if (ok) return Status::OK();
  return Status::InvalidArgument("schema name '" + schema +
                                 "' must match [a-z_][a-z0-9_]{0,62} and not start with pg_");
}

Status EnsureSchema(PGconn* conn, const PostgresOptions& options) {
  const std::string& schema = options.schema;
  STATELOG_ASSIGN_OR_RETURN(int version, StoredVersion(conn, schema));
  if (version != 0) return CheckVersion(version, schema);
  if (!options.create_if_missing) {
    return Status::NotFound("schema " + schema +
                            " holds no statelog log and create_if_missing is false");
  }
  STATELOG_RETURN_IF_ERROR(Exec(conn, "BEGIN").status());
  Status s = CreateLocked(conn, schema);
  if (!s.ok()) {
    (void)Exec(conn, "ROLLBACK");
    return s.WithPrefix("creating schema " + schema);
  }
  return Exec(conn, "COMMIT").status();
}

}  // namespace statelog::pg
