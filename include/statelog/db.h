// DB: statelog's front door (docs/adr/0020-one-front-door.md). One object a program opens by name
// that owns the log, its snapshots and the checked domain API over both:
//
//   auto db = statelog::DB::Open("./node-data", {.create_if_missing = true, .node = me});
//   if (!db.ok()) ...
//   auto appended = (*db)->Append(event);                  // checked: proofs and Nitro's rules
//   auto channel = (*db)->Channel(id, {.as_of = 41});      // the state after offset 41
//   auto sub = (*db)->SubscribeFrom(0, [](const statelog::StoredEvent& e) { ... });
//
// The name says where the log is:
//   "memory:"                       a new, empty log in memory (gone when the DB is destroyed);
//   "postgresql://..." or
//   "postgres://..."                a shared PostgreSQL log (a libpq URI);
//   "postgresql:" + "key=value ..." the same, named by a libpq key=value string;
//   "rocksdb:" + DIR, or any other  the embedded RocksDB store in directory DIR.
//
// Writes: Append and AppendBatch are the only way to write. Every event is checked (its id, its
// Nitro proof, its legality under the log's rule set; statelog/ledger.h says how, and how
// several writers of one log stay correct); a refused event leaves the log unchanged.
//
// The domain API (checked appends, state reads, Identity, snapshots) folds the log's tail into a
// state cache, which reads of events and subscriptions do not need. With DBOptions::node it is
// opened by Open: a log of another node is refused there (FailedPrecondition naming both), and a
// new log gets its log_created event. Without it, it is opened by the first call that needs it,
// and an error of that opening (a damaged log, a rule set newer than this build) is that call's.
//
// Errors: Status and StatusOr (statelog/status.h); docs/api.md lists what each code means for the
// caller. Errors of Open name the store.
//
// Thread safety: every method may be called concurrently from any thread.
// Lifetime: the DB owns everything it opened; destroying it stops its subscriptions and closes
// the store. References it returns (events(), snapshots()) are valid while it lives.
#ifndef STATELOG_DB_H_
#define STATELOG_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/fold.h"
#include "statelog/kept_checkpoint.h"
#include "statelog/ledger.h"
#include "statelog/snapshot.h"
#include "statelog/snapshot_store.h"
#include "statelog/status.h"
#include "statelog/store.h"
#include "statelog/verify.h"

namespace statelog {

struct DBOptions {
  // A missing store is created (an empty RocksDB directory, PostgreSQL's schema); otherwise it
  // is NotFound. "memory:" is always new.
  bool create_if_missing = false;
  // Opened for reading only: appends and snapshots are NotSupported. The RocksDB store is opened
  // read-only (it works on a full disk and beside a writer's lock).
  bool read_only = false;
  // The node the log belongs to (LedgerOptions::node): a new log is created for it, an existing
  // one must be its log; both checked by Open. nullopt: the log as it is.
  std::optional<Address> node = std::nullopt;
  // The timestamp of a new log's log_created event; 0: the time of the call.
  Timestamp created_at = 0;
  // Snapshots of the node view (a cache: SnapshotOptions::interval events apart; 0: never).
  SnapshotOptions snapshots = {};
  // LedgerOptions::max_attempts and proof_threads.
  int max_attempts = 16;
  unsigned proof_threads = 0;

  // RocksDB: fsync every commit group (false: a power loss can lose the latest appends), and the
  // free space below which appends are refused with NoSpace (RocksDbOptions).
  bool sync = true;
  uint64_t disk_reserve_bytes = uint64_t{64} << 20;
  // PostgreSQL: the schema the log lives in, and whether subscriptions follow only what every
  // synchronous standby has confirmed (PostgresOptions).
  std::string schema = "statelog";
  bool replicated_delivery = false;

