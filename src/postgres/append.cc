// PostgresBackend::Append: the conditional write. One transaction, sent in two pipelined round
// trips:
//   BEGIN
//   SELECT length, chain FROM head WHERE id = 1 FOR UPDATE   -- the append lock: one appender at
//                                                            -- a time, across every process
//   (client: the head must equal the one the core decided against, else Conflict)
//   INSERT events, stream_entries, tree_hashes, UPDATE head, pg_notify   -- one statement
//   COMMIT                                                   -- the lock is released after the
//                                                            -- commit is visible
// Offsets are therefore taken in lock order and committed in that order: a later offset never
// becomes visible before an earlier one (docs/adr/0006-postgres-backend.md). The core above has
// done every check and computed offsets, chain values and stream versions against `expected`;
// the lock and the comparison make those decisions hold, whoever else writes the schema.
//
// Conflict hold: a transaction that finds the head moved does not roll back at once. It keeps
// the lock for up to kConflictHold, during which the head cannot move: the core reads what it
// missed, stages its group again against that head and calls Append, which then writes in the
// same transaction. Without the hold, every other process can append in the time the core
// takes to catch up, and under steady contention a process can lose attempt after attempt. If
// no Append comes (the group turned out to need no write), the releaser thread rolls back at
// the deadline; other writers wait at most that long.
#include <string>
#include <utility>

#include "postgres/backend.h"

namespace statelog::pg {
namespace {

// Appends whose connection broke before anything was written are retried on a new connection.
constexpr int kAttempts = 3;
constexpr auto kConflictHold = std::chrono::milliseconds(20);

std::string Bytes(std::span<const uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string HeadText(const ChainHead& head) {
  return std::to_string(head.length) + ":" + head.chain.ToHex();
}

// Rolls back whatever transaction `lease` is inside, unless its connection broke (the lease then
// closes it).
void EndTransaction(const ConnectionPool::Lease& lease) {
  if (!lease.broken() && PQtransactionStatus(lease.get()) != PQTRANS_IDLE) {
    (void)Exec(lease.get(), "ROLLBACK");
  }
}

}  // namespace

Status PostgresBackend::Append(const ChainHead& expected, std::span<const StagedRecord> records) {
  if (records.empty()) return Status::OK();
  // Rows, column by column (binary array elements), built before any connection is held.
  std::vector<std::optional<std::string>> pos, id, chain, body;
  std::vector<std::optional<std::string>> stream, stream_pos, stream_ts, stream_version;
  std::vector<std::optional<std::string>> tree_level, tree_n, tree_hash;
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
    if (r.tree.empty() || r.tree.front().id != tlog::StoredHashId{0, r.offset}) {
      return Status::InvalidArgument("staged record " + std::to_string(i) +
                                     " without its leaf hash for the Merkle tree");
    }
    for (const tlog::StoredHash& h : r.tree) {
      tree_level.push_back(Int8Bytes(h.id.level));
      tree_n.push_back(Int8Bytes(static_cast<int64_t>(h.id.n)));
      tree_hash.push_back(Bytes(h.hash.span()));
    }
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
      .Text(schema())
      .Array(kInt8ArrayOid, kInt8Oid, tree_level)
      .Array(kInt8ArrayOid, kInt8Oid, tree_n)
      .Array(kByteaArrayOid, kByteaOid, tree_hash);

  // The transaction kept from this process's last Conflict, if its deadline has not passed.
  std::unique_ptr<Held> held;
  {
    std::lock_guard<std::mutex> lock(held_mu_);
    held = std::move(held_);
  }
  if (held != nullptr) {
    if (held->head == expected && Alive(held->lease.get())) {
      Status s = WriteAndCommit(held->lease.get(), write);
      EndTransaction(held->lease);
      return s;
    }
    Release(std::move(held));  // staged against another head: start afresh
  }

  for (int attempt = 0;; ++attempt) {
    auto conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    StatusOr<ChainHead> head = LockHead(conn->get());
    if (!head.ok()) {
      EndTransaction(*conn);
      // A connection that broke before the write was sent (e.g. ended by the server while it
      // was idle in the pool) wrote nothing: try again on a new one.
      if (conn->broken() && attempt + 1 < kAttempts) continue;
      return head.status();
    }
    if (*head != expected) {
      std::unique_ptr<Held> keep(new Held{std::move(conn).value(), *head,
                                          std::chrono::steady_clock::now() + kConflictHold});
      {
        std::lock_guard<std::mutex> lock(held_mu_);
        if (!stopping_) std::swap(held_, keep);
      }
      held_cv_.notify_all();
      if (keep != nullptr) Release(std::move(keep));  // shutting down
      return Status::Conflict("schema " + schema() + ": the log's head is " + HeadText(*head) +
                              ", not " + HeadText(expected) +
                              " as the append expected: another writer appended first");
    }
    Status s = WriteAndCommit(conn->get(), write);
    EndTransaction(*conn);  // on failure; the lease closes a broken connection
    return s;
  }
}

StatusOr<ChainHead> PostgresBackend::LockHead(PGconn* conn) const {
  STATELOG_ASSIGN_OR_RETURN(
      std::vector<Result> locked,
      ExecPipeline(conn, {{"BEGIN", Params()},
                          {"SELECT length, chain FROM head WHERE id = 1 FOR UPDATE", Params()}}));
  return HeadFromRow(locked[1]);
}

Status PostgresBackend::WriteAndCommit(PGconn* conn, const Params& write) const {
  // Rows, stream entries, tree hashes, head and notification in one statement, then COMMIT, in
  // one round
  // trip. The notification is delivered at commit.
  auto written = ExecPipeline(
      conn, {{"WITH ins AS (INSERT INTO events (pos, event_id, chain, body) "
              "SELECT * FROM unnest($1::int8[], $2::bytea[], $3::bytea[], $4::bytea[])), "
              "ent AS (INSERT INTO stream_entries (stream, pos, ts, version) "
              "SELECT * FROM unnest($5::bytea[], $6::int8[], $7::int8[], $8::int8[])), "
              "tre AS (INSERT INTO tree_hashes (level, n, hash) "
              "SELECT * FROM unnest($12::int8[], $13::int8[], $14::bytea[])), "
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

void PostgresBackend::Release(std::unique_ptr<Held> held) {
  if (held != nullptr) EndTransaction(held->lease);
}

void PostgresBackend::ReleaseExpired() {
  std::unique_lock<std::mutex> lock(held_mu_);
  while (!stopping_) {
    if (held_ == nullptr) {
      held_cv_.wait(lock);
    } else if (const auto deadline = held_->deadline; std::chrono::steady_clock::now() < deadline) {
      // A copy: held_ may be taken (and freed) by an appender while this thread waits.
      held_cv_.wait_until(lock, deadline);
    } else {
      std::unique_ptr<Held> expired = std::move(held_);
      lock.unlock();
      Release(std::move(expired));
      lock.lock();
    }
  }
}

}  // namespace statelog::pg
