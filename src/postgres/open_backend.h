// Opening the PostgreSQL LogBackend by itself, for code that builds its own Log or wraps the
// backend (the fault-injection tests). Names no libpq type.
#ifndef STATELOG_POSTGRES_OPEN_BACKEND_H_
#define STATELOG_POSTGRES_OPEN_BACKEND_H_

#include <memory>
#include <string>

#include "statelog/log.h"
#include "statelog/log_backend.h"
#include "statelog/postgres_store.h"
#include "statelog/status.h"

namespace statelog::pg {

// PostgresBackend::Open (postgres/backend.h): connects, creates or upgrades options.schema and
// starts the listener. `format` must outlive the backend.
StatusOr<std::unique_ptr<LogBackend>> OpenBackend(const std::string& conninfo,
                                                  const PostgresOptions& options,
                                                  const RecordFormat* format);

}  // namespace statelog::pg

#endif  // STATELOG_POSTGRES_OPEN_BACKEND_H_