  // Checkpoints taken by the DB itself (docs/tlog-format.md): with a signer (the node's key; its
  // key name is the checkpoint origin), a checkpoint is signed and kept once the log has grown
  // by `checkpoint_interval` events since the latest kept one (0: never automatically), and after
  // every TakeSnapshot. A failure does not undo the append it followed: checkpoint_status()
  // reports it, and the next due append tries again.
  std::shared_ptr<const tlog::NoteSigner> checkpoint_signer = nullptr;
  uint64_t checkpoint_interval = 0;
};

// The backend a store name (see above) selects.
enum class StoreKind { kMemory, kRocksDb, kPostgres };

struct StoreName {
  StoreKind kind = StoreKind::kRocksDb;
  std::string location;  // the directory or the libpq connection string; empty for memory
};

// Parses a store name. InvalidArgument for an empty name or location ("rocksdb:" alone).
StatusOr<StoreName> ParseStoreName(std::string_view name);
// The store name of a libpq connection string: a "postgresql://" or "postgres://" URI as it is,
// a key=value string ("host=... dbname=...") after "postgresql:".
std::string PostgresStoreName(std::string_view conninfo);

// A backup of a store (docs/adr/0021-online-backups.md): a directory holding a complete RocksDB
// store, verified when it was written and again whenever it is checked or restored.
struct BackupInfo {
  std::string dir;
  ChainHead head;           // the backup's head: its length and chain value
  uint64_t events = 0;      // events verified
  uint64_t signatures = 0;  // signatures recovered while verifying
  uint64_t snapshots = 0;   // snapshots verified
  // The latest signed checkpoint the backup keeps (its tree size), or nullopt.
  std::optional<uint64_t> checkpoint_size;
  // Backup and RestoreBackup: the seconds spent copying the files (the rest is verification).
  double copy_seconds = 0;
};

// Opens the backup in `dir` read-only and verifies all of it (DB::Verify). NotFound when `dir`
// does not exist; Corruption "DIR is not a complete backup: ..." when it does not open or verify,
// or when it is in the temporary directory of a backup ("*.partial"), which is never a backup.
StatusOr<BackupInfo> CheckBackup(const std::string& dir);

// Restores the backup `backup` into the new directory `dir`: checks the backup (CheckBackup),
// copies its files into "DIR.partial" beside `dir`, verifies the copy, checks that its head is the
// backup's, and renames it to `dir`. AlreadyExists when `dir` exists; NotFound when its parent
// does not; Corruption when the backup or the copy does not verify (nothing is left at `dir`).
StatusOr<BackupInfo> RestoreBackup(const std::string& backup, const std::string& dir);

// Salvages the store `name` names when its write-ahead log is damaged or shorter than what it
// acknowledged (docs/adr/0019-damage-is-refused.md): keeps the undamaged prefix, sets the rest
// aside in DIR/lost-<UTC time> and says what it dropped. A store that opens cleanly is left
// unchanged (repaired == false). Only RocksDB stores are repaired: NotSupported for the others (a
// PostgreSQL log is PostgreSQL's to repair; DB::Verify names a damaged or missing row's offset).
// Damage the salvage cannot reach (tables, the manifest) is the open's Corruption, nothing changed.
StatusOr<RepairReport> RepairStore(std::string_view name);

// What DB::Backup answers for a PostgreSQL store (NotSupported): how to back one up instead.
std::string_view PostgresBackupAdvice();

class DB {
 public:
  // Opens the store `name` names with `options`. Errors name the store: NotFound for a missing
  // one without create_if_missing, NotSupported for one of a newer format, Busy for a RocksDB
  // directory another process has open for writing, IOError for an unreachable server.
  static StatusOr<std::unique_ptr<DB>> Open(std::string_view name, const DBOptions& options = {});
  virtual ~DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;

  // What is open, for messages: "RocksDB store DIR", "PostgreSQL store (schema S)" or
  // "memory store".
  virtual const std::string& description() const = 0;

  // --- Writes (checked; statelog/ledger.h) ---
  // Checks `event` and appends it; an event already in the log returns its offset with
  // appended == false. `options` adds the caller's own expectations (Conflict when one fails).
  virtual StatusOr<AppendResult> Append(const Event& event, const AppendOptions& options = {}) = 0;
  // All of `events` or none; errors about one event start "event I (type): " and carry I in
  // Status::index().
  virtual StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events,
                                                          const AppendOptions& options = {}) = 0;

  // --- State, now or as of an offset ---
  // NotFound when the entity has no event (as of that offset); OutOfRange past the log.
  virtual StatusOr<ChannelState> Channel(const ChannelId& id, const ReadOptions& options = {}) = 0;
  virtual StatusOr<ObjectiveState> Objective(const ObjectiveId& id,
                                             const ReadOptions& options = {}) = 0;
  virtual StatusOr<NodeView> View(const ReadOptions& options = {}) = 0;
  // The node the log belongs to and its rule set (statelog-1 without a node for a log that names
  // none).
  virtual StatusOr<LogIdentity> Identity() = 0;

