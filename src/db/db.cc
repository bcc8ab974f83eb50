// DBImpl: the front door over a store, its snapshots and the Ledger (statelog/db.h).
#include "statelog/db.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "db/backup.h"
#include "statelog/memory_store.h"
#include "statelog/nitro.h"
#include "statelog/reconstruct.h"
#ifdef STATELOG_DB_WITH_ROCKSDB
#include "statelog/rocksdb_store.h"
#endif
#ifdef STATELOG_DB_WITH_POSTGRES
#include "statelog/postgres_store.h"
#endif

namespace statelog {
namespace {

// What an open store consists of. Members are destroyed in reverse order: the Ledger before the
// stores it uses.
struct Parts {
  std::unique_ptr<SnapshotStore> own_snapshots;  // the memory store's; durable stores keep theirs
  std::unique_ptr<EventStore> store;
  SnapshotStore* snapshots = nullptr;
  std::string description;
  StoreKind kind = StoreKind::kMemory;
  // The backend's consistent copy (DB::Backup); null where the backend has none.
  CopyFn copy = nullptr;
  // The backend's disk accounting (DB::disk_usage); null for the memory store.
  std::function<StatusOr<DiskUsage>()> usage = nullptr;
};

StatusOr<Parts> OpenParts(const StoreName& name, const DBOptions& options) {
  Parts parts;
  parts.kind = name.kind;
  switch (name.kind) {
    case StoreKind::kMemory:
      parts.store = MemoryEventStore::Create();
      parts.own_snapshots = SnapshotStore::NewMemory();
      parts.snapshots = parts.own_snapshots.get();
      parts.description = "memory store";
      return parts;
    case StoreKind::kRocksDb: {
#ifdef STATELOG_DB_WITH_ROCKSDB
      RocksDbOptions rocks;
      rocks.sync = options.sync;
      rocks.create_if_missing = options.create_if_missing && !options.read_only;
      rocks.read_only = options.read_only;
      rocks.disk_reserve_bytes = options.disk_reserve_bytes;
      auto store = RocksDbEventStore::Open(name.location, rocks);
      if (!store.ok()) return store.status().WithPrefix("cannot open " + name.location);
      parts.snapshots = (*store)->snapshots();
      RocksDbEventStore* opened = store->get();
      parts.copy = [opened](const std::string& dir) { return opened->WriteCopy(dir); };
      parts.usage = [opened] { return opened->disk_usage(); };
      parts.store = std::move(*store);
      parts.description = "RocksDB store " + name.location;
      return parts;
#else
      return Status::NotSupported("cannot open " + name.location +
                                  ": this statelog was built without RocksDB");
#endif
    }
    case StoreKind::kPostgres: {
#ifdef STATELOG_DB_WITH_POSTGRES
      PostgresOptions pg;
      pg.schema = options.schema;
      pg.create_if_missing = options.create_if_missing && !options.read_only;
      pg.replicated_delivery = options.replicated_delivery;
      auto store = PostgresEventStore::Open(name.location, pg);
      if (!store.ok()) return store.status().WithPrefix("cannot open the PostgreSQL store");
      parts.snapshots = (*store)->snapshots();
      PostgresEventStore* opened = store->get();
      parts.usage = [opened] { return opened->disk_usage(); };
      parts.store = std::move(*store);
      parts.description = "PostgreSQL store (schema " + pg.schema + ")";
      return parts;
#else
      return Status::NotSupported(
          "cannot open the PostgreSQL store: this statelog was built without PostgreSQL");
#endif
    }
  }
  return Status::InvalidArgument("store name: unknown kind");
}

class DBImpl final : public DB {
 public:
  DBImpl(Parts parts, const DBOptions& options) : parts_(std::move(parts)), options_(options) {}
  ~DBImpl() override {
    // The Ledger first: it uses the stores.
    ledger_.reset();
  }

  const std::string& description() const override { return parts_.description; }

  StatusOr<AppendResult> Append(const Event& event, const AppendOptions& options) override {
    STATELOG_ASSIGN_OR_RETURN(Ledger * ledger, Writable());
    StatusOr<AppendResult> result = ledger->Append(event, options);
    if (result.ok() && result->appended) CheckpointIfDue(result->offset + 1, false);
    return result;
  }
  StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events,
                                                  const AppendOptions& options) override {
    STATELOG_ASSIGN_OR_RETURN(Ledger * ledger, Writable());
    StatusOr<std::vector<AppendResult>> results = ledger->AppendBatch(events, options);
    if (results.ok() && !results->empty() && options_.checkpoint_signer) {
      Offset end = 0;
      for (const AppendResult& r : *results) end = std::max(end, r.offset + 1);
      CheckpointIfDue(end, false);
    }
    return results;
  }

