// Backups of a store (statelog/db.h, docs/adr/0021-online-backups.md): the directory work around
// the backend's copy (a RocksDB checkpoint): the temporary "DEST.partial" directory and its lock,
// the verification of the copy, its comparison with the live log, the atomic rename; restores.
#include "db/backup.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>

namespace statelog {
namespace fs = std::filesystem;
namespace {

std::string Trimmed(const std::string& dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d;
}

std::string ParentOf(const std::string& dir) {
  fs::path parent = fs::path(dir).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() != fs::file_type::not_found;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError("cannot fsync " + dir + ": " + std::strerror(err));
  return Status::OK();
}

// The temporary directory "DIR.partial" of a backup or restore into DIR, held with an exclusive
// lock on its file ".lock" while the work goes on. One left by an interrupted run (nobody holds
// its lock) is removed first; one whose lock is held is Busy.
class Partial {
 public:
  ~Partial() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

  Status Acquire(const std::string& what, const std::string& dir) {
    path_ = dir + ".partial";
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (::mkdir(path_.c_str(), 0755) == 0) return Lock(what, dir);
      if (errno != EEXIST) {
        return Status::IOError(what + ": cannot create " + path_ + ": " + std::strerror(errno));
      }
      // Left by an interrupted run, or in use by a running one: its lock says which.
      int fd = ::open((path_ + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        ::close(fd);
        return Status::Busy(what + ": " + path_ + " is in use by another " + what + " to " + dir);
      }
      if (fd >= 0) ::close(fd);
      std::error_code ec;
      fs::remove_all(path_, ec);
      if (ec) {
        return Status::IOError(what + ": cannot remove " + path_ + ", left by an interrupted " +
                               what + ": " + ec.message());
      }
    }
    return Status::Busy(what + ": " + path_ + " is in use by another " + what + " to " + dir);
  }

  const std::string& path() const { return path_; }
  std::string store() const { return path_ + "/store"; }

