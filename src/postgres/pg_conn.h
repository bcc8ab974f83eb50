// libpq plumbing for the PostgreSQL backend: owned connections and results, binary parameters,
// a connection pool. Every statement is sent with PQexecParams: data only ever travels as a
// parameter, never inside SQL text.
#ifndef STATELOG_POSTGRES_PG_CONN_H_
#define STATELOG_POSTGRES_PG_CONN_H_

#include <libpq-events.h>
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/status.h"

namespace statelog::pg {

// Type oids (pg_type.h; stable across PostgreSQL versions).
inline constexpr Oid kInt8Oid = 20;
inline constexpr Oid kByteaOid = 17;
inline constexpr Oid kTextOid = 25;
inline constexpr Oid kInt8ArrayOid = 1016;
inline constexpr Oid kByteaArrayOid = 1001;
inline constexpr Oid kTextArrayOid = 1009;

// The notification channel every append signals (NOTIFY payload: the schema name).
inline constexpr const char* kNotifyChannel = "statelog_append";

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Binary-format parameters of one statement, in order ($1, $2, ...).
class Params {
 public:
  Params& Int8(int64_t v);
  Params& Bytea(std::span<const uint8_t> v);
  Params& Text(std::string_view v);
  // A one-dimensional array; nullopt elements are NULL. Elements are binary encodings of
  // `elem_type` (Int8Bytes() for int8, raw bytes for bytea and text).
  Params& Array(Oid array_type, Oid elem_type,
                const std::vector<std::optional<std::string>>& elems);

  int size() const { return static_cast<int>(types_.size()); }
  const Oid* types() const { return types_.data(); }
  // Pointers into this object; valid until it is modified or destroyed.
  std::vector<const char*> values() const;
  std::vector<int> lengths() const;

 private:
  std::vector<Oid> types_;
  std::vector<std::string> values_;
};

// Returns the 8-byte big-endian encoding of `v` (int8's binary format).
std::string Int8Bytes(int64_t v);

// Executes one statement with binary parameters and binary results. Errors become IOError
// (AlreadyExists for a unique violation, SQLSTATE 23505) naming the SQLSTATE and the message.
// With `prepare`, the statement is prepared on first use on `conn` and reused (no parse and
// plan per call); `sql` must then be a string literal (its address names the statement) and
// `conn` must come from Connect().
StatusOr<Result> Exec(PGconn* conn, const char* sql, const Params& params = Params(),
                      bool prepare = false);

// One statement of a pipeline.
struct Statement {
  const char* sql;  // a string literal: statements are prepared (see Exec)
  Params params;
};

// Sends `statements` at once in pipeline mode (one round trip) and returns their results, or the
// first statement's error (the later ones are then skipped by the server). Inside an explicit
// transaction, a failure leaves it aborted: the caller rolls back.
StatusOr<std::vector<Result>> ExecPipeline(PGconn* conn, const std::vector<Statement>& statements);

// Accessors of binary results. REQUIRES: the column has the named type and is not NULL.
int64_t GetInt8(const PGresult* r, int row, int col);
std::span<const uint8_t> GetBytes(const PGresult* r, int row, int col);
inline bool IsNull(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }

// False when `conn`, idle, was ended by the server (a terminated backend, a restart) or broke.
// Reads what the server sent without waiting.
bool Alive(PGconn* conn);

// Opens a connection with search_path set to `schema` only.
StatusOr<Conn> Connect(const std::string& conninfo, const std::string& schema);

// Connections for concurrent operations. Thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(std::string conninfo, std::string schema, size_t max_idle)
      : conninfo_(std::move(conninfo)), schema_(std::move(schema)), max_idle_(max_idle) {}

  // A connection on loan; returned to the pool on destruction if it is healthy and idle (not
  // inside a transaction), closed otherwise.
  class Lease {
   public:
    Lease(ConnectionPool* pool, Conn conn, bool reused)
        : pool_(pool), conn_(std::move(conn)), reused_(reused) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PGconn* get() const { return conn_.get(); }
    // True when the connection was taken from the idle set (it may have been ended by the
    // server since it was checked), false when it was opened for this lease.
    bool reused() const { return reused_; }
    // True when the connection is no longer usable (the server ended it, the network broke).
    bool broken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }

   private:
    ConnectionPool* pool_;
    Conn conn_;
    bool reused_;
  };

  StatusOr<Lease> Acquire();
  // Runs `query` (a callable taking PGconn* and returning StatusOr<T>) on a leased connection.
  // When it fails on a reused connection that turns out to be broken (the server ended it while
  // it was idle), runs it once more on a new connection. Only for statements that may run twice.
  template <typename Query>
  auto Run(const Query& query) -> decltype(query(static_cast<PGconn*>(nullptr)));
  StatusOr<Conn> Connect() const { return pg::Connect(conninfo_, schema_); }
  const std::string& schema() const { return schema_; }

 private:
  void Release(Conn conn);

  const std::string conninfo_;
  const std::string schema_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<Conn> idle_;  // guarded by mu_
};

template <typename Query>
auto ConnectionPool::Run(const Query& query) -> decltype(query(static_cast<PGconn*>(nullptr))) {
  for (int attempt = 0;; ++attempt) {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    auto result = query(conn->get());
    if (result.ok() || attempt > 0 || !conn->reused() || !conn->broken()) return result;
  }
}

}  // namespace statelog::pg

#endif  // STATELOG_POSTGRES_PG_CONN_H_
