// PostgresBackend: Open, the head and reads. Every read is one statement on a pooled connection
// and returns what the database holds or an error: never an absent id, an empty list or an old
// head in place of an error. Rows become visible only at commit, together with the head row that
// covers them, so a read below a head length some process read always finds its rows.
#include "postgres/backend.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "postgres/schema.h"

namespace statelog::pg {
namespace {

int64_t ClampOffset(Offset o) {
  return static_cast<int64_t>(std::min<Offset>(o, std::numeric_limits<int64_t>::max()));
}

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string RangeText(Offset begin, Offset end) {
  std::string out = "[";  // appended piece by piece: GCC 12 warns (-Wrestrict) on "[" + string
  out += std::to_string(begin);
  out += ", ";
  out += std::to_string(end);
  out += ")";
  return out;
}

}  // namespace

PostgresBackend::PostgresBackend(const std::string& conninfo, const PostgresOptions& options,
                                 const RecordFormat* format)
    : format_(format),
      replicated_delivery_(options.replicated_delivery),
      pool_(conninfo, options.schema, options.max_idle_connections),
      snapshots_(NewSnapshotStore(&pool_)),
      listener_(
          std::make_unique<Listener>(&pool_, options.poll_interval_ms, [this] { OnAppend(); })),
      releaser_([this] { ReleaseExpired(); }) {}

PostgresBackend::~PostgresBackend() {
  listener_.reset();
  std::unique_ptr<Held> held;
  {
    std::lock_guard<std::mutex> lock(held_mu_);
    stopping_ = true;
    held = std::move(held_);
  }
  held_cv_.notify_all();
  releaser_.join();
  Release(std::move(held));
}

StatusOr<std::unique_ptr<PostgresBackend>> PostgresBackend::Open(const std::string& conninfo,
                                                                 const PostgresOptions& options,
                                                                 const RecordFormat* format) {
  STATELOG_RETURN_IF_ERROR(ValidateSchemaName(options.schema));
  {
    STATELOG_ASSIGN_OR_RETURN(Conn conn, Connect(conninfo, options.schema));
    STATELOG_RETURN_IF_ERROR(EnsureSchema(conn.get(), options, *format));
  }
  std::unique_ptr<PostgresBackend> backend(new PostgresBackend(conninfo, options, format));
  STATELOG_RETURN_IF_ERROR(backend->listener_->Start());
  return backend;
}

void PostgresBackend::SetAppendListener(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(callback_mu_);
  callback_ = std::move(callback);
}

void PostgresBackend::OnAppend() {
  std::lock_guard<std::mutex> lock(callback_mu_);
  if (callback_) callback_();
}

StatusOr<ChainHead> PostgresBackend::HeadFromRow(const Result& r) const {
  if (PQntuples(r.get()) != 1 || GetBytes(r.get(), 0, 1).size() != Hash256::kSize) {
    return Status::Corruption("schema " + schema() + ": the head row is missing or bad");
  }
  return ChainHead{static_cast<uint64_t>(GetInt8(r.get(), 0, 0)),
                   Hash256::FromSpan(GetBytes(r.get(), 0, 1))};
}

StatusOr<ChainHead> PostgresBackend::ReadHead() const {
  return pool_.Run([&](PGconn* conn) -> StatusOr<ChainHead> {
    STATELOG_ASSIGN_OR_RETURN(
        Result r, Exec(conn, "SELECT length, chain FROM head WHERE id = 1", Params(), true));
    return HeadFromRow(r);
  });
}

StatusOr<ChainHead> PostgresBackend::ReadDeliverableHead() const {
  if (!replicated_delivery_) return ReadHead();
  // How long to wait for the standbys before answering the last confirmed head: commits wait for
  // them anyway, so they are normally there at once.
  constexpr int kChecks = 10;
  constexpr auto kCheckInterval = std::chrono::milliseconds(10);
  return pool_.Run([&](PGconn* conn) -> StatusOr<ChainHead> {
    // Every commit visible to this statement wrote its commit record below the WAL position it
    // reads afterwards.
    STATELOG_ASSIGN_OR_RETURN(
        Result r,
        Exec(conn, "SELECT length, chain, pg_current_wal_lsn()::text FROM head WHERE id = 1",
             Params(), true));
    STATELOG_ASSIGN_OR_RETURN(const ChainHead head, HeadFromRow(r));
    const auto lsn = GetBytes(r.get(), 0, 2);
    Params at;
    at.Text(std::string_view(reinterpret_cast<const char*>(lsn.data()), lsn.size()));
    for (int check = 0; check < kChecks; ++check) {
      if (check > 0) std::this_thread::sleep_for(kCheckInterval);
      STATELOG_ASSIGN_OR_RETURN(
          Result c, Exec(conn,
                         "SELECT coalesce(bool_and(flush_lsn >= $1::text::pg_lsn), false) "
                         "FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')",
                         at, true));
      if (PQntuples(c.get()) == 1 && GetBytes(c.get(), 0, 0).size() == 1 &&
          GetBytes(c.get(), 0, 0)[0] != 0) {
        std::lock_guard<std::mutex> lock(confirmed_mu_);
        if (head.length > confirmed_.length) confirmed_ = head;
        return head;
      }
    }
    std::lock_guard<std::mutex> lock(confirmed_mu_);
    return confirmed_;
  });
}

Status PostgresBackend::DecodeRow(const PGresult* r, int row, StoredRecord* out) const {
  out->offset = static_cast<Offset>(GetInt8(r, row, 0));
  auto chain = GetBytes(r, row, 1);
  if (chain.size() != Hash256::kSize) {
    return Status::Corruption("schema " + schema() + ", offset " + std::to_string(out->offset) +
                              ": chain has " + std::to_string(chain.size()) + " bytes");
  }
  out->chain = Hash256::FromSpan(chain);
  auto body = GetBytes(r, row, 2);
  Status s = format_->Decode(
      std::string_view(reinterpret_cast<const char*>(body.data()), body.size()), &out->record);
  if (!s.ok()) {
    return Status::Corruption("schema " + schema() + ", offset " + std::to_string(out->offset) +
                              ": " + s.ToString());
  }
  return Status::OK();
}

Status PostgresBackend::ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const {
  out->clear();
  if (begin >= end) return Status::OK();
  auto rows = pool_.Run([&](PGconn* conn) -> StatusOr<std::vector<StoredRecord>> {
    STATELOG_ASSIGN_OR_RETURN(
        Result r, Exec(conn,
                       "SELECT pos, chain, body FROM events WHERE pos >= $1 AND pos < $2 "
                       "ORDER BY pos",
                       Params().Int8(ClampOffset(begin)).Int8(ClampOffset(end)), true));
    const int n = PQntuples(r.get());
    std::vector<StoredRecord> records(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      STATELOG_RETURN_IF_ERROR(DecodeRow(r.get(), i, &records[static_cast<size_t>(i)]));
      const Offset expected = begin + static_cast<Offset>(i);
      if (records[static_cast<size_t>(i)].offset != expected) {
        return Status::Corruption("schema " + schema() + ": offset " + std::to_string(expected) +
                                  " is missing");
      }
    }
    if (static_cast<uint64_t>(n) != end - begin) {
      return Status::Corruption("schema " + schema() + ": offset " +
                                std::to_string(begin + static_cast<Offset>(n)) +
                                " is missing (reading " + RangeText(begin, end) + ")");
    }
    return records;
  });
  if (!rows.ok()) return rows.status();
  *out = std::move(rows).value();
  return Status::OK();
}

StatusOr<DiskUsage> PostgresBackend::MeasureDiskUsage() const {
  return pool_.Run([&](PGconn* conn) -> StatusOr<DiskUsage> {
    // The tables are found through the search path, which names the log's schema.
    STATELOG_ASSIGN_OR_RETURN(
        Result r,
        Exec(conn,
             "SELECT pg_table_size('events'), pg_indexes_size('events'), "
             "pg_total_relation_size('stream_entries'), pg_total_relation_size('tree_hashes'), "
             "pg_total_relation_size('snapshots'), pg_total_relation_size('checkpoints'), "
             "(SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
             "JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm'))",
             Params(), true));
    auto at = [&](int column) { return static_cast<uint64_t>(GetInt8(r.get(), 0, column)); };
    DiskUsage usage;
    usage.events = at(0);
    usage.indexes = at(1) + at(2);
    usage.tree = at(3);
    usage.snapshots = at(4);
    usage.checkpoints = at(5);
    usage.total = at(6);
    return usage;
  });
}

StatusOr<std::optional<KeptCheckpoint>> PostgresBackend::ReadLatestCheckpoint() const {
  return pool_.Run([&](PGconn* conn) -> StatusOr<std::optional<KeptCheckpoint>> {
    STATELOG_ASSIGN_OR_RETURN(
        Result r,
        Exec(conn, "SELECT number, size, note FROM checkpoints ORDER BY number DESC LIMIT 1",
             Params(), true));
    if (PQntuples(r.get()) == 0) return std::optional<KeptCheckpoint>();
    const int64_t number = GetInt8(r.get(), 0, 0);
    const int64_t size = GetInt8(r.get(), 0, 1);
    if (size < 0) {
      return Status::Corruption("schema " + schema() + ": kept checkpoint " +
                                std::to_string(number) + " has size " + std::to_string(size));
    }
    const auto note = GetBytes(r.get(), 0, 2);
    return std::optional<KeptCheckpoint>(KeptCheckpoint{static_cast<uint64_t>(number),
                                                        static_cast<uint64_t>(size),
                                                        std::string(note.begin(), note.end())});
  });
}

Status PostgresBackend::KeepCheckpoint(const KeptCheckpoint& checkpoint) {
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (checkpoint.number >= kMax || checkpoint.size > kMax) {
    return Status::InvalidArgument("kept checkpoint " + std::to_string(checkpoint.number) +
                                   " of size " + std::to_string(checkpoint.size) +
                                   " does not fit the checkpoints table");
  }
  const auto* note = reinterpret_cast<const uint8_t*>(checkpoint.note.data());
  const Params params = Params()
                            .Int8(static_cast<int64_t>(checkpoint.number))
                            .Int8(static_cast<int64_t>(checkpoint.size))
                            .Bytea(std::span<const uint8_t>(note, checkpoint.note.size()));
  const std::string conflict =
      "schema " + schema() + ": cannot keep checkpoint " + std::to_string(checkpoint.number) + ": ";
  // Not retried: a second run after a first that committed would report a conflict with itself.
  // The number is the next one only if the latest kept is the one before; two writers of the
  // same number meet at the primary key.
  STATELOG_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
  StatusOr<Result> r = Exec(conn.get(),
                            "INSERT INTO checkpoints (number, size, note) SELECT $1, $2, $3 "
                            "WHERE (SELECT coalesce(max(number), -1) FROM checkpoints) = $1 - 1",
                            params, true);
  if (r.status().code() == StatusCode::kAlreadyExists) {
    return Status::Conflict(conflict + "another writer kept it first");
  }
  STATELOG_RETURN_IF_ERROR(r.status());
  if (std::string_view(PQcmdTuples(r->get())) != "1") {
    return Status::Conflict(conflict + "it is not the next number");
  }
  return Status::OK();
}

Status PostgresBackend::ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                                       std::span<tlog::Hash> out) const {
  // Hashes one query reads; a proof needs about 2 log2(n), one query.
  constexpr size_t kTreeChunk = 1000;
  for (size_t begin = 0; begin < ids.size(); begin += kTreeChunk) {
    const size_t n = std::min(kTreeChunk, ids.size() - begin);
    std::vector<std::optional<std::string>> levels(n), ns(n);
    std::map<std::pair<int, uint64_t>, std::vector<size_t>> wanted;  // an id may repeat
    for (size_t k = 0; k < n; ++k) {
      const tlog::StoredHashId& id = ids[begin + k];
      levels[k] = Int8Bytes(id.level);
      ns[k] = Int8Bytes(static_cast<int64_t>(id.n));
      wanted[{id.level, id.n}].push_back(begin + k);
    }
    STATELOG_RETURN_IF_ERROR(pool_.Run([&](PGconn* conn) -> Status {
      STATELOG_ASSIGN_OR_RETURN(
          Result r,
          Exec(conn,
               "SELECT t.level::int8, t.n, t.hash FROM tree_hashes t JOIN "
               "unnest($1::int8[], $2::int8[]) AS w(level, n) "
               "ON t.level = w.level AND t.n = w.n",
               Params().Array(kInt8ArrayOid, kInt8Oid, levels).Array(kInt8ArrayOid, kInt8Oid, ns),
               true));
      for (int row = 0; row < PQntuples(r.get()); ++row) {
        const auto key = std::make_pair(static_cast<int>(GetInt8(r.get(), row, 0)),
                                        static_cast<uint64_t>(GetInt8(r.get(), row, 1)));
        auto it = wanted.find(key);
        if (it == wanted.end()) continue;
        const auto hash = GetBytes(r.get(), row, 2);
        if (hash.size() != tlog::Hash::kSize) {
          return Status::Corruption("schema " + schema() + ": the Merkle tree's stored hash " +
                                    tlog::ToString({key.first, key.second}) + " has " +
                                    std::to_string(hash.size()) + " bytes");
        }
        for (size_t at : it->second) out[at] = tlog::Hash::FromSpan(hash);
        wanted.erase(it);
      }
      return Status::OK();
    }));
    if (!wanted.empty()) {
      const auto& [level, missing] = wanted.begin()->first;
      return Status::Corruption("schema " + schema() + ": the Merkle tree's stored hash " +
                                tlog::ToString({level, missing}) + " is missing");
    }
  }
  return Status::OK();
}

