// RocksDbEventStore::Repair: salvages the undamaged prefix of a store whose write-ahead log is
// damaged or shorter than what it acknowledged (docs/adr/0019-damage-is-refused.md).
#include <ctime>
#include <filesystem>
#include <string>
#include <system_error>

#include "rocksdb/acked.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/wal_scan.h"
#include "statelog/rocksdb_store.h"

namespace statelog {
namespace {

namespace fs = std::filesystem;

// "lost-20261207T150000Z"
std::string LostName() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "lost-%Y%m%dT%H%M%SZ", &tm);
  return text;
}

// Copies `path` into `to`; records it in *moved.
Status CopyAside(const std::string& path, const fs::path& to, std::vector<std::string>* moved) {
  std::error_code ec;
  const fs::path target = to / fs::path(path).filename();
  fs::copy_file(path, target, fs::copy_options::overwrite_existing, ec);
  if (ec)
    return Status::IOError("cannot copy " + path + " to " + target.string() + ": " + ec.message());
  moved->push_back(target.string() + " (" + std::to_string(fs::file_size(target, ec)) + " bytes)");
  return Status::OK();
}

}  // namespace

StatusOr<RepairReport> RocksDbEventStore::Repair(const std::string& dir,
                                                 const RocksDbOptions& options) {
  using rocksdb_internal::ReadAcked;
  using rocksdb_internal::ScanWals;
  RepairReport report;
  RocksDbOptions writable = options;
  writable.read_only = false;
  writable.create_if_missing = false;
  {
    auto store = Open(dir, writable);
    if (store.ok()) {
      report.kept = *(*store)->Length();
      return report;
    }
    if (!store.status().IsCorruption()) return store.status();
    report.damage = store.status().ToString();
  }
  STATELOG_ASSIGN_OR_RETURN(const std::vector<rocksdb_internal::WalFile> wals, ScanWals(dir));
  STATELOG_ASSIGN_OR_RETURN(const rocksdb_internal::AckedRead acked, ReadAcked(dir));
  report.acknowledged = acked.head ? acked.head->length : 0;

  // Everything a repair changes is copied first.
  const fs::path lost = fs::path(dir) / LostName();
  std::error_code ec;
  fs::create_directories(lost, ec);
  if (ec) return Status::IOError("cannot create " + lost.string() + ": " + ec.message());
  report.moved_to = lost.string();
  for (const rocksdb_internal::WalFile& w : wals) {
    STATELOG_RETURN_IF_ERROR(CopyAside(w.path, lost, &report.moved));
  }
  if (acked.exists) {
    STATELOG_RETURN_IF_ERROR(CopyAside(rocksdb_internal::AckedPath(dir), lost, &report.moved));
  }

  // Each damaged log is cut at its first bad record; the logs after damage are not replayed (they
  // would leave a hole in the log).
  bool after_damage = false;
  for (const rocksdb_internal::WalFile& w : wals) {
    const std::string name = fs::path(w.path).filename();
    if (after_damage) {
      fs::remove(w.path, ec);
      if (ec) return Status::IOError("cannot remove " + w.path + ": " + ec.message());
      report.cut.push_back(name + " (after the damage: set aside whole)");
      continue;
    }
    if (!w.bad_offset) continue;
    fs::resize_file(w.path, *w.bad_offset, ec);
    if (ec) return Status::IOError("cannot cut " + w.path + ": " + ec.message());
    report.cut.push_back(name + " at byte " + std::to_string(*w.bad_offset) + " (" + w.problem +
                         ")");
    after_damage = !w.torn_tail;
  }

  rocksdb_internal::TestHooks hooks;
  hooks.repair = true;
  auto store = rocksdb_internal::OpenWithHooks(dir, writable, hooks);
  if (!store.ok()) {
    return store.status().WithPrefix("cannot repair " + dir + " (its logs and ACKED are in " +
                                     lost.string() + ")");
  }
  report.kept = *(*store)->Length();
  report.repaired = true;
  return report;
}

}  // namespace statelog