  StatusOr<ChannelState> Channel(const ChannelId& id, const ReadOptions& options) override {
    STATELOG_ASSIGN_OR_RETURN(Ledger * ledger, Domain());
    return ledger->Channel(id, options);
  }
  StatusOr<ObjectiveState> Objective(const ObjectiveId& id, const ReadOptions& options) override {
    STATELOG_ASSIGN_OR_RETURN(Ledger * ledger, Domain());
    return ledger->Objective(id, options);
  }
  StatusOr<NodeView> View(const ReadOptions& options) override {
    STATELOG_ASSIGN_OR_RETURN(Ledger * ledger, Domain());
    return ledger->View(options);
  }
  StatusOr<LogIdentity> Identity() override {
    STATELOG_ASSIGN_OR_RETURN(Ledger * ledger, Domain());
    return ledger->Identity();
  }

  StatusOr<ChainHead> Head() const override { return parts_.store->Head(); }
  StatusOr<StoredEvent> Read(Offset offset) const override { return parts_.store->Read(offset); }
  StatusOr<std::optional<Offset>> Find(const EventId& id) const override {
    return parts_.store->Find(id);
  }
  const EventStore& events() const override { return *parts_.store; }

  SubscriptionId SubscribeFrom(Offset from, EventCallback callback,
                               SubscribeOptions options) override {
    return parts_.store->SubscribeFrom(from, std::move(callback), std::move(options));
  }
  Status Unsubscribe(SubscriptionId id) override { return parts_.store->Unsubscribe(id); }
  Status SubscriptionError(SubscriptionId id) const override {
    return parts_.store->SubscriptionError(id);
  }

  VerifyReport Verify(VerifyOptions options) const override {
    if (options.snapshots == nullptr) options.snapshots = parts_.snapshots;
    return VerifyLog(*parts_.store, options);
  }
  const SnapshotStore& snapshots() const override { return *parts_.snapshots; }
  StatusOr<Offset> TakeSnapshot(Timestamp now) override {
    STATELOG_ASSIGN_OR_RETURN(Ledger * ledger, Writable());
    StatusOr<Offset> offset = ledger->TakeSnapshot(now);
    if (offset.ok()) CheckpointIfDue(*offset + 1, true);
    return offset;
  }
  StatusOr<KeptCheckpoint> SignCheckpoint(std::string_view origin,
                                          std::span<const tlog::NoteSigner> signers) override {
    if (options_.read_only) {
      return Status::NotSupported(parts_.description + " is open read-only");
    }
    return tlog::SignAndKeepCheckpoint(parts_.store->log(), origin, signers);
  }
  StatusOr<KeptCheckpoint> SignCheckpointAsNode(const Bytes32& node_key,
                                                std::string_view origin) override {
    STATELOG_ASSIGN_OR_RETURN(LogIdentity identity, ReadLogIdentity(*parts_.store));
    if (!identity.node) {
      return Status::FailedPrecondition(
          "this log was written under rule set statelog-1 and records no node, so it has no node "
          "key to sign checkpoints with");
    }
    STATELOG_ASSIGN_OR_RETURN(Address address, nitro::AddressFromPrivateKey(node_key));
    if (address != *identity.node) {
      return Status::FailedPrecondition("the node key is that of " + address.ToHex() +
                                        "; this log belongs to node " + identity.node->ToHex());
    }
    std::string name(origin);
    if (name.empty()) {
      // The origin the log signed under before, else the node's default.
      STATELOG_ASSIGN_OR_RETURN(std::optional<KeptCheckpoint> latest, LatestCheckpoint());
      name = tlog::DefaultOrigin(*identity.node);
      if (latest) {
        STATELOG_ASSIGN_OR_RETURN(tlog::Checkpoint previous, tlog::ParseKeptCheckpoint(*latest));
        name = previous.origin;
      }
    }
    STATELOG_ASSIGN_OR_RETURN(tlog::NoteSigner signer, tlog::NoteSigner::Eip191(name, node_key));
    return SignCheckpoint(name, std::span(&signer, 1));
  }

  Status checkpoint_status() const override {
    std::lock_guard<std::mutex> lock(checkpoint_mu_);
    return checkpoint_status_;
  }

  StatusOr<std::optional<KeptCheckpoint>> LatestCheckpoint() const override {
    if (!parts_.store->log().keeps_checkpoints()) return std::optional<KeptCheckpoint>();
    return parts_.store->log().LatestCheckpoint();
  }

