// Opening a RocksDB store: directory checks, RocksDB options, format marker, head check and the
// upgrade of older formats (docs/rocksdb-format.md, "Recovery" and "Upgrades"); the Nitro
// RocksDbEventStore over the backend.
#include <rocksdb/cache.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "rocksdb/acked.h"
#include "rocksdb/damage.h"
#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"
#include "statelog/store.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;
namespace fs = std::filesystem;

// The smallest RocksDbOptions::disk_reserve_bytes.
constexpr uint64_t kMinDiskReserve = uint64_t{1} << 20;

uint64_t Clamp(uint64_t v, uint64_t lo, uint64_t hi) { return std::min(std::max(v, lo), hi); }

// An info log that drops everything: read-only opens write nothing, not even a LOG file.
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// rocksdb_format::InsertRunPrefix as RocksDB's prefix extractor, for insert hints only.
class InsertRunExtractor final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "statelog.InsertRunPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(),
                          fmt::InsertRunPrefix(std::string_view(key.data(), key.size())));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return fmt::InsertRunPrefix(std::string_view(key.data(), key.size())) > 0;
  }
};

rocksdb::Options MakeOptions(const RocksDbOptions& options, rocksdb::Env* env) {
  rocksdb::Options o;
  o.create_if_missing = true;  // the directory checks decided already
  o.paranoid_checks = true;
  // Damage anywhere in a write-ahead log fails the open; only a torn tail (a write cut short at
  // the end of a log, never acknowledged) ends the log quietly, and `strict` refuses that too
  // (docs/adr/0019-damage-is-refused.md).
  o.wal_recovery_mode = options.strict ? rocksdb::WALRecoveryMode::kAbsoluteConsistency
                                       : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // A writable open keeps the write-ahead logs it recovered instead of flushing them at once: an
  // open that refuses the store afterwards (its log is shorter than what it acknowledged) leaves
  // the logs as they were, for `statelog repair` to set aside.
  o.avoid_flush_during_recovery = true;
  o.max_background_jobs = 2;
  o.bytes_per_sync = 1 << 20;
  o.wal_bytes_per_sync = 0;
  o.enable_pipelined_write = false;  // the log core already groups writes (one Append at a time)
  // Every append is one WriteBatch that RocksDB inserts into its memtable on one thread, so it
  // can start each key from the last insert of the key's run (records, snapshots, one stream,
  // the head) instead of from the top of the skiplist.
  o.memtable_insert_with_hint_prefix_extractor = std::make_shared<InsertRunExtractor>();
  // A whole-key Bloom filter over the memtable: an append's duplicate-id lookup, which almost
  // always finds nothing, skips the skiplist search. R/8 memtables, 2% of that for the filter.
  o.memtable_prefix_bloom_size_ratio = 0.02;
  o.memtable_whole_key_filtering = true;
  // RocksDB's background writes must fit in the disk reserve (docs/adr/0011): two memtables of
  // R/8 flush to at most R/4; a compaction reads at most R/4 (L1 holds R/4) plus the L0 files.
  const uint64_t reserve = options.disk_reserve_bytes;
  o.write_buffer_size = Clamp(reserve / 8, 64 << 10, 64 << 20);
  o.max_write_buffer_number = 2;
  o.max_bytes_for_level_base = Clamp(reserve / 4, 256 << 10, 256 << 20);
  o.target_file_size_base = Clamp(reserve / 16, 64 << 10, 64 << 20);
  o.max_compaction_bytes = o.max_bytes_for_level_base;
  // Each open starts a MANIFEST, preallocated (fallocate) by 4 MiB by default: R/16 instead.
  o.manifest_preallocation_size = Clamp(reserve / 16, 64 << 10, 4 << 20);
  // The info log is bounded: at most 4 old files of at most 1 MiB each besides the current one.
  o.max_log_file_size = 1 << 20;
  o.keep_log_file_num = 4;
  if (options.read_only) o.info_log = std::make_shared<NullLogger>();
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (env) o.env = env;
  return o;
}