StatusOr<std::optional<Offset>> PostgresBackend::Find(const RecordId& id) const {
  return pool_.Run([&](PGconn* conn) -> StatusOr<std::optional<Offset>> {
    STATELOG_ASSIGN_OR_RETURN(Result r, Exec(conn, "SELECT pos FROM events WHERE event_id = $1",
                                             Params().Bytea(id.span()), true));
    if (PQntuples(r.get()) == 0) return std::optional<Offset>();
    return std::optional<Offset>(static_cast<Offset>(GetInt8(r.get(), 0, 0)));
  });
}

Status PostgresBackend::FindMany(std::span<const RecordId> ids,
                                 std::vector<std::optional<Offset>>* out) const {
  // Ids one query looks up: a batch of any size is a few round trips, each a bounded message.
  constexpr size_t kFindChunk = 1000;
  out->assign(ids.size(), std::nullopt);
  for (size_t begin = 0; begin < ids.size(); begin += kFindChunk) {
    const size_t n = std::min(kFindChunk, ids.size() - begin);
    std::vector<std::optional<std::string>> elems(n);
    std::unordered_map<RecordId, std::vector<size_t>> wanted;  // an id may repeat
    for (size_t k = 0; k < n; ++k) {
      const RecordId& id = ids[begin + k];
      elems[k] = std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
      wanted[id].push_back(begin + k);
    }
    STATELOG_RETURN_IF_ERROR(pool_.Run([&](PGconn* conn) -> Status {
      STATELOG_ASSIGN_OR_RETURN(
          Result r, Exec(conn, "SELECT event_id, pos FROM events WHERE event_id = ANY($1)",
                         Params().Array(kByteaArrayOid, kByteaOid, elems), true));
      for (int row = 0; row < PQntuples(r.get()); ++row) {
        const std::span<const uint8_t> id = GetBytes(r.get(), row, 0);
        auto it = id.size() == RecordId::kSize ? wanted.find(RecordId::FromSpan(id)) : wanted.end();
        if (it == wanted.end()) {
          return Status::Corruption("schema " + schema() + ": a lookup of " + std::to_string(n) +
                                    " ids returned a row for an id not asked for");
        }
        for (size_t i : it->second) (*out)[i] = static_cast<Offset>(GetInt8(r.get(), row, 1));
      }
      return Status::OK();
    }));
  }
  return Status::OK();
}