  // --- Events ---
  // The length and chain value of the head.
  virtual StatusOr<ChainHead> Head() const = 0;
  // The event at `offset`; OutOfRange past the end.
  virtual StatusOr<StoredEvent> Read(Offset offset) const = 0;
  // The offset of the event with `id`, or nullopt.
  virtual StatusOr<std::optional<Offset>> Find(const EventId& id) const = 0;
  // The log read-only: ranges, cursors, per-stream offsets, imports (statelog/store.h).
  virtual const EventStore& events() const = 0;

  // --- Subscriptions (Log::SubscribeFrom) ---
  // The events from `from` on, history first, no gap, no duplicate, on the subscription's own
  // thread; `options`: what it does while the store is unreachable.
  virtual SubscriptionId SubscribeFrom(Offset from, EventCallback callback,
                                       SubscribeOptions options = {}) = 0;
  virtual Status Unsubscribe(SubscriptionId id) = 0;
  // OK while the subscription delivers; its error once it stopped on one.
  virtual Status SubscriptionError(SubscriptionId id) const = 0;

  // --- Verification and snapshots ---
  // Verifies the whole log (statelog/verify.h), and its snapshots unless options.snapshots names
  // others.
  virtual VerifyReport Verify(VerifyOptions options = {}) const = 0;
  // The stored snapshots (a cache; verify checks them).
  virtual const SnapshotStore& snapshots() const = 0;
  // Takes a snapshot now, due or not; returns the offset of its snapshot_created event.
  virtual StatusOr<Offset> TakeSnapshot(Timestamp now) = 0;
  // OK unless the last snapshot taken or used failed (nothing is lost: the state is folded from
  // the log instead).
  virtual Status snapshot_status() = 0;
  // Where the store's bytes are, by part (DiskUsage). NotSupported for the memory store.
  virtual StatusOr<DiskUsage> disk_usage() const = 0;

  // --- Checkpoints (docs/tlog-format.md; the tree and proofs: events().log().tree()) ---
  // Signs a checkpoint of the log as it is now under `origin` with `signers` and keeps it
  // (tlog::SignAndKeepCheckpoint): only when it extends the latest kept one, so the store never
  // signs two checkpoints that are not consistent. NotSupported when opened read-only.
  virtual StatusOr<KeptCheckpoint> SignCheckpoint(std::string_view origin,
                                                  std::span<const tlog::NoteSigner> signers) = 0;
  // Signs and keeps a checkpoint with the node's own secp256k1 key (SignCheckpoint with its
  // eip191-secp256k1 signer). `origin` empty: the latest kept checkpoint's origin, else
  // tlog::DefaultOrigin(node). FailedPrecondition when the log names no node (rule set
  // statelog-1) or `node_key` is not its node's key (naming both addresses); InvalidArgument for
  // an origin that is no key name (tlog::CheckKeyName).
  virtual StatusOr<KeptCheckpoint> SignCheckpointAsNode(const Bytes32& node_key,
                                                        std::string_view origin = {}) = 0;
  // The latest kept checkpoint, or nullopt when none was kept.
  virtual StatusOr<std::optional<KeptCheckpoint>> LatestCheckpoint() const = 0;
  // OK unless the last checkpoint the DB took by itself (DBOptions::checkpoint_signer) failed.
  virtual Status checkpoint_status() const = 0;

  // --- Backups (docs/adr/0021-online-backups.md) ---
  // Writes a backup of the store as it is now into the new directory `dest` while appends go on
  // (a RocksDB store open for writing). The backup is complete and verified or not there: it is
  // written into "DEST.partial" beside `dest` (a RocksDB checkpoint, consistent at one sequence
  // number), opened read-only there and verified whole, its head compared with the chain value
  // this log has at the backup's length, and only then renamed to `dest` in one step. A
  // "DEST.partial" left by an interrupted backup is removed first; one in use by a running backup
  // is Busy. Errors (the message says what to do):
  //   AlreadyExists: `dest` exists.            NotFound: the parent of `dest` does not exist.
  //   NotSupported: a PostgreSQL or memory store, or a RocksDB store open read-only.
  //   Corruption: the copy did not verify or is not this log's history (nothing is left).
  virtual StatusOr<BackupInfo> Backup(const std::string& dest) = 0;
  // Checks the backup in `dir` (CheckBackup) and that it is this log's history up to its length:
  // the chain value this log has at the backup's length is the backup's. FailedPrecondition
  // naming both values when it is not, OutOfRange when the backup is longer than this log.
  virtual StatusOr<BackupInfo> CompareBackup(const std::string& dir) const = 0;

 protected:
  DB() = default;
};

}  // namespace statelog

#endif  // STATELOG_DB_H_
