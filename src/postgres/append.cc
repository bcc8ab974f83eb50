// PostgresStore's appends. One transaction commits a group of appends:
//   BEGIN
//   SELECT length, chain FROM head FOR UPDATE    -- the append lock: one appender at a time,
//                                                 -- across every process
//   duplicate ids, entities' last events          -- read after the lock, so they see every
//                                                 -- append committed before it
//   INSERT events, UPDATE head, pg_notify         -- one statement
//   COMMIT                                        -- the lock is released after the commit is
//                                                 -- visible
// Offsets are therefore assigned in lock order and committed in that order: a later offset never
// becomes visible before an earlier one (docs/adr/0006-postgres-backend.md).
//
// Group commit: concurrent Append/AppendBatch calls of this process queue up; one leader takes
// every queued request and commits them in one transaction, checking each request in queue order
// as if it ran alone (a request that fails its checks is left out and gets its own error; the
// others commit). Callers arriving meanwhile form the next group. One commit flush thus serves
// many writers, as in RocksDB's and LevelDB's write groups; nobody waits to grow a group.
#include <string>
#include <unordered_map>
#include <utility>

#include "postgres/store_impl.h"
#include "statelog/codec.h"
#include "store/append_checks.h"

namespace statelog::pg {
namespace {

constexpr int kAttempts = 3;
constexpr size_t kMaxGroupEvents = 2000;  // a leader takes requests up to about this many events

struct Last {
  Timestamp timestamp;
  Offset offset;
};

std::string Bytes(std::span<const uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

using store_internal::CheckTimestampOrder;
using store_internal::EntityName;

// Checks `event` (to be appended at `at`) against its entity's last event, looked up first in
// `pending` (this request), then in `committed` (the log and earlier requests of the group), and
// records it in `pending`.
template <typename Key>
Status CheckEntity(const Event& event, Offset at, const Key& key,
                   const std::unordered_map<Key, Last>& committed,
                   std::unordered_map<Key, Last>* pending) {
  const Last* last = nullptr;
  if (auto it = pending->find(key); it != pending->end()) {
    last = &it->second;
  } else if (auto c = committed.find(key); c != committed.end()) {
    last = &c->second;
  }
  if (last != nullptr) {
    STATELOG_RETURN_IF_ERROR(
        CheckTimestampOrder(event, at, EntityName(key), last->timestamp, last->offset));
  }
  (*pending)[key] = Last{event.timestamp, at};
  return Status::OK();
}

// The new rows of a transaction, column by column (binary array elements).
struct Rows {
  std::vector<std::optional<std::string>> pos, id, ts, channel, objective, chain, body;
  size_t size() const { return pos.size(); }
  void Truncate(size_t n) {
    for (auto* col : {&pos, &id, &ts, &channel, &objective, &chain, &body}) col->resize(n);
  }
};

}  // namespace

struct PostgresStore::AppendRequest {
  std::span<const Event> events;
  std::vector<std::string> bodies;  // canonical encodings of `events`
  bool batch = false;
  // Written by the group's leader before it sets `done`; read by the caller once `done`.
  std::optional<StatusOr<std::vector<AppendResult>>> result;
  bool done = false;  // guarded by group_mu_
};

StatusOr<AppendResult> PostgresStore::Append(const Event& event) {
  STATELOG_ASSIGN_OR_RETURN(auto results, AppendEvents(std::span<const Event>(&event, 1), false));
  return results.front();
}

StatusOr<std::vector<AppendResult>> PostgresStore::AppendBatch(std::span<const Event> events) {
  return AppendEvents(events, true);
}

StatusOr<std::vector<AppendResult>> PostgresStore::AppendEvents(std::span<const Event> events,
                                                                bool batch) {
  // Everything that needs no lock happens first: id checks and encoding.
  AppendRequest request;
  request.events = events;
  request.batch = batch;
  request.bodies.reserve(events.size());
  // A single append's error names no batch index.
  STATELOG_RETURN_IF_ERROR(batch || events.size() != 1 ? store_internal::CheckBatchIds(events)
                                                       : store_internal::CheckEventId(events[0]));
  for (const Event& e : events) request.bodies.push_back(EncodeEvent(e));
  if (events.empty()) return std::vector<AppendResult>();

  std::vector<AppendRequest*> group;
  {
    std::unique_lock<std::mutex> lock(group_mu_);
    queue_.push_back(&request);
    group_cv_.wait(lock, [&] {
      return request.done || (!leader_active_ && !queue_.empty() && queue_.front() == &request);
    });
    if (request.done) return std::move(*request.result);
    leader_active_ = true;
    size_t n = 0;
    while (!queue_.empty() &&
           (group.empty() || n + queue_.front()->events.size() <= kMaxGroupEvents)) {
      n += queue_.front()->events.size();
      group.push_back(queue_.front());
      queue_.pop_front();
    }
  }
  CommitGroup(group);
  {
    std::lock_guard<std::mutex> lock(group_mu_);
    for (AppendRequest* r : group) r->done = true;  // the others may return (and go) from here on
    leader_active_ = false;
  }
  group_cv_.notify_all();
  return std::move(*request.result);
}

void PostgresStore::CommitGroup(const std::vector<AppendRequest*>& group) {
  Status error;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    for (AppendRequest* r : group) r->result.reset();
    auto conn = pool_.Acquire();
    if (!conn.ok()) {
      error = conn.status();
      break;
    }
    bool wrote = false, write_sent = false;
    error = CommitGroupOnce(conn->get(), group, &wrote, &write_sent);
    if (PQtransactionStatus(conn->get()) != PQTRANS_IDLE) {
      (void)Exec(conn->get(), "ROLLBACK");  // on failure the lease closes the connection
    }
    if (error.ok()) {
      if (wrote) NotifyAppended();
      return;
    }
    // Retried: a unique violation (another writer inserted the same id without the lock; the
    // retry reports the committed original), and a connection that broke before anything was
    // written (e.g. the server ended it while it was idle in the pool).
    const bool lost_before_write = !write_sent && PQstatus(conn->get()) != CONNECTION_OK;
    if (error.code() != StatusCode::kAlreadyExists && !lost_before_write) break;
  }
  for (AppendRequest* r : group) r->result = error;  // nothing of the group committed
}

Status PostgresStore::CommitGroupOnce(PGconn* conn, const std::vector<AppendRequest*>& group,
                                      bool* wrote, bool* write_sent) {
  // Round trip 1: lock the head, then read what the checks need. The server runs the pipeline in
  // order, so the reads take their snapshots after the lock was granted.
  std::vector<std::optional<std::string>> ids, channel_keys, objective_keys;
  std::unordered_map<std::string, ObjectiveId> objective_by_name;
  std::unordered_map<ChannelId, bool> channel_seen;
  for (const AppendRequest* r : group) {
    for (const Event& e : r->events) {
      ids.push_back(Bytes(e.id.span()));
      if (const ChannelId* c = e.channel(); c && channel_seen.emplace(*c, true).second) {
        channel_keys.push_back(Bytes(c->span()));
      }
      if (const ObjectiveId* o = e.objective()) {
        if (objective_by_name.emplace(o->ToString(), *o).second) {
          objective_keys.push_back(o->ToString());
        }
      }
    }
  }
  std::vector<Statement> reads;
  reads.push_back({"BEGIN", Params()});
  reads.push_back({"SELECT length, chain FROM head WHERE id = 1 FOR UPDATE", Params()});
  reads.push_back({"SELECT event_id, pos FROM events WHERE event_id = ANY($1)",
                   Params().Array(kByteaArrayOid, kByteaOid, ids)});
  // The last event of each entity, one backward probe of the (entity, pos) index each.
  const size_t channel_query = reads.size();
  if (!channel_keys.empty()) {
    reads.push_back(
        {"SELECT k, l.ts, l.pos FROM unnest($1::bytea[]) AS k, LATERAL (SELECT ts, "
         "pos FROM events WHERE channel = k ORDER BY pos DESC LIMIT 1) AS l",
         Params().Array(kByteaArrayOid, kByteaOid, channel_keys)});
  }
  const size_t objective_query = reads.size();
  if (!objective_keys.empty()) {
    reads.push_back(
        {"SELECT k, l.ts, l.pos FROM unnest($1::text[]) AS k, LATERAL (SELECT ts, "
         "pos FROM events WHERE objective = k ORDER BY pos DESC LIMIT 1) AS l",
         Params().Array(kTextArrayOid, kTextOid, objective_keys)});
  }
  STATELOG_ASSIGN_OR_RETURN(std::vector<Result> read, ExecPipeline(conn, reads));

  const PGresult* head = read[1].get();
  if (PQntuples(head) != 1 || GetBytes(head, 0, 1).size() != Hash256::kSize) {
    return Status::Corruption("schema " + pool_.schema() + ": the head row is missing or bad");
  }
  const Offset length = static_cast<Offset>(GetInt8(head, 0, 0));
  Hash256 chain = Hash256::FromSpan(GetBytes(head, 0, 1));
  std::unordered_map<EventId, Offset> existing;  // the log's, then the group's accepted events
  for (int i = 0; i < PQntuples(read[2].get()); ++i) {
    existing.emplace(EventId::FromSpan(GetBytes(read[2].get(), i, 0)),
                     static_cast<Offset>(GetInt8(read[2].get(), i, 1)));
  }
  std::unordered_map<ChannelId, Last> channels;
  std::unordered_map<ObjectiveId, Last> objectives;
  if (!channel_keys.empty()) {
    const PGresult* r = read[channel_query].get();
    for (int i = 0; i < PQntuples(r); ++i) {
      channels[ChannelId::FromSpan(GetBytes(r, i, 0))] =
          Last{GetInt8(r, i, 1), static_cast<Offset>(GetInt8(r, i, 2))};
    }
  }
  if (!objective_keys.empty()) {
    const PGresult* r = read[objective_query].get();
    for (int i = 0; i < PQntuples(r); ++i) {
      objectives[objective_by_name.at(Bytes(GetBytes(r, i, 0)))] =
          Last{GetInt8(r, i, 1), static_cast<Offset>(GetInt8(r, i, 2))};
    }
  }

  // Each request in queue order, as if alone: offsets, checks, chain values.
  Rows rows;
  Offset next = length;
  for (AppendRequest* req : group) {
    const size_t rows_before = rows.size();
    const Offset next_before = next;
    const Hash256 chain_before = chain;
    std::unordered_map<ChannelId, Last> pending_channels;
    std::unordered_map<ObjectiveId, Last> pending_objectives;
    std::vector<AppendResult> results(req->events.size());
    Status s;
    for (size_t i = 0; i < req->events.size() && s.ok(); ++i) {
      const Event& e = req->events[i];
      if (auto it = existing.find(e.id); it != existing.end()) {
        results[i] = AppendResult{it->second, false};
        continue;
      }
      if (const ChannelId* c = e.channel())
        s = CheckEntity(e, next, *c, channels, &pending_channels);
      if (const ObjectiveId* o = e.objective(); s.ok() && o) {
        s = CheckEntity(e, next, *o, objectives, &pending_objectives);
      }
      if (!s.ok()) {
        if (req->batch) s = s.WithPrefix("batch event " + std::to_string(i));
        break;
      }
      chain = NextChain(chain, e.id);
      results[i] = AppendResult{next, true};
      rows.pos.push_back(Int8Bytes(static_cast<int64_t>(next)));
      rows.id.push_back(Bytes(e.id.span()));
      rows.ts.push_back(Int8Bytes(e.timestamp));
      rows.channel.push_back(e.channel() ? std::optional<std::string>(Bytes(e.channel()->span()))
                                         : std::nullopt);
      rows.objective.push_back(e.objective() ? std::optional<std::string>(e.objective()->ToString())
                                             : std::nullopt);
      rows.chain.push_back(Bytes(chain.span()));
      rows.body.push_back(req->bodies[i]);
      ++next;
    }
    if (!s.ok()) {  // leave this request out; the log stays as before it
      rows.Truncate(rows_before);
      next = next_before;
      chain = chain_before;
      req->result = s;
      continue;
    }
    for (auto& [k, v] : pending_channels) channels[k] = v;
    for (auto& [k, v] : pending_objectives) objectives[k] = v;
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].appended) existing.emplace(req->events[i].id, results[i].offset);
    }
    req->result = std::move(results);
  }
  if (next == length) return Status::OK();  // nothing new: only retries or failed checks

  // Round trip 2: rows, head and notification in one statement, then COMMIT. The NOTIFY is
  // delivered at commit.
  Params params;
  params.Array(kInt8ArrayOid, kInt8Oid, rows.pos)
      .Array(kByteaArrayOid, kByteaOid, rows.id)
      .Array(kInt8ArrayOid, kInt8Oid, rows.ts)
      .Array(kByteaArrayOid, kByteaOid, rows.channel)
      .Array(kTextArrayOid, kTextOid, rows.objective)
      .Array(kByteaArrayOid, kByteaOid, rows.chain)
      .Array(kByteaArrayOid, kByteaOid, rows.body)
      .Int8(static_cast<int64_t>(next))
      .Bytea(chain.span())
      .Text(pool_.schema());
  std::vector<Statement> writes;
  writes.push_back(
      {"WITH ins AS (INSERT INTO events (pos, event_id, ts, channel, objective, chain, body) "
       "SELECT * FROM unnest($1::int8[], $2::bytea[], $3::int8[], $4::bytea[], $5::text[], "
       "$6::bytea[], $7::bytea[])), "
       "upd AS (UPDATE head SET length = $8, chain = $9 WHERE id = 1) "
       "SELECT pg_notify('statelog_append', $10)",
       std::move(params)});
  writes.push_back({"COMMIT", Params()});
  *write_sent = true;
  auto written = ExecPipeline(conn, writes);
  if (!written.ok()) {
    if (PQstatus(conn) != CONNECTION_OK) {
      return Status::IOError(written.status().ToString() +
                             "; the connection broke, so the append may or may not have "
                             "committed: retrying it is safe (an event id already in the log is "
                             "not appended again)");
    }
    return written.status();
  }
  *wrote = true;
  std::lock_guard<std::mutex> lock(cached_mu_);
  if (next > cached_head_.length) cached_head_ = ChainHead{next, chain};
  return Status::OK();
}

}  // namespace statelog::pg
