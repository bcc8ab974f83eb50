// PostgresEventStore: the EventStore in a PostgreSQL database (docs/adr/0006-postgres-backend.md).
//
// Several processes, on any number of machines, may open the same database and schema and append
// concurrently: they share one log whose offsets are dense, gap-free and assigned in commit order
// (appends serialize on the schema's head row). A reader tailing by offset therefore never skips
// an event whose transaction committed late. Subscriptions see every process's appends (LISTEN /
// NOTIFY, plus a periodic re-check of the head, so a lost notification only delays delivery).
//
// An append is acknowledged when its transaction has committed: what a crash of the server can
// lose is decided by the server's synchronous_commit and fsync settings, not by statelog.
//
// Thread safety: as EventStore. Each concurrent operation uses its own pooled connection.
#ifndef STATELOG_POSTGRES_STORE_H_
#define STATELOG_POSTGRES_STORE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "statelog/snapshot_store.h"
#include "statelog/status.h"
#include "statelog/store.h"

namespace statelog {

struct PostgresOptions {
  // The schema that holds statelog's tables; one schema is one log. Must match
  // [a-z_][a-z0-9_]{0,62}. Default "statelog".
  std::string schema = "statelog";
  // Creates the schema and its tables when missing (needs CREATE privilege on the database, or
  // on an existing schema). When false, Open of a missing schema fails with NotFound.
  // Default true.
  bool create_if_missing = true;
  // How often the listener re-reads the head even without a notification, in milliseconds: the
  // longest a lost notification can delay a subscription. Default 1000.
  int poll_interval_ms = 1000;
  // Idle connections kept open for reuse; more are opened while operations run concurrently.
  // Default 8.
  size_t max_idle_connections = 8;
  // For a primary with synchronous standbys (docs/operations/postgres-ha.md): subscriptions
  // deliver only records that every synchronous standby has flushed, so a failover cannot take
  // back a record a subscriber was given. (A commit whose wait for its standby was cancelled,
  // e.g. because its client disconnected, is visible on the primary before it is replicated.)
  // While no synchronous standby is connected, subscriptions wait. Reads and appends are not
  // affected. Needs the pg_monitor role (or superuser) to read pg_stat_replication.
  // Default false.
  bool replicated_delivery = false;
};

class PostgresEventStore : public EventStore {
 public:
  // Connects with the libpq connection string `conninfo` (e.g. "host=/run/postgresql
  // dbname=statelog" or "postgresql://user@host/db"), creates the schema if missing and allowed,
  // and starts the notification listener. Errors: IOError (cannot connect, SQL error),
  // InvalidArgument (bad schema name), NotFound (schema missing and create_if_missing false),
  // NotSupported (the schema was written by a newer statelog).
  static StatusOr<std::unique_ptr<PostgresEventStore>> Open(const std::string& conninfo,
                                                            const PostgresOptions& options = {});

  // Head() and every read query the database; when it cannot be reached they return the error
  // (IOError), and the next call works once it can.

  // Returns the snapshot store kept in the same schema; valid while this store lives.
  virtual SnapshotStore* snapshots() = 0;

  // Where the log's bytes are: each table with its indexes and TOAST data (the events table's
  // own indexes count as `indexes`), and the whole schema as `total`.
  virtual StatusOr<DiskUsage> disk_usage() const = 0;

  // The schema version this build writes; Open upgrades a schema of an older version in place
  // (one transaction, docs/adr/0006-postgres-backend.md) and refuses a larger version.
  static constexpr int kSchemaVersion = 4;

 protected:
  using EventStore::EventStore;
};

}  // namespace statelog

#endif  // STATELOG_POSTGRES_STORE_H_