StatusOr<uint64_t> FreeBytesVia(const TestHooks& hooks, const std::string& path) {
  return hooks.free_bytes ? hooks.free_bytes(path) : FreeBytes(path);
}

// NoSpace unless `free` leaves the reserve and room to compact the store's `tables` bytes of SST
// files after `bytes` more. A compaction writes its output before it deletes its input, and
// since the id index spreads every table over the whole key space, one compaction can rewrite
// the largest level: up to all of the tables.
Status SpaceFor(uint64_t free, uint64_t bytes, uint64_t reserve, uint64_t tables,
                const std::string& dir, std::string_view what) {
  const uint64_t keep = reserve + tables;
  if (free >= keep && free - keep >= bytes) return Status::OK();
  return Status::NoSpace(
      std::string(what) + ": " + std::to_string(free) + " bytes free on the file system of " + dir +
      ", the store keeps " + std::to_string(reserve) +
      " free (RocksDbOptions::disk_reserve_bytes) plus room to compact its " +
      std::to_string(tables) + " bytes of tables; nothing was written: free space and retry");
}

// The bytes of the SST files in `dir` (before RocksDB opens it).
uint64_t TableBytes(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".sst") total += it->file_size(ec);
  }
  return total;
}

// Step 1 of recovery: refuses, without creating anything, a directory that is not a store.
// Sets *fresh when the store is new.
Status CheckDirectory(const std::string& dir, const RocksDbOptions& options, bool* fresh) {
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Status::IOError("cannot access " + dir + ": " + ec.message());
  }
  if (!fs::exists(st)) {
    if (!options.create_if_missing) {
      return Status::NotFound("store directory " + dir +
                              " does not exist (create_if_missing is false)");
    }
    *fresh = true;
    return Status::OK();
  }
  if (!fs::is_directory(st)) return Status::InvalidArgument(dir + " is not a directory");
  if (fs::exists(fs::path(dir) / "CURRENT", ec)) {
    *fresh = false;
    return Status::OK();
  }
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
  if (it != fs::directory_iterator()) {
    return Status::InvalidArgument(
        dir + " is not a statelog store: not empty and no RocksDB CURRENT file");
  }
  if (!options.create_if_missing) {
    return Status::NotFound("store directory " + dir + " is empty (create_if_missing is false)");
  }
  *fresh = true;
  return Status::OK();
}

Status OpenError(const rocksdb::Status& s, const std::string& dir) {
  const std::string text = s.ToString();
  if (s.IsIOError() && (text.find("lock") != std::string::npos ||
                        text.find("Resource temporarily unavailable") != std::string::npos)) {
    return Status::Busy("store " + dir + " is open elsewhere: " + text);
  }
  return FromRocks(s, "opening " + dir);
}

// Step 3 of recovery: the format marker. Sets *version (1 to kFormatVersion).
Status ReadFormat(rocksdb::DB* db, const std::string& dir, uint32_t* version) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), fmt::kFormatKey, &value);
  if (s.IsNotFound()) {
    return Status::InvalidArgument(dir + " is not a statelog store: no statelog format marker");
  }
  if (!s.ok()) return FromRocks(s, "reading the format marker of " + dir);
  if (value.size() != fmt::kMagic.size() + 4 || !value.starts_with(fmt::kMagic)) {
    return Status::Corruption(dir + ": malformed format marker");
  }
  *version = 0;
  for (size_t i = fmt::kMagic.size(); i < value.size(); ++i) {
    *version = (*version << 8) | static_cast<uint8_t>(value[i]);
  }
  if (*version > fmt::kFormatVersion) {
    return Status::NotSupported(dir + ": format version " + std::to_string(*version) +
                                " is newer than supported version " +
                                std::to_string(fmt::kFormatVersion));
  }
  if (*version == 0) return Status::Corruption(dir + ": format version 0");
  return Status::OK();
}

