// The durable embedded EventStore on RocksDB (docs/adr/0004-rocksdb-storage.md; on-disk layout in
// docs/rocksdb-format.md).
//
// Same semantics as every EventStore (the conformance suite), plus durability: an append that
// returned OK survives a process crash, and with `sync` (the default) a power loss too. Appenders
// running concurrently share fsyncs (group commit). Snapshots persist in the same database.
//
// Thread safety: every method may be called concurrently from any thread. One process at a time
// may open a store directory.
#ifndef STATELOG_ROCKSDB_STORE_H_
#define STATELOG_ROCKSDB_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "statelog/snapshot_store.h"
#include "statelog/status.h"
#include "statelog/store.h"

namespace statelog {

struct RocksDbOptions {
  // If true (default), an append returns only after its write-ahead-log record was fsynced: a
  // crash of the process, the OS or the machine loses no acknowledged event. If false, appends
  // are written to the OS page cache only: a process crash still loses nothing, but a power loss
  // or OS crash can lose the most recent acknowledged appends (never a middle part of the log:
  // recovery keeps a consistent prefix).
  bool sync = true;
  // If true (default), Open creates an empty store when `dir` does not exist.
  bool create_if_missing = true;
  // If false (default), Open drops a torn tail of the write-ahead log (a write a crash cut
  // short: never acknowledged when `sync`) and refuses (Corruption, naming the file and the byte)
  // damage anywhere else, and a log shorter than what the store acknowledged (it keeps that in
  // ACKED, outside the log: docs/adr/0019-damage-is-refused.md). If true, Open refuses a torn
  // tail too. Either way nothing acknowledged is dropped silently: Repair() salvages explicitly.
  bool strict = false;
  // Size of RocksDB's block cache in bytes (default 64 MiB).
  size_t block_cache_bytes = size_t{64} << 20;
  // Free space kept on the store's file system, in bytes (default 64 MiB; at least 1 MiB).
  // Appends, snapshot writes and a writable Open are refused with NoSpace, writing nothing, while
  // the file system has less than this plus room to compact the store (as many bytes as its SST
  // files hold) plus the write's size free; they succeed again once space is freed, and the store
  // stays open and readable meanwhile. RocksDB is sized from the reserve so that its own
  // background writes (memtable flushes, MANIFEST, info log) fit in it: the disk never fills
  // under RocksDB (docs/adr/0011-durability-under-faults.md).
  uint64_t disk_reserve_bytes = uint64_t{64} << 20;
  // An append whose events encode to at least this many bytes (default 4 MiB; 0: never) is
  // written another way, faster for large batches such as an import: its entries go into new
  // table files, built on every core and synced, which RocksDB then takes into the store in one
  // atomic step (external file ingestion) instead of through its write-ahead log and memtable.
  // The result is the same: all of the append or none of it, durable when Append returns
  // (always synced, even with sync = false). If writing the files fails (a full disk, an I/O
  // error), the store is unchanged and stays usable; if taking them in fails, the error is
  // fatal like a failed write (health()).
  uint64_t bulk_append_bytes = uint64_t{4} << 20;
  // If true, Open opens an existing store read-only: it writes nothing at all (so it works on a
  // full disk), never creates a store (create_if_missing is ignored), does not upgrade an older
  // format (FailedPrecondition), and every append and snapshot write fails with NotSupported. It
  // is still exclusive: Busy while another process has the store open.
  bool read_only = false;
};

class RocksDbEventStore : public EventStore {
 public:
  // Opens (or creates) the store in directory `dir`. Errors, each leaving `dir` unchanged:
  //   NotFound: `dir` does not exist and !create_if_missing.
  //   InvalidArgument: `dir` is not a statelog store (non-empty without a RocksDB database, or
  //     a RocksDB database without statelog's format marker).
  //   NotSupported: the store has a newer format version. An older one is upgraded in place
  //     (docs/rocksdb-format.md, "Upgrades"), atomically: a failed upgrade leaves it as it was.
  //   Busy: another process (or another RocksDbEventStore in this one) has the store open.
  //   Corruption: the store is damaged, naming the file and the offset: a write-ahead log
  //     damaged anywhere but in a torn tail (with strict: anywhere), a log shorter than the
  //     acknowledged head the store keeps in ACKED or different from it, damaged tables
  //     (docs/adr/0019-damage-is-refused.md). Repair() salvages what the log holds.
  //   InvalidArgument: disk_reserve_bytes is below 1 MiB.
  //   NoSpace: (not read_only) the file system has less free space than disk_reserve_bytes
  //     plus room to compact the store.
  //   FailedPrecondition: read_only and the store has an older format (open it writable once).
  //   IOError: the directory cannot be read or written (permissions, full disk).
  static StatusOr<std::unique_ptr<RocksDbEventStore>> Open(const std::string& dir,
                                                           const RocksDbOptions& options = {});

  // Returns the snapshot store kept in the same database (crash-safe, atomic single-snapshot
  // writes, synced like appends). Valid until this store is destroyed.
  virtual SnapshotStore* snapshots() = 0;

  // Returns OK while the store accepts appends; after a write or fsync error, that error. The
  // error is fatal: every later append fails with it (Aborted); reopen the store to recover from
  // the last durable point. A write refused for want of space (NoSpace, before anything reached
  // RocksDB) is not such an error: health() stays OK.
  virtual Status health() const = 0;

  // Salvages a store that does not open because its write-ahead log is damaged or shorter than
  // what it acknowledged: copies the logs and ACKED into a new directory `dir`/lost-<UTC time>,
  // cuts each damaged log at its first bad record and moves the logs after it aside, opens what
  // remains (the undamaged prefix) and records its head as the acknowledged one. A store that
  // opens cleanly is left alone (repaired == false). Damage elsewhere (tables, the manifest) is
  // returned as the open's error; nothing is changed then.
  static StatusOr<RepairReport> Repair(const std::string& dir, const RocksDbOptions& options = {});
  // Writes a consistent copy of the store as it is now into the new directory `dir`, a store
  // that Open opens (docs/adr/0021-online-backups.md): RocksDB's checkpoint, which flushes the
  // memtable and then hard-links the table files (copies them across file systems) and copies
  // the MANIFEST and the write-ahead log, all at one sequence number, so the copy holds whole
  // appends only. Appends may go on meanwhile; the copy's head is some head the store had during
  // the call. Errors, `dir` then not created or left partly written (the caller removes it):
  // InvalidArgument when `dir` exists; NotSupported when the store is open read-only; IOError.
  virtual Status WriteCopy(const std::string& dir) = 0;

  // Where the store's bytes are: each part's key range in the table files (RocksDB's
  // approximation; deleted data counts until compaction drops it), the write-ahead logs, and the
  // whole directory as `total`. IOError when a file cannot be measured.
  virtual StatusOr<DiskUsage> disk_usage() const = 0;

  // The on-disk format version this build writes (docs/rocksdb-format.md). Open upgrades a store
  // of an older version in place, and refuses a newer one (NotSupported).
  static constexpr uint32_t kFormatVersion = 3;

 protected:
  using EventStore::EventStore;
};

}  // namespace statelog

#endif  // STATELOG_ROCKSDB_STORE_H_
