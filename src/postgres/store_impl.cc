// PostgresStore: Open, the head and reads. Every read is one statement on a pooled connection;
// rows become visible only at commit, together with the head row that covers them, so a read
// below a head length this process saw always finds its rows.
#include "postgres/store_impl.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "postgres/schema.h"
#include "statelog/codec.h"

namespace statelog {
namespace pg {
namespace {

int64_t ClampOffset(Offset o) {
  return static_cast<int64_t>(std::min<Offset>(o, std::numeric_limits<int64_t>::max()));
}

std::string RangeError(Offset begin, Offset end, uint64_t length) {
  return "range [" + std::to_string(begin) + ", " + std::to_string(end) +
         ") is not within the log (length " + std::to_string(length) + ")";
}

// Decodes row `row` of a (pos, chain, body) result.
Status DecodeRow(const PGresult* r, int row, StoredEvent* out) {
  out->offset = static_cast<Offset>(GetInt8(r, row, 0));
  auto chain = GetBytes(r, row, 1);
  if (chain.size() != Hash256::kSize) {
    return Status::Corruption("offset " + std::to_string(out->offset) + ": chain has " +
                              std::to_string(chain.size()) + " bytes");
  }
  out->chain = Hash256::FromSpan(chain);
  auto body = GetBytes(r, row, 2);
  auto event =
      DecodeEvent(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
  if (!event.ok()) {
    return Status::Corruption("offset " + std::to_string(out->offset) + ": " +
                              event.status().ToString());
  }
  out->event = std::move(event).value();
  return Status::OK();
}

}  // namespace

PostgresStore::PostgresStore(const std::string& conninfo, const PostgresOptions& options)
    : pool_(conninfo, options.schema, options.max_idle_connections),
      snapshots_(NewSnapshotStore(&pool_)),
      listener_(std::make_unique<Listener>(&pool_, options.poll_interval_ms,
                                           [this] { NotifyAppended(); })) {}

PostgresStore::~PostgresStore() {
  StopSubscriptions();  // delivery threads read through pool_; stop them first
  listener_.reset();
}

Status PostgresStore::Start() { return listener_->Start(); }

StatusOr<ChainHead> PostgresStore::QueryHead(PGconn* conn) const {
  STATELOG_ASSIGN_OR_RETURN(
      Result r, Exec(conn, "SELECT length, chain FROM head WHERE id = 1", Params(), true));
  if (PQntuples(r.get()) != 1 || GetBytes(r.get(), 0, 1).size() != Hash256::kSize) {
    return Status::Corruption("schema " + pool_.schema() + ": the head row is missing or bad");
  }
  ChainHead head{static_cast<uint64_t>(GetInt8(r.get(), 0, 0)),
                 Hash256::FromSpan(GetBytes(r.get(), 0, 1))};
  std::lock_guard<std::mutex> lock(cached_mu_);
  if (head.length >= cached_head_.length) cached_head_ = head;
  return head;
}

ChainHead PostgresStore::Head() const {
  auto conn = pool_.Acquire();
  if (conn.ok()) {
    auto head = QueryHead(conn->get());
    if (head.ok()) return *head;
  }
  std::lock_guard<std::mutex> lock(cached_mu_);
  return cached_head_;
}

StatusOr<StoredEvent> PostgresStore::Read(Offset offset) const {
  STATELOG_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
  STATELOG_ASSIGN_OR_RETURN(Result r,
                            Exec(conn.get(), "SELECT pos, chain, body FROM events WHERE pos = $1",
                                 Params().Int8(ClampOffset(offset)), true));
  if (PQntuples(r.get()) == 0 || offset > static_cast<Offset>(ClampOffset(offset))) {
    STATELOG_ASSIGN_OR_RETURN(ChainHead head, QueryHead(conn.get()));
    return Status::OutOfRange("offset " + std::to_string(offset) +
                              " is past the end of the log (length " + std::to_string(head.length) +
                              ")");
  }
  StoredEvent out;
  STATELOG_RETURN_IF_ERROR(DecodeRow(r.get(), 0, &out));
  return out;
}

Status PostgresStore::ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const {
  STATELOG_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
  STATELOG_ASSIGN_OR_RETURN(ChainHead head, QueryHead(conn.get()));
  if (begin > end || end > head.length) {
    return Status::OutOfRange(RangeError(begin, end, head.length));
  }
  out->clear();
  if (begin == end) return Status::OK();
  STATELOG_ASSIGN_OR_RETURN(Result r,
                            Exec(conn.get(),
                                 "SELECT pos, chain, body FROM events WHERE pos >= $1 AND pos < $2 "
                                 "ORDER BY pos",
                                 Params().Int8(ClampOffset(begin)).Int8(ClampOffset(end)), true));
  const int rows = PQntuples(r.get());
  if (static_cast<uint64_t>(rows) != end - begin) {
    return Status::Corruption("schema " + pool_.schema() + ": " + std::to_string(rows) +
                              " rows in " + RangeError(begin, end, head.length));
  }
  out->resize(rows);
  for (int i = 0; i < rows; ++i) {
    STATELOG_RETURN_IF_ERROR(DecodeRow(r.get(), i, &(*out)[i]));
    if ((*out)[i].offset != begin + static_cast<Offset>(i)) {
      return Status::Corruption("schema " + pool_.schema() + ": gap at offset " +
                                std::to_string(begin + i));
    }
  }
  return Status::OK();
}

std::optional<Offset> PostgresStore::Find(const EventId& id) const {
  auto offsets =
      QueryOffsets("SELECT pos FROM events WHERE event_id = $1", Params().Bytea(id.span()));
  if (!offsets.ok() || offsets->empty()) return std::nullopt;
  return offsets->front();
}

std::vector<Offset> PostgresStore::ChannelOffsets(const ChannelId& id, Offset before) const {
  auto offsets = QueryOffsets("SELECT pos FROM events WHERE channel = $1 AND pos < $2 ORDER BY pos",
                              Params().Bytea(id.span()).Int8(ClampOffset(before)));
  return offsets.ok() ? std::move(offsets).value() : std::vector<Offset>();
}

std::vector<Offset> PostgresStore::ObjectiveOffsets(const ObjectiveId& id, Offset before) const {
  auto offsets =
      QueryOffsets("SELECT pos FROM events WHERE objective = $1 AND pos < $2 ORDER BY pos",
                   Params().Text(id.ToString()).Int8(ClampOffset(before)));
  return offsets.ok() ? std::move(offsets).value() : std::vector<Offset>();
}

StatusOr<std::vector<Offset>> PostgresStore::QueryOffsets(const char* sql,
                                                          const Params& params) const {
  STATELOG_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
  STATELOG_ASSIGN_OR_RETURN(Result r, Exec(conn.get(), sql, params, true));
  std::vector<Offset> out(PQntuples(r.get()));
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<Offset>(GetInt8(r.get(), static_cast<int>(i), 0));
  }
  return out;
}

}  // namespace pg

StatusOr<std::unique_ptr<PostgresEventStore>> PostgresEventStore::Open(
    const std::string& conninfo, const PostgresOptions& options) {
  STATELOG_RETURN_IF_ERROR(pg::ValidateSchemaName(options.schema));
  {
    STATELOG_ASSIGN_OR_RETURN(pg::Conn conn, pg::Connect(conninfo, options.schema));
    STATELOG_RETURN_IF_ERROR(pg::EnsureSchema(conn.get(), options));
  }
  auto store = std::make_unique<pg::PostgresStore>(conninfo, options);
  STATELOG_RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<PostgresEventStore>(std::move(store));
}

}  // namespace statelog