// Step 4 of recovery: the head record and its check against the last record (the same in
// formats 1 and 2). Sets *head.
Status CheckHead(rocksdb::DB* db, const std::string& dir, ChainHead* head) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), fmt::kHeadKey, &value);
  if (s.IsNotFound()) return Status::Corruption(dir + ": no head record");
  if (!s.ok()) return FromRocks(s, "reading the head record of " + dir);
  if (value.size() != 40) return Status::Corruption(dir + ": malformed head record");
  head->length = fmt::GetBE64(value.data());
  head->chain = fmt::GetFixed<32>(value.data() + 8);

  // The last record must be the head's, with the head's chain.
  const std::string lower(1, fmt::kRecordPrefix);
  rocksdb::Slice lower_slice(lower);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  it->SeekForPrev(fmt::RecordKey(~uint64_t{0}));
  if (!it->status().ok()) return FromRocks(it->status(), "reading the last record of " + dir);
  const bool any = it->Valid() && it->key().size() == 9 && it->key()[0] == fmt::kRecordPrefix;
  if (!any) {
    if (head->length == 0) return Status::OK();
    return Status::Corruption(dir + ": head says " + std::to_string(head->length) +
                              " records but no record exists");
  }
  const Offset last = fmt::GetBE64(it->key().data() + 1);
  if (last + 1 != head->length) {
    return Status::Corruption(dir + ": head says " + std::to_string(head->length) +
                              " records but the last record is at offset " + std::to_string(last));
  }
  if (it->value().size() < 32 || fmt::GetFixed<32>(it->value().data()) != head->chain) {
    return Status::Corruption(dir + ": offset " + std::to_string(last) +
                              ": chain value differs from the head record's");
  }
  return Status::OK();
}

// Creates an empty store at `dir` atomically: built and synced in a sibling directory, then
// renamed into place (replacing an empty `dir`) and the parent directory fsynced. A crash at any
// point leaves either no store (and maybe a stale sibling, removed by the next attempt) or a
// complete one: never a RocksDB database without statelog's format marker. The rename and the
// fsync go through `env`'s file system, like every other write of the store.
Status CreateStore(const std::string& dir, const RocksDbOptions& options, rocksdb::Env* env) {
  fs::path target = fs::path(dir).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmp_name = target.filename().string();
  tmp_name.insert(0, 1, '.');
  tmp_name.append(".statelog-creating");
  const fs::path tmp = parent / tmp_name;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return Status::IOError("cannot create " + parent.string() + ": " + ec.message());
  fs::remove_all(tmp, ec);
  if (ec) return Status::IOError("cannot remove " + tmp.string() + ": " + ec.message());
  {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(MakeOptions(options, env), tmp.string(), &raw);
    if (!s.ok()) return OpenError(s, tmp.string());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteBatch batch;
    batch.Put(fmt::kFormatKey, fmt::FormatValue(fmt::kFormatVersion));
    batch.Put(fmt::kHeadKey, fmt::HeadValue(0, Hash256()));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db->Write(wo, &batch);
    if (s.ok()) s = db->SyncWAL();
    if (s.ok()) s = db->Close();
    if (!s.ok()) return FromRocks(s, "creating the store in " + tmp.string());
  }
  const std::shared_ptr<rocksdb::FileSystem> files =
      env ? env->GetFileSystem() : rocksdb::FileSystem::Default();
  rocksdb::IOStatus io =
      files->RenameFile(tmp.string(), target.string(), rocksdb::IOOptions(), nullptr);
  if (!io.ok()) return FromRocks(io, "renaming " + tmp.string() + " to " + dir);
  std::unique_ptr<rocksdb::FSDirectory> parent_dir;
  io = files->NewDirectory(parent.string(), rocksdb::IOOptions(), &parent_dir, nullptr);
  if (io.ok()) io = parent_dir->Fsync(rocksdb::IOOptions(), nullptr);
  if (io.ok()) io = parent_dir->Close(rocksdb::IOOptions(), nullptr);
  if (!io.ok()) return FromRocks(io, "fsyncing directory " + parent.string());
  return Status::OK();
}