  // Removes the directory (what is still in it) and releases the lock.
  void Remove() {
    std::error_code ec;
    fs::remove(path_ + "/.lock", ec);
    fs::remove_all(path_, ec);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  Status Lock(const std::string& what, const std::string& dir) {
    fd_ = ::open((path_ + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return Status::Busy(what + ": " + path_ + " is in use by another " + what + " to " + dir);
    }
    return Status::OK();
  }

  std::string path_;
  int fd_ = -1;
};

// Prepares the new directory `dir`: checks that its parent exists, takes "DIR.partial" (removing
// one an interrupted run left), and checks that `dir` does not exist (the partial directory is
// removed again then).
Status PrepareNewDir(const std::string& what, const std::string& dir, const std::string& why,
                     Partial* partial) {
  const std::string parent = ParentOf(dir);
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    return Status::NotFound(what + ": the parent directory of " + dir + " does not exist (" +
                            parent + ")");
  }
  STATELOG_RETURN_IF_ERROR(partial->Acquire(what, dir));
  if (Exists(dir)) {
    partial->Remove();
    return Status::AlreadyExists(what + ": " + dir + " exists (" + why + ")");
  }
  return Status::OK();
}

// Renames the verified copy in `partial` to `dir` in one step and makes that durable.
Status Publish(const std::string& what, Partial& partial, const std::string& dir) {
  if (::rename(partial.store().c_str(), dir.c_str()) != 0) {
    return Status::IOError(what + ": cannot rename " + partial.store() + " to " + dir + ": " +
                           std::strerror(errno));
  }
  STATELOG_RETURN_IF_ERROR(FsyncDir(ParentOf(dir)));
  partial.Remove();
  return Status::OK();
}

}  // namespace

namespace {

// True when `dir` is, or is inside, the temporary directory of a backup or restore.
bool InPartial(const std::string& dir) {
  for (fs::path p = fs::absolute(fs::path(dir)).lexically_normal(); p.has_filename();
       p = p.parent_path()) {
    if (p.extension() == ".partial") return true;
  }
  return false;
}

// CheckBackup without the check of the name (the copies being checked are in DEST.partial).
StatusOr<BackupInfo> CheckCopy(const std::string& dir);

}  // namespace

StatusOr<BackupInfo> CheckBackup(const std::string& dir_in) {
  const std::string dir = Trimmed(dir_in);
  if (InPartial(dir)) {
    return Status::Corruption(dir +
                              " is not a complete backup: it is in the temporary directory of an "
                              "interrupted backup (*.partial), which is never a backup");
  }
  return CheckCopy(dir);
}

namespace {

StatusOr<BackupInfo> CheckCopy(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound("backup " + dir + " does not exist (or is not a directory)");
  }
  auto refuse = [&dir](const Status& why) {
    return Status::Corruption(dir + " is not a complete backup: " + why.ToString());
  };
  DBOptions options;
  options.read_only = true;
  auto opened = DB::Open("rocksdb:" + dir, options);
  if (!opened.ok()) return refuse(opened.status());
  const DB& db = **opened;
  VerifyReport report = db.Verify();
  if (!report.status.ok()) return refuse(report.status);
  BackupInfo info;
  info.dir = dir;
  info.head = report.head;
  info.events = report.events;
  info.signatures = report.signatures;
  info.snapshots = report.snapshots;
  auto kept = db.LatestCheckpoint();
  if (!kept.ok()) return refuse(kept.status());
  if (*kept) info.checkpoint_size = (*kept)->size;
  return info;
}

}  // namespace

StatusOr<Hash256> ChainAt(const DB& live, uint64_t length, bool wait) {
  if (length == 0) return Hash256();
  // The log's head can trail its backend's by the moment between a write and its publication.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait ? 10 : 0);
  for (;;) {
    STATELOG_ASSIGN_OR_RETURN(ChainHead head, live.Head());
    if (head.length >= length) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::OutOfRange("the backup holds " + std::to_string(length) + " events, " +
                                live.description() + " only " + std::to_string(head.length));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  STATELOG_ASSIGN_OR_RETURN(StoredEvent last, live.Read(length - 1));
  return last.chain;
}

Status CompareWithLive(const DB& live, const BackupInfo& info, bool wait) {
  STATELOG_ASSIGN_OR_RETURN(Hash256 chain, ChainAt(live, info.head.length, wait));
  if (chain != info.head.chain) {
    return Status::FailedPrecondition(info.dir + " is not the history of " + live.description() +
                                      ": at length " + std::to_string(info.head.length) +
                                      " the backup's chain value is " + info.head.chain.ToHex() +
                                      ", the store's " + chain.ToHex());
  }
  return Status::OK();
}

StatusOr<BackupInfo> WriteBackup(const DB& live, const CopyFn& copy, const std::string& dest_in) {
  const std::string dest = Trimmed(dest_in);
  const std::string what = "backup";
  const std::string why = "a backup is written only into a new directory";
  Partial partial;
  STATELOG_RETURN_IF_ERROR(PrepareNewDir(what, dest, why, &partial));
  auto fail = [&partial](const Status& st) {
    partial.Remove();
    return st;
  };
  const auto start = std::chrono::steady_clock::now();
  Status copied = copy(partial.store());
  const double copy_seconds = SecondsSince(start);
  if (!copied.ok()) return fail(copied.WithPrefix(what + ": cannot copy " + live.description()));
  StatusOr<BackupInfo> info = CheckCopy(partial.store());
  if (!info.ok()) return fail(info.status().WithPrefix(what + ": the copy failed its check"));
  Status same = CompareWithLive(live, *info, /*wait=*/true);
  if (!same.ok()) return fail(same.WithPrefix(what + ": the copy failed its check"));
  STATELOG_RETURN_IF_ERROR(Publish(what, partial, dest));
  info->dir = dest;
  info->copy_seconds = copy_seconds;
  return info;
}

StatusOr<BackupInfo> RestoreBackup(const std::string& backup_in, const std::string& dir_in) {
  const std::string backup = Trimmed(backup_in);
  const std::string dir = Trimmed(dir_in);
  const std::string what = "restore";
  Partial partial;
  STATELOG_RETURN_IF_ERROR(PrepareNewDir(
      what, dir, "a backup is restored only into a new directory; move it away first", &partial));
  auto fail = [&partial](const Status& st) {
    partial.Remove();
    return st;
  };
  StatusOr<BackupInfo> source = CheckBackup(backup);
  if (!source.ok()) return fail(source.status().WithPrefix(what));
  const auto start = std::chrono::steady_clock::now();
  // The store's files, without the LOCK file and info logs its checks left.
  std::error_code ec;
  fs::create_directory(partial.store(), ec);
  if (ec) return fail(Status::IOError(what + ": cannot create " + partial.store()));
  for (const fs::directory_entry& e : fs::directory_iterator(backup, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "LOCK" || name == "LOG" || name.rfind("LOG.old", 0) == 0) continue;
    fs::copy(e.path(), partial.store() + "/" + name, fs::copy_options::recursive, ec);
    if (ec) {
      return fail(
          Status::IOError(what + ": cannot copy " + e.path().string() + ": " + ec.message()));
    }
    if (e.is_regular_file()) {
      int fd = ::open((partial.store() + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        return fail(Status::IOError(what + ": cannot fsync the copy of " + name));
      }
      ::close(fd);
    }
  }
  if (ec) return fail(Status::IOError(what + ": cannot read " + backup + ": " + ec.message()));
  Status synced = FsyncDir(partial.store());
  if (!synced.ok()) return fail(synced);
  const double copy_seconds = SecondsSince(start);
  StatusOr<BackupInfo> copy = CheckCopy(partial.store());
  if (!copy.ok()) return fail(copy.status().WithPrefix(what + ": the copy failed its check"));
  if (copy->head != source->head) {
    return fail(Status::Corruption(what + ": the copy's head is not the backup's"));
  }
  STATELOG_RETURN_IF_ERROR(Publish(what, partial, dir));
  copy->dir = dir;
  copy->copy_seconds = copy_seconds;
  return copy;
}

}  // namespace statelog
