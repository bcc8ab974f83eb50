// PostgresEventStore: the Nitro EventStore over a Log whose backend is a PostgresBackend.
#include <memory>
#include <utility>

#include "postgres/backend.h"
#include "postgres/open_backend.h"
#include "statelog/postgres_store.h"

namespace statelog {
namespace pg {
namespace {

class PostgresStore final : public PostgresEventStore {
 public:
  PostgresStore(std::unique_ptr<Log> log, PostgresBackend* backend)
      : PostgresEventStore(std::move(log)), backend_(backend) {}

  SnapshotStore* snapshots() override { return backend_->snapshots(); }
  StatusOr<DiskUsage> disk_usage() const override { return backend_->MeasureDiskUsage(); }

 private:
  PostgresBackend* const backend_;  // owned by the log
};

}  // namespace

StatusOr<std::unique_ptr<LogBackend>> OpenBackend(const std::string& conninfo,
                                                  const PostgresOptions& options,
                                                  const RecordFormat* format) {
  STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<PostgresBackend> backend,
                            PostgresBackend::Open(conninfo, options, format));
  return std::unique_ptr<LogBackend>(std::move(backend));
}

}  // namespace pg

StatusOr<std::unique_ptr<PostgresEventStore>> PostgresEventStore::Open(
    const std::string& conninfo, const PostgresOptions& options) {
  STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<pg::PostgresBackend> backend,
                            pg::PostgresBackend::Open(conninfo, options, &EventRecordFormat()));
  pg::PostgresBackend* raw = backend.get();
  STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<Log> log,
                            Log::Open(std::move(backend), &EventRecordFormat()));
  return std::unique_ptr<PostgresEventStore>(
      std::make_unique<pg::PostgresStore>(std::move(log), raw));
}

}  // namespace statelog