// Opens the store in `dir` read-only: takes its LOCK file (so that a writer cannot open it
// meanwhile) and opens the database without writing anything.
Status OpenReadOnly(const std::string& dir, const RocksDbOptions& options, rocksdb::Env* env,
                    std::unique_ptr<rocksdb::DB>* db, rocksdb::FileLock** lock) {
  rocksdb::Env* locker = env ? env : rocksdb::Env::Default();
  rocksdb::Status s = locker->LockFile(dir + "/LOCK", lock);
  if (!s.ok()) return Status::Busy("store " + dir + " is open elsewhere: " + s.ToString());
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(MakeOptions(options, env), dir, &raw);
  if (!s.ok()) {
    (void)locker->UnlockFile(*lock);
    *lock = nullptr;
    return OpenError(s, dir);
  }
  db->reset(raw);
  return Status::OK();
}

// A copy RocksDB's checkpoint wrote holds the marker that says the store keeps ACKED, but not
// ACKED itself (it is not RocksDB's file): gives the copy one, recording the head it holds.
Status GiveCopyItsAcked(const std::string& dir, rocksdb::Env* env) {
  RocksDbOptions read_only;
  read_only.read_only = true;
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::FileLock* lock = nullptr;
  STATELOG_RETURN_IF_ERROR(OpenReadOnly(dir, read_only, env, &db, &lock));
  ChainHead head;
  Status st = CheckHead(db.get(), dir, &head);
  db.reset();
  (void)env->UnlockFile(lock);
  if (!st.ok()) return st;
  return AckedWriter::Create(env->GetFileSystem().get(), dir, head).status();
}

}  // namespace

// The RocksDbEventStore that Open returns: the Nitro layer over a Log over a RocksBackend. The
// Log owns the backend; `backend_` serves snapshots() and health().
class RocksEventStore final : public RocksDbEventStore {
 public:
  RocksEventStore(std::unique_ptr<Log> log, RocksBackend* backend)
      : RocksDbEventStore(std::move(log)), backend_(backend) {}

  SnapshotStore* snapshots() override { return backend_->snapshots(); }
  Status health() const override { return backend_->health(); }
  Status WriteCopy(const std::string& dir) override {
    Status writable = backend_->CheckWritable();
    if (writable.code() == StatusCode::kNotSupported) {
      return Status::NotSupported("cannot copy the store: it is open read-only");
    }
    std::error_code ec;
    if (fs::exists(dir, ec)) return Status::InvalidArgument(dir + " exists");
    rocksdb::Checkpoint* raw = nullptr;
    STATELOG_RETURN_IF_ERROR(
        FromRocks(rocksdb::Checkpoint::Create(backend_->db(), &raw), "checkpoint of the store"));
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // log_size_for_flush 0: always flush, so the copy's table files hold everything and its
    // write-ahead log is what was written during the flush.
    STATELOG_RETURN_IF_ERROR(FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
                                       "copying the store to " + dir));
    return GiveCopyItsAcked(dir, backend_->db()->GetEnv());
  }
  StatusOr<DiskUsage> disk_usage() const override {
    return MeasureDiskUsage(backend_->db(), backend_->dir());
  }
  RocksBackend* backend() const { return backend_; }

 private:
  RocksBackend* const backend_;
};

