#include "postgres/pg_conn.h"

#include <poll.h>

#include <cstdint>
#include <cstring>
#include <unordered_set>
#include <utility>

namespace statelog::pg {
namespace {

void PutInt32(int32_t v, std::string* out) {
  const auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(u >> shift));
}

std::string StatementName(const char* sql) {
  std::string_view s(sql);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  if (s.size() > 60) return std::string(s.substr(0, 60)) + "...";
  return std::string(s);
}

// Per-connection set of prepared statements, attached to the PGconn as libpq instance data and
// freed with it.
struct PreparedSet {
  std::unordered_set<const char*> sql;
};

int ConnEventProc(PGEventId id, void* info, void*) {
  if (id == PGEVT_CONNDESTROY) {
    PGconn* conn = static_cast<PGEventConnDestroy*>(info)->conn;
    delete static_cast<PreparedSet*>(PQinstanceData(conn, ConnEventProc));
  }
  return 1;
}

std::string PreparedName(const char* sql) {
  return "statelog_" + std::to_string(reinterpret_cast<uintptr_t>(sql));
}

Status ResultError(PGconn* conn, const PGresult* r, const char* sql);
bool ResultOk(const PGresult* r);

// Prepares `sql` on `conn` unless done before.
Status EnsurePrepared(PGconn* conn, const char* sql, const Params& params) {
  auto* set = static_cast<PreparedSet*>(PQinstanceData(conn, ConnEventProc));
  if (set == nullptr) return Status::Aborted("connection without statelog instance data");
  if (set->sql.count(sql)) return Status::OK();
  Result r(PQprepare(conn, PreparedName(sql).c_str(), sql, params.size(), params.types()));
  if (!ResultOk(r.get())) return ResultError(conn, r.get(), sql);
  set->sql.insert(sql);
  return Status::OK();
}

}  // namespace

// An idle connection has nothing to read unless the server closed it (a terminated backend, a
// restart) or sent a notice: read what is there and see whether it is still usable.
bool Alive(PGconn* conn) {
  pollfd fd{PQsocket(conn), POLLIN, 0};
  if (fd.fd < 0) return false;
  // A closed connection stays readable: the FATAL message, then end-of-file, which makes
  // PQconsumeInput fail. A notice is read once and the socket goes quiet.
  for (int i = 0; i < 4 && poll(&fd, 1, 0) > 0; ++i) {
    if (PQconsumeInput(conn) == 0) return false;
  }
  return PQstatus(conn) == CONNECTION_OK;
}

std::string Int8Bytes(int64_t v) {
  std::string out;
  const auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(u >> shift));
  return out;
}

Params& Params::Int8(int64_t v) {
  types_.push_back(kInt8Oid);
  values_.push_back(Int8Bytes(v));
  return *this;
}

Params& Params::Bytea(std::span<const uint8_t> v) {
  types_.push_back(kByteaOid);
  values_.emplace_back(reinterpret_cast<const char*>(v.data()), v.size());
  return *this;
}

Params& Params::Text(std::string_view v) {
  types_.push_back(kTextOid);
  values_.emplace_back(v);
  return *this;
}

// Binary array format (arrayfuncs.c array_send): ndim, has-null flag, element type, then per
// dimension its size and lower bound, then per element its length (-1 for NULL) and bytes.
Params& Params::Array(Oid array_type, Oid elem_type,
                      const std::vector<std::optional<std::string>>& elems) {
  std::string out;
  bool has_null = false;
  for (const auto& e : elems) has_null |= !e.has_value();
  PutInt32(1, &out);
  PutInt32(has_null ? 1 : 0, &out);
  PutInt32(static_cast<int32_t>(elem_type), &out);
  PutInt32(static_cast<int32_t>(elems.size()), &out);
  PutInt32(1, &out);
  for (const auto& e : elems) {
    if (!e) {
      PutInt32(-1, &out);
      continue;
    }
    PutInt32(static_cast<int32_t>(e->size()), &out);
    out += *e;
  }
  types_.push_back(array_type);
  values_.push_back(std::move(out));
  return *this;
}

std::vector<const char*> Params::values() const {
  std::vector<const char*> out;
  for (const std::string& v : values_) out.push_back(v.data());
  return out;
}

std::vector<int> Params::lengths() const {
  std::vector<int> out;
  for (const std::string& v : values_) out.push_back(static_cast<int>(v.size()));
  return out;
}