StatusOr<std::vector<Offset>> PostgresBackend::StreamOffsets(std::string_view stream,
                                                             Offset before) const {
  return pool_.Run([&](PGconn* conn) -> StatusOr<std::vector<Offset>> {
    STATELOG_ASSIGN_OR_RETURN(
        Result r, Exec(conn,
                       "SELECT pos FROM stream_entries WHERE stream = $1 AND pos < $2 "
                       "ORDER BY pos",
                       Params().Bytea(AsBytes(stream)).Int8(ClampOffset(before)), true));
    std::vector<Offset> out(static_cast<size_t>(PQntuples(r.get())));
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = static_cast<Offset>(GetInt8(r.get(), static_cast<int>(i), 0));
    }
    return out;
  });
}

StatusOr<std::optional<StreamTail>> PostgresBackend::ReadStreamTail(std::string_view stream,
                                                                    Offset before) const {
  return pool_.Run([&](PGconn* conn) -> StatusOr<std::optional<StreamTail>> {
    // One backward probe of the (stream, pos) primary key.
    STATELOG_ASSIGN_OR_RETURN(
        Result r, Exec(conn,
                       "SELECT version, pos, ts FROM stream_entries WHERE stream = $1 AND "
                       "pos < $2 ORDER BY pos DESC LIMIT 1",
                       Params().Bytea(AsBytes(stream)).Int8(ClampOffset(before)), true));
    if (PQntuples(r.get()) == 0) return std::optional<StreamTail>();
    return std::optional<StreamTail>(StreamTail{static_cast<uint64_t>(GetInt8(r.get(), 0, 0)),
                                                static_cast<Offset>(GetInt8(r.get(), 0, 1)),
                                                GetInt8(r.get(), 0, 2)});
  });
}

}  // namespace statelog::pg