StatusOr<uint64_t> FreeBytes(const std::string& path) {
  auto free_of = [](const struct statvfs& st) -> uint64_t {
    // A file system that counts no blocks (/proc, /sys) has no free space to speak of: its
    // writes fail for other reasons, which the write itself reports.
    if (st.f_blocks == 0) return std::numeric_limits<uint64_t>::max();
    return static_cast<uint64_t>(st.f_bavail) * static_cast<uint64_t>(st.f_frsize);
  };
  struct statvfs st {};
  // The common case, an existing path (every append asks about the store's directory), needs no
  // path arithmetic.
  if (::statvfs(path.c_str(), &st) == 0) return free_of(st);
  fs::path p = fs::absolute(fs::path(path)).lexically_normal();
  for (;;) {
    if (::statvfs(p.c_str(), &st) == 0) return free_of(st);
    if (errno != ENOENT || !p.has_parent_path() || p.parent_path() == p) {
      return Status::IOError("cannot read the free space of " + p.string() + ": " +
                             std::strerror(errno));
    }
    p = p.parent_path();
  }
}

StatusOr<std::unique_ptr<RocksBackend>> RocksBackend::Open(const std::string& dir,
                                                           const RocksDbOptions& options,
                                                           const RecordFormat* format,
                                                           const TestHooks& hooks) {
  if (options.disk_reserve_bytes < kMinDiskReserve) {
    return Status::InvalidArgument("disk_reserve_bytes is " +
                                   std::to_string(options.disk_reserve_bytes) +
                                   ", below the minimum of " + std::to_string(kMinDiskReserve));
  }
  RocksDbOptions checked = options;
  if (options.read_only) checked.create_if_missing = false;
  bool fresh = false;
  STATELOG_RETURN_IF_ERROR(CheckDirectory(dir, checked, &fresh));
  // Read before RocksDB recovers them: RocksDB names no file or offset, and skips a zeroed block.
  std::vector<WalFile> wals;
  if (!fresh) STATELOG_RETURN_IF_ERROR(CheckWals(dir, options.strict, &wals));
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::FileLock* lock = nullptr;
  if (options.read_only) {
    STATELOG_RETURN_IF_ERROR(OpenReadOnly(dir, options, hooks.env.get(), &db, &lock));
  } else {
    // Opening writes (a new MANIFEST and WAL, the info log): refused below the reserve too.
    STATELOG_ASSIGN_OR_RETURN(const uint64_t free, FreeBytesVia(hooks, dir));
    STATELOG_RETURN_IF_ERROR(SpaceFor(free, 0, options.disk_reserve_bytes,
                                      fresh ? 0 : TableBytes(dir), dir, "opening for writing"));
    if (fresh) STATELOG_RETURN_IF_ERROR(CreateStore(dir, options, hooks.env.get()));
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(MakeOptions(options, hooks.env.get()), dir, &raw);
    if (!s.ok()) return OpenError(s, dir);
    db.reset(raw);
    STATELOG_RETURN_IF_ERROR(RemoveBulkLeftovers(db->GetEnv(), dir));
  }
  // From here on the backend owns the database (and the lock): its destructor closes both.
  uint32_t version = 0;
  ChainHead head;
  Status st = ReadFormat(db.get(), dir, &version);
  if (st.ok()) st = CheckHead(db.get(), dir, &head);
  if (st.ok() && !hooks.repair) st = CheckAcknowledged(db.get(), dir, head, wals);
  if (st.ok() && version < fmt::kFormatVersion) {
    st = options.read_only
             ? Status::FailedPrecondition(dir + ": format version " + std::to_string(version) +
                                          " must be upgraded, which a read-only open cannot do: "
                                          "open the store for writing once")
             : UpgradeFormat(db.get(), dir, *format, version, head.length, hooks);
  }
  auto backend = std::make_unique<RocksBackend>(hooks.env, std::move(db), dir, options, hooks,
                                                format, head, lock);
  if (!st.ok()) return st;
  if (!options.read_only) {
    // From now on every durable append is recorded in ACKED, starting from the recovered head.
    // The marker that makes a missing ACKED an error is written once ACKED is durable: a crash
    // in between leaves a store that opens.
    const std::shared_ptr<rocksdb::FileSystem> files =
        hooks.env ? hooks.env->GetFileSystem() : rocksdb::FileSystem::Default();
    STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<AckedWriter> acked,
                              AckedWriter::Create(files.get(), dir, head));
    STATELOG_RETURN_IF_ERROR(MarkAcked(backend->db(), dir));
    backend->StartAcked(std::move(acked));
  }
  return backend;
}

