// PostgresBackend::Append: the conditional write. One transaction, sent in two pipelined round
// trips:
//   BEGIN
//   SELECT length, chain FROM head WHERE id = 1 FOR UPDATE   -- the append lock: one appender at
//                                                            -- a time, across every process
//   (client: the head must equal the one the core decided against, else ROLLBACK: Conflict)
//   INSERT events, INSERT stream_entries, UPDATE head, pg_notify   -- one statement
//   COMMIT                                                   -- the lock is released after the
//                                                            -- commit is visible
// Offsets are therefore taken in lock order and committed in that order: a later offset never
// becomes visible before an earlier one (docs/adr/0006-postgres-backend.md). The core above has
// done every check and computed offsets, chain values and stream versions against `expected`;
// the lock and the comparison make those decisions hold, whoever else writes the schema.
#include <string>
#include <utility>

#include "postgres/backend.h"

namespace statelog::pg {
namespace {

// Appends whose connection broke before anything was written are retried on a new connection.
constexpr int kAttempts = 3;

std::string Bytes(std::span<const uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string HeadText(const ChainHead& head) {
  return std::to_string(head.length) + ":" + head.chain.ToHex();
}

}  // namespace

Status PostgresBackend::Append(const ChainHead& expected, std::span<const StagedRecord> records) {
  if (records.empty()) return Status::OK();
  // Rows, column by column (binary array elements), built before any connection is held.
  std::vector<std::optional<std::string>> pos, id, chain, body;
  std::vector<std::optional<std::string>> stream, stream_pos, stream_ts, stream_version;
  for (size_t i = 0; i < records.size(); ++i) {
    const StagedRecord& r = records[i];
    if (r.offset != expected.length + i || r.record == nullptr) {
      return Status::InvalidArgument("staged record " + std::to_string(i) + " has offset " +
                                     std::to_string(r.offset) + ", not " +
                                     std::to_string(expected.length + i));
    }
    const std::string offset = Int8Bytes(static_cast<int64_t>(r.offset));
    pos.push_back(offset);
    id.push_back(Bytes(r.record->id.span()));
    chain.push_back(Bytes(r.chain.span()));
    body.push_back(std::string(r.encoded));
    for (const StreamEntry& entry : r.streams) {
      stream.push_back(std::string(entry.stream));
      stream_pos.push_back(offset);
      stream_ts.push_back(Int8Bytes(r.record->timestamp));
      stream_version.push_back(Int8Bytes(static_cast<int64_t>(entry.version)));
    }
  }
  Params write;
  write.Array(kInt8ArrayOid, kInt8Oid, pos)
      .Array(kByteaArrayOid, kByteaOid, id)
      .Array(kByteaArrayOid, kByteaOid, chain)
      .Array(kByteaArrayOid, kByteaOid, body)
      .Array(kByteaArrayOid, kByteaOid, stream)
      .Array(kInt8ArrayOid, kInt8Oid, stream_pos)
      .Array(kInt8ArrayOid, kInt8Oid, stream_ts)
      .Array(kInt8ArrayOid, kInt8Oid, stream_version)
      .Int8(static_cast<int64_t>(expected.length + records.size()))
      .Bytea(records.back().chain.span())
      .Text(schema());

  Status error;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    bool write_sent = false;
    error = AppendOnce(conn->get(), expected, write, &write_sent);
    if (!conn->broken() && PQtransactionStatus(conn->get()) != PQTRANS_IDLE) {
      (void)Exec(conn->get(), "ROLLBACK");  // on failure the lease closes the connection
    }
    if (error.ok()) return error;
    // A connection that broke before the write was sent (e.g. ended by the server while it was
    // idle in the pool) wrote nothing: try again on a new one.
    if (write_sent || !conn->broken()) return error;
  }
  return error;
}

Status PostgresBackend::AppendOnce(PGconn* conn, const ChainHead& expected, const Params& write,
                                   bool* write_sent) {
  // Round trip 1: take the append lock and read the head it protects.
  STATELOG_ASSIGN_OR_RETURN(
      std::vector<Result> locked,
      ExecPipeline(conn, {{"BEGIN", Params()},
                          {"SELECT length, chain FROM head WHERE id = 1 FOR UPDATE", Params()}}));
  const PGresult* row = locked[1].get();
  if (PQntuples(row) != 1 || GetBytes(row, 0, 1).size() != Hash256::kSize) {
    return Status::Corruption("schema " + schema() + ": the head row is missing or bad");
  }
  const ChainHead head{static_cast<uint64_t>(GetInt8(row, 0, 0)),
                       Hash256::FromSpan(GetBytes(row, 0, 1))};
  if (head != expected) {
    return Status::Conflict("schema " + schema() + ": the log's head is " + HeadText(head) +
                            ", not " + HeadText(expected) +
                            " as the append expected: another writer appended first");
  }

  // Round trip 2: rows, stream entries, head and notification in one statement, then COMMIT.
  // The notification is delivered at commit.
  *write_sent = true;
  auto written = ExecPipeline(
      conn, {{"WITH ins AS (INSERT INTO events (pos, event_id, chain, body) "
              "SELECT * FROM unnest($1::int8[], $2::bytea[], $3::bytea[], $4::bytea[])), "
              "ent AS (INSERT INTO stream_entries (stream, pos, ts, version) "
              "SELECT * FROM unnest($5::bytea[], $6::int8[], $7::int8[], $8::int8[])), "
              "upd AS (UPDATE head SET length = $9, chain = $10 WHERE id = 1) "
              "SELECT pg_notify('statelog_append', $11)",
              write},
             {"COMMIT", Params()}});
  if (written.ok()) return Status::OK();
  if (PQstatus(conn) != CONNECTION_OK) {
    return Status::IOError(written.status().ToString() +
                           "; the connection broke, so the append may or may not have "
                           "committed: retrying it is safe (an event id already in the log is "
                           "not appended again)");
  }
  if (written.status().code() == StatusCode::kAlreadyExists) {
    // Every writer holds the head lock and found the head it expected, so a duplicate id or
    // offset can only come from a writer that changed the log without it.
    return Status::Conflict("schema " + schema() + ": " + written.status().ToString() +
                            ": the log moved under the append");
  }
  return written.status();
}

}  // namespace statelog::pg
