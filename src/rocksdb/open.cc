// Opening a RocksDB store: directory checks, RocksDB options, format marker, head check and the
// upgrade of older formats (docs/rocksdb-format.md, "Recovery" and "Upgrades"); the Nitro
// RocksDbEventStore over the backend.
#include <fcntl.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"
#include "statelog/store.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;
namespace fs = std::filesystem;

rocksdb::Options MakeOptions(const RocksDbOptions& options, rocksdb::Env* env) {
  rocksdb::Options o;
  o.create_if_missing = true;  // the directory checks decided already
  o.paranoid_checks = true;
  o.wal_recovery_mode = options.strict ? rocksdb::WALRecoveryMode::kAbsoluteConsistency
                                       : rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  o.max_background_jobs = 2;
  o.bytes_per_sync = 1 << 20;
  o.wal_bytes_per_sync = 0;
  o.enable_pipelined_write = false;  // the log core already groups writes (one Append at a time)
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (env) o.env = env;
  return o;
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

// Step 3 of recovery: the format marker. Sets *version (1 or 2).
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
// complete one: never a RocksDB database without statelog's format marker.
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
  fs::rename(tmp, target, ec);
  if (ec)
    return Status::IOError("cannot rename " + tmp.string() + " to " + dir + ": " + ec.message());
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return Status::IOError("cannot fsync directory " + parent.string());
  }
  ::close(fd);
  return Status::OK();
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
  RocksBackend* backend() const { return backend_; }

 private:
  RocksBackend* const backend_;
};

StatusOr<std::unique_ptr<RocksBackend>> RocksBackend::Open(const std::string& dir,
                                                           const RocksDbOptions& options,
                                                           const RecordFormat* format,
                                                           const TestHooks& hooks) {
  bool fresh = false;
  STATELOG_RETURN_IF_ERROR(CheckDirectory(dir, options, &fresh));
  if (fresh) STATELOG_RETURN_IF_ERROR(CreateStore(dir, options, hooks.env.get()));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(MakeOptions(options, hooks.env.get()), dir, &raw);
  if (!s.ok()) return OpenError(s, dir);
  std::unique_ptr<rocksdb::DB> db(raw);

  uint32_t version = 0;
  ChainHead head;
  Status st = ReadFormat(db.get(), dir, &version);
  if (st.ok()) st = CheckHead(db.get(), dir, &head);
  if (st.ok() && version < fmt::kFormatVersion) {
    st = UpgradeFromFormat1(db.get(), dir, *format, head.length, hooks);
  }
  if (!st.ok()) {
    (void)db->Close();  // best effort: the error is what the caller needs
    return st;
  }
  return std::make_unique<RocksBackend>(hooks.env, std::move(db), options, format, head);
}

RocksBackend::RocksBackend(std::shared_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db,
                           const RocksDbOptions& options, const RecordFormat* format,
                           const ChainHead& head)
    : env_(std::move(env)), db_(std::move(db)), format_(format), head_(head) {
  write_options_.sync = options.sync;
  snapshots_ = NewRocksSnapshotStore(this);
}

RocksBackend::~RocksBackend() {
  snapshots_.reset();
  if (db_) {
    // Best effort: a close error changes nothing that is durable.
    (void)db_->Close();
    db_.reset();
  }
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