RocksBackend::RocksBackend(std::shared_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db,
                           const std::string& dir, const RocksDbOptions& options,
                           const TestHooks& hooks, const RecordFormat* format,
                           const ChainHead& head, rocksdb::FileLock* lock)
    : env_(std::move(env)),
      db_(std::move(db)),
      dir_(dir),
      read_only_(options.read_only),
      reserve_(options.disk_reserve_bytes),
      bulk_bytes_(options.bulk_append_bytes),
      keep_tree_(hooks.keep_tree),
      free_bytes_(hooks.free_bytes),
      lock_(lock),
      format_(format),
      head_(head) {
  write_options_.sync = options.sync;
  snapshots_ = NewRocksSnapshotStore(this);
}

RocksBackend::~RocksBackend() {
  snapshots_.reset();
  if (acked_ != nullptr && !write_options_.sync && health().ok()) {
    // A relaxed store records its head at a clean close, once its write-ahead log is synced.
    if (db_->FlushWAL(/*sync=*/true).ok()) (void)acked_->Record(*ReadHead());
  }
  acked_.reset();
  if (db_) {
    // Best effort: a close error changes nothing that is durable.
    (void)db_->Close();
    db_.reset();
  }
  if (lock_ != nullptr) (void)(env_ ? env_.get() : rocksdb::Env::Default())->UnlockFile(lock_);
}

Status RocksBackend::CheckSpace(uint64_t bytes, std::string_view what) const {
  StatusOr<uint64_t> free = free_bytes_ ? free_bytes_(dir_) : FreeBytes(dir_);
  if (!free.ok()) return free.status();
  uint64_t tables = 0;
  if (!db_->GetIntProperty(rocksdb::DB::Properties::kLiveSstFilesSize, &tables)) tables = 0;
  return SpaceFor(*free, bytes, reserve_, tables, dir_, what);
}

StatusOr<std::unique_ptr<RocksDbEventStore>> OpenWithHooks(const std::string& dir,
                                                           const RocksDbOptions& options,
                                                           const TestHooks& hooks) {
  const RecordFormat* format = &EventRecordFormat();
  STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<RocksBackend> backend,
                            RocksBackend::Open(dir, options, format, hooks));
  RocksBackend* raw = backend.get();
  STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<Log> log, Log::Open(std::move(backend), format));
  return std::unique_ptr<RocksDbEventStore>(std::make_unique<RocksEventStore>(std::move(log), raw));
}

StatusOr<std::unique_ptr<LogBackend>> OpenBackend(const std::string& dir,
                                                  const RocksDbOptions& options,
                                                  const RecordFormat* format,
                                                  const TestHooks& hooks) {
  STATELOG_ASSIGN_OR_RETURN(std::unique_ptr<RocksBackend> backend,
                            RocksBackend::Open(dir, options, format, hooks));
  return std::unique_ptr<LogBackend>(std::move(backend));
}

Status FlushForTesting(RocksDbEventStore* store) {
  auto* impl = dynamic_cast<RocksEventStore*>(store);
  if (impl == nullptr) return Status::InvalidArgument("not a store opened by RocksDbEventStore");
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return FromRocks(impl->backend()->db()->Flush(fo), "flushing");
}

}  // namespace statelog::rocksdb_internal

namespace statelog {

StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::Open(
    const std::string& dir, const RocksDbOptions& options) {
  return rocksdb_internal::OpenWithHooks(dir, options, {});
}

}  // namespace statelog
