// SnapshotStore over the schema's snapshots table (covers, prefix_chain, data). Every operation
// returns the database's answer or its error.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "postgres/backend.h"

namespace statelog::pg {
namespace {

int64_t ToInt8(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

class PostgresSnapshotStore final : public SnapshotStore {
 public:
  explicit PostgresSnapshotStore(ConnectionPool* pool) : pool_(pool) {}

  Status Put(const Snapshot& snapshot) override {
    const auto* data = reinterpret_cast<const uint8_t*>(snapshot.data.data());
    const Params params = Params()
                              .Int8(ToInt8(snapshot.covers))
                              .Bytea(snapshot.prefix_chain.span())
                              .Bytea(std::span<const uint8_t>(data, snapshot.data.size()));
    // An upsert: running it twice leaves the same row.
    return pool_
        ->Run([&](PGconn* conn) {
          return Exec(conn,
                      "INSERT INTO snapshots (covers, prefix_chain, data) VALUES ($1, $2, $3) "
                      "ON CONFLICT (covers) DO UPDATE SET prefix_chain = EXCLUDED.prefix_chain, "
                      "data = EXCLUDED.data",
                      params, true);
        })
        .status();
  }

  StatusOr<std::optional<Snapshot>> LatestAtOrBefore(uint64_t max_covers) const override {
    return pool_->Run([&](PGconn* conn) -> StatusOr<std::optional<Snapshot>> {
      STATELOG_ASSIGN_OR_RETURN(
          Result r, Exec(conn,
                         "SELECT covers, prefix_chain, data FROM snapshots WHERE covers <= $1 "
                         "ORDER BY covers DESC LIMIT 1",
                         Params().Int8(ToInt8(max_covers)), true));
      if (PQntuples(r.get()) == 0) return std::optional<Snapshot>();
      auto chain = GetBytes(r.get(), 0, 1);
      if (chain.size() != Hash256::kSize) {
        return Status::Corruption("snapshot " + std::to_string(GetInt8(r.get(), 0, 0)) +
                                  ": prefix_chain has " + std::to_string(chain.size()) + " bytes");
      }
      auto data = GetBytes(r.get(), 0, 2);
      return std::optional<Snapshot>(Snapshot{static_cast<uint64_t>(GetInt8(r.get(), 0, 0)),
                                              Hash256::FromSpan(chain),
                                              std::string(data.begin(), data.end())});
    });
  }

  StatusOr<std::vector<uint64_t>> List() const override {
    return pool_->Run([&](PGconn* conn) -> StatusOr<std::vector<uint64_t>> {
      STATELOG_ASSIGN_OR_RETURN(
          Result r, Exec(conn, "SELECT covers FROM snapshots ORDER BY covers", Params(), true));
      std::vector<uint64_t> out;
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        out.push_back(static_cast<uint64_t>(GetInt8(r.get(), i, 0)));
      }
      return out;
    });
  }

  Status Delete(uint64_t covers) override {
    // Not retried: a second run after a first that deleted would report NotFound.
    STATELOG_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    STATELOG_ASSIGN_OR_RETURN(
        Result r, Exec(conn.get(), "DELETE FROM snapshots WHERE covers = $1 RETURNING covers",
                       Params().Int8(ToInt8(covers)), true));
    if (PQntuples(r.get()) == 0) {
      return Status::NotFound("no snapshot covers " + std::to_string(covers));
    }
    return Status::OK();
  }

 private:
  ConnectionPool* const pool_;
};

}  // namespace

std::unique_ptr<SnapshotStore> NewSnapshotStore(ConnectionPool* pool) {
  return std::make_unique<PostgresSnapshotStore>(pool);
}

}  // namespace statelog::pg
