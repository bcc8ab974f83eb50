// Schema version 4:
//   meta(key, value)            "schema_version" -> "4"
//   head(id = 1, length, chain) the single row every append locks; length and chain of the log
//   events(pos, event_id, chain, body)
//                               one row per record; body is the payload's encoding (for Nitro
//                               events, the canonical JSON with the id)
//   stream_entries(stream, pos, ts, version)
//                               one row per (stream, record): the record's timestamp and the
//                               stream's version after it; the primary key (stream, pos) serves
//                               a stream's offsets and its tail
//   snapshots(covers, prefix_chain, data)
//   tree_hashes(level, n, hash)  the Merkle tree's stored hashes (docs/tlog-format.md): the hash
//                               of the complete subtree of leaves [n * 2^level, (n+1) * 2^level),
//                               leaf i being the body of the event at pos i
//   checkpoints(number, size, note)
//                               the signed checkpoints the log kept (docs/tlog-format.md, "Kept
//                               checkpoints"): numbered 0, 1, 2, ..., the tree size each is of,
//                               and the signed note byte for byte
// Version 3 had no checkpoints; Open creates the empty table (Upgrade3To4).
// Version 2 had no tree_hashes; Open computes them from the bodies (Upgrade2To3).
// Version 1 had no stream_entries; events carried ts, channel and objective columns (with
// (channel, pos) and (objective, pos) indexes) instead. Open upgrades it in place (Upgrade1To2).
// All table names are unqualified: connections set search_path to the schema (pg_conn.cc).
#include "postgres/schema.h"

#include <string>
#include <unordered_map>
#include <vector>

#include "postgres/pg_conn.h"
#include "statelog/bytes.h"
#include "statelog/tlog.h"

