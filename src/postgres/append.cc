// PostgresStore's appends. One append (single or batch) is one transaction:
//   BEGIN
//   SELECT length, chain FROM head FOR UPDATE    -- the append lock: one appender at a time,
//                                                 -- across every process
//   duplicate ids, entities' last events          -- read after the lock, so they see every
//                                                 -- append committed before it
//   INSERT events, UPDATE head, pg_notify         -- one statement
//   COMMIT                                        -- releases the lock after the commit is visible
// Offsets are therefore assigned in lock order and committed in that order: a later offset never
// becomes visible before an earlier one (docs/adr/0006-postgres-backend.md).
#include <string>
#include <unordered_map>
#include <utility>

#include "postgres/store_impl.h"
#include "statelog/codec.h"

namespace statelog::pg {
namespace {

constexpr int kAttempts = 3;

struct Last {
  Timestamp timestamp;
  Offset offset;
};

std::string Bytes(std::span<const uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string EntityName(const ChannelId& id) { return "channel " + id.ToHex(); }
std::string EntityName(const ObjectiveId& id) { return "objective " + id.ToString(); }

// Checks `event` (to be appended at `at`) against its entity's last event and records it.
template <typename Key, typename Hash>
Status CheckEntity(const Event& event, Offset at, const Key& key,
                   std::unordered_map<Key, Last, Hash>* last) {
  auto it = last->find(key);
  if (it != last->end() && event.timestamp < it->second.timestamp) {
    return Status::FailedPrecondition(
        "event " + event.id.ToHex() + " (would be offset " + std::to_string(at) + "): timestamp " +
        std::to_string(event.timestamp) + " is earlier than timestamp " +
        std::to_string(it->second.timestamp) + " of the previous event of " + EntityName(key) +
        " at offset " + std::to_string(it->second.offset));
  }
  (*last)[key] = Last{event.timestamp, at};
  return Status::OK();
}

Status CheckId(const Event& event) {
  const EventId expected = ComputeEventId(event.timestamp, event.body);
  if (expected == event.id) return Status::OK();
  return Status::InvalidArgument("id " + event.id.ToHex() +
                                 " does not match the event's content: expected " +
                                 expected.ToHex());
}

}  // namespace

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
  std::unordered_map<EventId, size_t> in_batch;
  std::vector<std::string> bodies;
  bodies.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    Status s = CheckId(events[i]);
    if (!s.ok()) return batch ? s.WithPrefix("batch event " + std::to_string(i)) : s;
    auto [it, inserted] = in_batch.emplace(events[i].id, i);
    if (!inserted) {
      return Status::InvalidArgument("batch events " + std::to_string(it->second) + " and " +
                                     std::to_string(i) + " have the same id " +
                                     events[i].id.ToHex());
    }
    bodies.push_back(EncodeEvent(events[i]));
  }
  if (events.empty()) return std::vector<AppendResult>();

  Status last_error;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    STATELOG_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    uint64_t new_length = 0;
    auto results = AppendOnce(conn.get(), events, bodies, batch, &new_length);
    if (PQtransactionStatus(conn.get()) != PQTRANS_IDLE) {
      (void)Exec(conn.get(), "ROLLBACK");  // on failure the lease closes the connection
    }
    if (results.ok()) {
      if (new_length != 0) NotifyAppended();
      return results;
    }
    last_error = results.status();
    // A unique violation means another process inserted the same id; the lock makes that
    // impossible, but if it happens the retry reports the committed original.
    if (last_error.code() != StatusCode::kAlreadyExists) return last_error;
  }
  return last_error;
}

StatusOr<std::vector<AppendResult>> PostgresStore::AppendOnce(
    PGconn* conn, std::span<const Event> events, const std::vector<std::string>& bodies, bool batch,
    uint64_t* new_length) {
  // Round trip 1: lock the head, then read what the checks need. The server runs the pipeline in
  // order, so the reads take their snapshots after the lock was granted and see every append
  // committed before it.
  std::vector<std::optional<std::string>> ids, channel_keys, objective_keys;
  std::unordered_map<std::string, ObjectiveId> objective_by_name;
  std::unordered_map<ChannelId, bool> channel_seen;
  for (const Event& e : events) {
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
  std::vector<Statement> reads;
  reads.push_back({"BEGIN", Params()});
  reads.push_back({"SELECT length, chain FROM head WHERE id = 1 FOR UPDATE", Params()});
  reads.push_back({"SELECT event_id, pos FROM events WHERE event_id = ANY($1)",
                   Params().Array(kByteaArrayOid, kByteaOid, ids)});
  // The last event of each entity the events touch, through the (entity, pos) indexes.
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
  std::unordered_map<EventId, Offset> existing;
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

  // Offsets, checks and chain values, in order.
  std::vector<AppendResult> results(events.size());
  std::vector<std::optional<std::string>> pos, ev_ids, ts, chan, obj, chains, body;
  Offset next = length;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (auto it = existing.find(e.id); it != existing.end()) {
      results[i] = AppendResult{it->second, false};
      continue;
    }
    Status s;
    if (const ChannelId* c = e.channel()) s = CheckEntity(e, next, *c, &channels);
    if (const ObjectiveId* o = e.objective(); s.ok() && o)
      s = CheckEntity(e, next, *o, &objectives);
    if (!s.ok()) return batch ? s.WithPrefix("batch event " + std::to_string(i)) : s;
    chain = NextChain(chain, e.id);
    results[i] = AppendResult{next, true};
    pos.push_back(Int8Bytes(static_cast<int64_t>(next)));
    ev_ids.push_back(Bytes(e.id.span()));
    ts.push_back(Int8Bytes(e.timestamp));
    chan.push_back(e.channel() ? std::optional<std::string>(Bytes(e.channel()->span()))
                               : std::nullopt);
    obj.push_back(e.objective() ? std::optional<std::string>(e.objective()->ToString())
                                : std::nullopt);
    chains.push_back(Bytes(chain.span()));
    body.push_back(bodies[i]);
    ++next;
  }
  if (next == length) return results;  // only retries: nothing to write (rolled back)

  // Round trip 2: rows, head and notification in one statement, then COMMIT. The NOTIFY is
  // delivered at commit; the head lock is released only after the commit is visible.
  Params params;
  params.Array(kInt8ArrayOid, kInt8Oid, pos)
      .Array(kByteaArrayOid, kByteaOid, ev_ids)
      .Array(kInt8ArrayOid, kInt8Oid, ts)
      .Array(kByteaArrayOid, kByteaOid, chan)
      .Array(kTextArrayOid, kTextOid, obj)
      .Array(kByteaArrayOid, kByteaOid, chains)
      .Array(kByteaArrayOid, kByteaOid, body)
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
  *new_length = next;
  std::lock_guard<std::mutex> lock(cached_mu_);
  if (next > cached_head_.length) cached_head_ = ChainHead{next, chain};
  return results;
}

}  // namespace statelog::pg