namespace {

// libpq's messages span lines ("...failed: No such file or directory\n\tIs the server running
// ..."): one line for statelog's errors, which end up in logs and on a terminal.
std::string OneLine(std::string msg) {
  std::string out;
  bool space = false;
  for (char c : msg) {
    if (c == '\n' || c == '\t' || c == ' ' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

Status ResultError(PGconn* conn, const PGresult* r, const char* sql) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  if (msg.empty()) msg = PQerrorMessage(conn);
  msg = "postgres " + std::string(state ? state : "(no SQLSTATE)") + ": " + OneLine(msg) +
        " (in \"" + StatementName(sql) + "\")";
  if (state && std::strcmp(state, "23505") == 0) return Status::AlreadyExists(msg);
  // The server is out of reach rather than refusing the statement: the connection broke, or the
  // server ended it or cannot serve now (connection_exception, admin_shutdown, crash_shutdown,
  // cannot_connect_now: a restart, a stop, a failover).
  const bool unreachable =
      PQstatus(conn) != CONNECTION_OK ||
      (state && (std::strncmp(state, "08", 2) == 0 || std::strcmp(state, "57P01") == 0 ||
                 std::strcmp(state, "57P02") == 0 || std::strcmp(state, "57P03") == 0));
  return unreachable ? Status::IOError(msg).AsUnreachable() : Status::IOError(msg);
}

bool ResultOk(const PGresult* r) {
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

}  // namespace

StatusOr<Result> Exec(PGconn* conn, const char* sql, const Params& params, bool prepare) {
  const std::vector<const char*> values = params.values();
  const std::vector<int> lengths = params.lengths();
  const std::vector<int> formats(values.size(), 1);
  Result r;
  if (prepare) {
    STATELOG_RETURN_IF_ERROR(EnsurePrepared(conn, sql, params));
    r.reset(PQexecPrepared(conn, PreparedName(sql).c_str(), params.size(), values.data(),
                           lengths.data(), formats.data(), /*resultFormat=*/1));
  } else {
    r.reset(PQexecParams(conn, sql, params.size(), params.types(), values.data(), lengths.data(),
                         formats.data(), /*resultFormat=*/1));
  }
  if (ResultOk(r.get())) return r;
  return ResultError(conn, r.get(), sql);
}

StatusOr<std::vector<Result>> ExecPipeline(PGconn* conn, const std::vector<Statement>& statements) {
  for (const Statement& st : statements) {
    STATELOG_RETURN_IF_ERROR(EnsurePrepared(conn, st.sql, st.params));
  }
  if (PQenterPipelineMode(conn) == 0) return ResultError(conn, nullptr, "(pipeline)");
  Status error;
  size_t sent = 0;
  for (const Statement& st : statements) {
    const std::vector<const char*> values = st.params.values();
    const std::vector<int> lengths = st.params.lengths();
    const std::vector<int> formats(values.size(), 1);
    if (PQsendQueryPrepared(conn, PreparedName(st.sql).c_str(), st.params.size(), values.data(),
                            lengths.data(), formats.data(), /*resultFormat=*/1) == 0) {
      error = ResultError(conn, nullptr, st.sql);
      break;
    }
    ++sent;
  }
  std::vector<Result> results;
  if (PQpipelineSync(conn) == 0 && error.ok()) error = ResultError(conn, nullptr, "(sync)");
  // Each statement yields its result then a null; the sync yields PGRES_PIPELINE_SYNC.
  for (size_t i = 0; i < sent; ++i) {
    Result r(PQgetResult(conn));
    if (!r) {  // the connection failed
      if (error.ok()) error = ResultError(conn, nullptr, statements[i].sql);
      break;
    }
    while (PGresult* extra = PQgetResult(conn)) PQclear(extra);
    if (error.ok() && !ResultOk(r.get())) error = ResultError(conn, r.get(), statements[i].sql);
    results.push_back(std::move(r));
  }
  for (;;) {
    Result r(PQgetResult(conn));
    if (!r || PQresultStatus(r.get()) == PGRES_PIPELINE_SYNC) break;
  }
  if (PQexitPipelineMode(conn) == 0 && error.ok()) {
    error = ResultError(conn, nullptr, "(exit pipeline)");
  }
  if (!error.ok()) return error;
  return results;
}

int64_t GetInt8(const PGresult* r, int row, int col) {
  const auto* p = reinterpret_cast<const uint8_t*>(PQgetvalue(r, row, col));
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];
  return static_cast<int64_t>(u);
}

std::span<const uint8_t> GetBytes(const PGresult* r, int row, int col) {
  return {reinterpret_cast<const uint8_t*>(PQgetvalue(r, row, col)),
          static_cast<size_t>(PQgetlength(r, row, col))};
}

StatusOr<Conn> Connect(const std::string& conninfo, const std::string& schema) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (!conn) return Status::IOError("postgres: out of memory opening a connection");
  if (PQregisterEventProc(conn.get(), ConnEventProc, "statelog", nullptr) == 0 ||
      PQsetInstanceData(conn.get(), ConnEventProc, new PreparedSet) == 0) {
    return Status::IOError("postgres: cannot attach statelog's connection state");
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::IOError("postgres: cannot connect: " + OneLine(PQerrorMessage(conn.get())))
        .AsUnreachable();
  }
  // search_path by parameter: every table name below resolves in `schema`, nowhere else. A
  // client that stalls inside an append (holding the head lock) is cut off after a minute, so
  // it cannot block every other writer forever.
  auto r = Exec(conn.get(),
                "SELECT set_config('search_path', $1, false), "
                "set_config('client_min_messages', 'warning', false), "
                "set_config('idle_in_transaction_session_timeout', '60s', false)",
                Params().Text(schema));
  if (!r.ok()) return r.status();
  return conn;
}

ConnectionPool::Lease::~Lease() {
  if (conn_) pool_->Release(std::move(conn_));
}

StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire() {
  for (;;) {
    Conn c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_.empty()) break;
      c = std::move(idle_.back());
      idle_.pop_back();
    }
    if (Alive(c.get())) return Lease(this, std::move(c), /*reused=*/true);
  }
  STATELOG_ASSIGN_OR_RETURN(Conn c, Connect());
  return Lease(this, std::move(c), /*reused=*/false);
}

void ConnectionPool::Release(Conn conn) {
  if (PQstatus(conn.get()) != CONNECTION_OK || PQtransactionStatus(conn.get()) != PQTRANS_IDLE) {
    return;  // broken or left inside a transaction: close it
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

}  // namespace statelog::pg