namespace statelog::pg {
namespace {

constexpr int kVersion = PostgresEventStore::kSchemaVersion;

constexpr const char* kCreateStreamEntries =
    "CREATE TABLE stream_entries (stream bytea NOT NULL, pos bigint NOT NULL, ts bigint NOT NULL, "
    "version bigint NOT NULL, PRIMARY KEY (stream, pos))";

constexpr const char* kCreateTreeHashes =
    "CREATE TABLE tree_hashes (level smallint NOT NULL, n bigint NOT NULL, hash bytea NOT NULL, "
    "PRIMARY KEY (level, n))";

constexpr const char* kCreateCheckpoints =
    "CREATE TABLE checkpoints (number bigint PRIMARY KEY CHECK (number >= 0), "
    "size bigint NOT NULL CHECK (size >= 0), note bytea NOT NULL)";

constexpr const char* kCreateTables[] = {
    "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE head (id int PRIMARY KEY CHECK (id = 1), length bigint NOT NULL, "
    "chain bytea NOT NULL)",
    "CREATE TABLE events (pos bigint PRIMARY KEY, event_id bytea NOT NULL UNIQUE, "
    "chain bytea NOT NULL, body bytea NOT NULL)",
    kCreateStreamEntries,
    "CREATE TABLE snapshots (covers bigint PRIMARY KEY, prefix_chain bytea NOT NULL, "
    "data bytea NOT NULL)",
    kCreateTreeHashes,
    kCreateCheckpoints,
};

// Events read per statement while upgrading.
constexpr int64_t kUpgradeChunk = 5000;

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
  if (text.empty() || version < 1) {
    return Status::Corruption("schema " + schema + ": bad schema_version '" + text + "'");
  }
  return version;
}

Status RefuseNewer(int version, const std::string& schema) {
  return Status::NotSupported("schema " + schema + " has version " + std::to_string(version) +
                              ", newer than this statelog's " + std::to_string(kVersion) +
                              ": upgrade statelog");
}

Status Create(PGconn* conn, const std::string& schema) {
  // An identifier cannot be a parameter. The name was validated ([a-z_][a-z0-9_]*), so quoting
  // it is exact; this is the only SQL text built at run time, and it carries no record data.
  const std::string create_schema = "CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"";
  STATELOG_RETURN_IF_ERROR(Exec(conn, create_schema.c_str()).status());
  for (const char* sql : kCreateTables) STATELOG_RETURN_IF_ERROR(Exec(conn, sql).status());
  STATELOG_RETURN_IF_ERROR(Exec(conn, "INSERT INTO head (id, length, chain) VALUES (1, 0, $1)",
                                Params().Bytea(Hash256().span()))
                               .status());
  return Exec(conn, "INSERT INTO meta (key, value) VALUES ('schema_version', $1)",
              Params().Text(std::to_string(kVersion)))
      .status();
}

std::string Bytes(std::span<const uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Version 1 -> 2, inside the caller's transaction: builds stream_entries from the stored
// payloads (the streams and timestamp of each record, as `format` decodes them; each stream's
// versions counted in offset order), then drops the columns and indexes stream_entries replaces.
Status Upgrade1To2(PGconn* conn, const std::string& schema, const RecordFormat& format) {
  // Nothing else reads or writes the log until the upgrade commits: an append of an older
  // process committing meanwhile would have no stream entries.
  STATELOG_RETURN_IF_ERROR(Exec(conn, "LOCK TABLE head, events IN ACCESS EXCLUSIVE MODE").status());
  STATELOG_RETURN_IF_ERROR(Exec(conn, kCreateStreamEntries).status());
  STATELOG_ASSIGN_OR_RETURN(Result head, Exec(conn, "SELECT length FROM head WHERE id = 1"));
  if (PQntuples(head.get()) != 1) {
    return Status::Corruption("schema " + schema + ": the head row is missing");
  }
  const int64_t length = GetInt8(head.get(), 0, 0);
  std::unordered_map<std::string, int64_t> versions;
  int64_t next = 0;
  for (;;) {
    STATELOG_ASSIGN_OR_RETURN(Result r,
                              Exec(conn,
                                   "SELECT pos, event_id, ts, body FROM events WHERE pos >= $1 "
                                   "ORDER BY pos LIMIT $2",
                                   Params().Int8(next).Int8(kUpgradeChunk)));
    const int rows = PQntuples(r.get());
    if (rows == 0) break;
    std::vector<std::optional<std::string>> stream, pos, ts, version;
    for (int i = 0; i < rows; ++i) {
      const int64_t offset = GetInt8(r.get(), i, 0);
      const std::string where = "schema " + schema + ", offset " + std::to_string(next);
      if (offset != next) return Status::Corruption(where + " is missing");
      auto body = GetBytes(r.get(), i, 3);
      Record record;
      Status s = format.Decode(
          std::string_view(reinterpret_cast<const char*>(body.data()), body.size()), &record);
      if (!s.ok()) return Status::Corruption(where + ": " + s.ToString());
      if (Bytes(record.id.span()) != Bytes(GetBytes(r.get(), i, 1)) ||
          record.timestamp != GetInt8(r.get(), i, 2)) {
        return Status::Corruption(where + ": the body does not match the row's id or timestamp");
      }
      for (const std::string& key : record.streams) {
        stream.push_back(key);
        pos.push_back(Int8Bytes(offset));
        ts.push_back(Int8Bytes(record.timestamp));
        version.push_back(Int8Bytes(++versions[key]));
      }
      ++next;
    }
    STATELOG_RETURN_IF_ERROR(
        Exec(conn,
             "INSERT INTO stream_entries (stream, pos, ts, version) "
             "SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::int8[])",
             Params()
                 .Array(kByteaArrayOid, kByteaOid, stream)
                 .Array(kInt8ArrayOid, kInt8Oid, pos)
                 .Array(kInt8ArrayOid, kInt8Oid, ts)
                 .Array(kInt8ArrayOid, kInt8Oid, version))
            .status());
  }
  if (next != length) {
    return Status::Corruption("schema " + schema + ": the head says " + std::to_string(length) +
                              " events, the events table holds " + std::to_string(next));
  }
  for (const char* sql :
       {"DROP INDEX IF EXISTS events_channel_pos", "DROP INDEX IF EXISTS events_objective_pos",
        "ALTER TABLE events DROP COLUMN ts, DROP COLUMN channel, "
        "DROP COLUMN objective",
        "UPDATE meta SET value = '2' WHERE key = 'schema_version'"}) {
    STATELOG_RETURN_IF_ERROR(Exec(conn, sql).status());
  }
  return Status::OK();
}

// Version 2 -> 3, inside the caller's transaction: computes the Merkle tree's stored hashes from
// the stored bodies (nothing is decoded).
Status Upgrade2To3(PGconn* conn, const std::string& schema) {
  STATELOG_RETURN_IF_ERROR(Exec(conn, "LOCK TABLE head, events IN ACCESS EXCLUSIVE MODE").status());
  STATELOG_RETURN_IF_ERROR(Exec(conn, kCreateTreeHashes).status());
  STATELOG_ASSIGN_OR_RETURN(Result head, Exec(conn, "SELECT length FROM head WHERE id = 1"));
  if (PQntuples(head.get()) != 1) {
    return Status::Corruption("schema " + schema + ": the head row is missing");
  }
  const int64_t length = GetInt8(head.get(), 0, 0);
  tlog::RightEdge edge;
  std::vector<tlog::StoredHash> added;
  int64_t next = 0;
  for (;;) {
    STATELOG_ASSIGN_OR_RETURN(
        Result r, Exec(conn, "SELECT pos, body FROM events WHERE pos >= $1 ORDER BY pos LIMIT $2",
                       Params().Int8(next).Int8(kUpgradeChunk)));
    const int rows = PQntuples(r.get());
    if (rows == 0) break;
    std::vector<std::optional<std::string>> level, n, hash;
    for (int i = 0; i < rows; ++i) {
      if (GetInt8(r.get(), i, 0) != next) {
        return Status::Corruption("schema " + schema + ", offset " + std::to_string(next) +
                                  " is missing");
      }
      added.clear();
      edge.Append(tlog::LeafHash(GetBytes(r.get(), i, 1)), &added);
      for (const tlog::StoredHash& h : added) {
        level.push_back(Int8Bytes(h.id.level));
        n.push_back(Int8Bytes(static_cast<int64_t>(h.id.n)));
        hash.push_back(Bytes(h.hash.span()));
      }
      ++next;
    }
    STATELOG_RETURN_IF_ERROR(Exec(conn,
                                  "INSERT INTO tree_hashes (level, n, hash) "
                                  "SELECT * FROM unnest($1::int8[], $2::int8[], $3::bytea[])",
                                  Params()
                                      .Array(kInt8ArrayOid, kInt8Oid, level)
                                      .Array(kInt8ArrayOid, kInt8Oid, n)
                                      .Array(kByteaArrayOid, kByteaOid, hash))
                                 .status());
  }
  if (next != length) {
    return Status::Corruption("schema " + schema + ": the head says " + std::to_string(length) +
                              " events, the events table holds " + std::to_string(next));
  }
  return Exec(conn, "UPDATE meta SET value = '3' WHERE key = 'schema_version'").status();
}

// Version 3 -> 4, inside the caller's transaction: the (empty) table of kept checkpoints.
Status Upgrade3To4(PGconn* conn) {
  STATELOG_RETURN_IF_ERROR(Exec(conn, kCreateCheckpoints).status());
  return Exec(conn, "UPDATE meta SET value = '4' WHERE key = 'schema_version'").status();
}

// Creates or upgrades, inside the caller's transaction, after taking the schema's lock.
Status CreateOrUpgradeLocked(PGconn* conn, const PostgresOptions& options,
                             const RecordFormat& format) {
  const std::string& schema = options.schema;
  // Serializes concurrent Opens that create or upgrade the same schema (the key is derived from
  // its name); whoever comes second finds the work done.
  STATELOG_RETURN_IF_ERROR(
      Exec(conn, "SELECT pg_advisory_xact_lock(7365, hashtext($1))", Params().Text(schema))
          .status());
  STATELOG_ASSIGN_OR_RETURN(int version, StoredVersion(conn, schema));
  if (version > kVersion) return RefuseNewer(version, schema);
  if (version == 0) {
    if (!options.create_if_missing) {
      return Status::NotFound("schema " + schema +
                              " holds no statelog log and create_if_missing is false");
    }
    return Create(conn, schema);
  }
  static_assert(kVersion == 4, "add the upgrade to the new version here");
  if (version == 1) {
    Status s = Upgrade1To2(conn, schema, format);
    if (!s.ok()) return s.WithPrefix("upgrading schema " + schema + " from version 1 to 2");
    version = 2;
  }
  if (version == 2) {
    Status s = Upgrade2To3(conn, schema);
    if (!s.ok()) return s.WithPrefix("upgrading schema " + schema + " from version 2 to 3");
    version = 3;
  }
  if (version == 3) {
    Status s = Upgrade3To4(conn);
    if (!s.ok()) return s.WithPrefix("upgrading schema " + schema + " from version 3 to 4");
  }
  return Status::OK();
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

Status EnsureSchema(PGconn* conn, const PostgresOptions& options, const RecordFormat& format) {
  const std::string& schema = options.schema;
  // The common case, without the lock: the schema is current.
  STATELOG_ASSIGN_OR_RETURN(int version, StoredVersion(conn, schema));
  if (version == kVersion) return Status::OK();
  if (version > kVersion) return RefuseNewer(version, schema);
  if (version == 0 && !options.create_if_missing) {
    return Status::NotFound("schema " + schema +
                            " holds no statelog log and create_if_missing is false");
  }
  STATELOG_RETURN_IF_ERROR(Exec(conn, "BEGIN").status());
  Status s = CreateOrUpgradeLocked(conn, options, format);
  if (!s.ok()) {
    (void)Exec(conn, "ROLLBACK");
    return version == 0 ? s.WithPrefix("creating schema " + schema) : s;
  }
  return Exec(conn, "COMMIT").status();
}

}  // namespace statelog::pg