  StatusOr<BackupInfo> Backup(const std::string& dest) override {
    switch (parts_.kind) {
      case StoreKind::kPostgres:
        return Status::NotSupported(PostgresBackupAdvice());
      case StoreKind::kMemory:
        return Status::NotSupported("backup: the memory store has no files to back up");
      case StoreKind::kRocksDb:
        break;
    }
    if (options_.read_only || !parts_.copy) {
      return Status::NotSupported("backup: " + parts_.description +
                                  " is open read-only; a backup opens it for writing");
    }
    return WriteBackup(*this, parts_.copy, dest);
  }
  StatusOr<BackupInfo> CompareBackup(const std::string& dir) const override {
    STATELOG_ASSIGN_OR_RETURN(BackupInfo info, CheckBackup(dir));
    STATELOG_RETURN_IF_ERROR(CompareWithLive(*this, info, /*wait=*/false));
    return info;
  }

  Status snapshot_status() override {
    std::lock_guard<std::mutex> lock(mu_);
    return ledger_ ? ledger_->snapshot_status() : Status::OK();
  }
  StatusOr<DiskUsage> disk_usage() const override {
    if (!parts_.usage) {
      return Status::NotSupported("disk use: the " + parts_.description + " keeps nothing on disk");
    }
    return parts_.usage();
  }

 private:
  // The Ledger, opened on the first call that needs it.
  StatusOr<Ledger*> Domain() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!ledger_) {
      LedgerOptions options;
      options.snapshots = options_.snapshots;
      if (options_.read_only) options.snapshots.interval = 0;  // a reader takes none
      options.max_attempts = options_.max_attempts;
      options.proof_threads = options_.proof_threads;
      options.node = options_.node;
      options.created_at = options_.created_at;
      STATELOG_ASSIGN_OR_RETURN(ledger_,
                                Ledger::Open(parts_.store.get(), parts_.snapshots, options));
    }
    return ledger_.get();
  }
  StatusOr<Ledger*> Writable() {
    if (options_.read_only) {
      return Status::NotSupported(parts_.description + " is open read-only");
    }
    return Domain();
  }

  // Signs and keeps a checkpoint when DBOptions::checkpoint_signer is set and the log, which holds
  // at least `length` events, has grown by checkpoint_interval since the latest kept checkpoint
  // (or `always`, after a snapshot). One signer at a time; another thread's signing makes this
  // call a no-op.
  void CheckpointIfDue(uint64_t length, bool always) {
    const tlog::NoteSigner* signer = options_.checkpoint_signer.get();
    if (signer == nullptr || (!always && options_.checkpoint_interval == 0)) return;
    std::unique_lock<std::mutex> lock(checkpoint_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return;
    if (!kept_size_) {
      StatusOr<std::optional<KeptCheckpoint>> latest = LatestCheckpoint();
      if (!latest.ok()) {
        checkpoint_status_ = latest.status();
        return;
      }
      kept_size_ = *latest ? (*latest)->size : 0;
    }
    if (!always && length < *kept_size_ + options_.checkpoint_interval) return;
    StatusOr<KeptCheckpoint> kept = tlog::SignAndKeepCheckpoint(
        parts_.store->log(), signer->verifier().name(), std::span(signer, 1));
    checkpoint_status_ = kept.status();
    if (kept.ok()) kept_size_ = kept->size;
  }

  Parts parts_;
  const DBOptions options_;
  mutable std::mutex checkpoint_mu_;
  std::optional<uint64_t> kept_size_;  // guarded by checkpoint_mu_: the latest kept size
  Status checkpoint_status_;           // guarded by checkpoint_mu_
  std::mutex mu_;
  std::unique_ptr<Ledger> ledger_;  // guarded by mu_ until set; then only read
};

}  // namespace

std::string_view PostgresBackupAdvice() {
  return "backup: a PostgreSQL store is backed up with PostgreSQL's own tools (pg_dump "
         "--schema statelog, or pg_basebackup), or as its events up to one log position with "
         "'statelog export --to N' (docs/operations/backup-restore.md)";
}

StatusOr<std::unique_ptr<DB>> DB::Open(std::string_view name, const DBOptions& options) {
  STATELOG_ASSIGN_OR_RETURN(StoreName parsed, ParseStoreName(name));
  STATELOG_ASSIGN_OR_RETURN(Parts parts, OpenParts(parsed, options));
  auto db = std::make_unique<DBImpl>(std::move(parts), options);
  if (options.node) STATELOG_RETURN_IF_ERROR(db->Identity().status());  // the node is checked now
  return std::unique_ptr<DB>(std::move(db));
}

}  // namespace statelog
