// PowerLossFileSystem: a RocksDB file system that can simulate a power loss, for the power-loss
// harness (power_loss_test.cc).
//
// It passes every operation to the real file system and remembers what a power loss would
// undo (the model of RocksDB's own fault-injection file system, written against the public
// FileSystemWrapper since Debian ships no RocksDB test utilities):
//   - file data: for each file written through it, the size written and the size last made
//     durable by Sync or Fsync (RangeSync is only a hint and makes nothing durable);
//   - directory entries: each file or directory created, each hard link and each rename target
//     stays undoable until its parent directory is fsynced (FSDirectory::Fsync, or
//     FsyncWithDirOptions, which RocksDB 7.8 calls after creating a WAL, installing a flushed,
//     compacted or ingested SST, and renaming CURRENT into place). A rename that replaced a file
//     remembers the old content, which the power loss puts back.
// Deletions are taken as durable at once (as in RocksDB's model).
//
// PowerLoss() makes every later write, sync, rename and deletion a silent no-op (the machine is
// off: the store being closed afterwards writes nothing); then, once the store is closed,
// DropUnsyncedData() applies the loss on disk: entries never made durable are removed (or get
// their old content back) and every other file it wrote is cut back to its durable size.
// Thread-safe: RocksDB calls it from its foreground and background threads.
#ifndef STATELOG_TESTS_ROCKSDB_POWER_LOSS_FS_H_
#define STATELOG_TESTS_ROCKSDB_POWER_LOSS_FS_H_

#include <rocksdb/file_system.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

namespace statelog::test {

class PowerLossFileSystem : public rocksdb::FileSystemWrapper {
 public:
  PowerLossFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "PowerLossFileSystem"; }

  // The power goes off: from now on nothing reaches the disk.
  void PowerLoss() {
    std::lock_guard<std::mutex> lock(mu_);
    off_ = true;
  }
  // The power goes off by itself at the `ops`-th operation that changes the disk from now on
  // (a file created, written, truncated or synced, a rename, a deletion, a directory created or
  // fsynced), in whatever thread of RocksDB it comes: in the middle of an append, a flush or a
  // compaction. 0: only PowerLoss() turns it off.
  void CutPowerAt(uint64_t ops) {
    std::lock_guard<std::mutex> lock(mu_);
    countdown_ = ops;
  }
  // Whether the power is off. An append acknowledged after the power went off was never
  // acknowledged: the machine was dead.
  bool powered_off() const {
    std::lock_guard<std::mutex> lock(mu_);
    return off_;
  }

  // Applies the power loss to the files on disk. REQUIRES: PowerLoss() was called and nothing
  // uses the file system any more (the store was closed).
  void DropUnsyncedData() {
    std::lock_guard<std::mutex> lock(mu_);
    std::error_code ec;
    for (const auto& [dir, entries] : pending_) {
      for (const auto& [name, before] : entries) {
        const std::filesystem::path path = std::filesystem::path(dir) / name;
        ++dropped_;
        std::filesystem::remove_all(path, ec);
        if (before.kind == Before::kFile) {
          std::ofstream(path, std::ios::binary | std::ios::trunc) << before.content;
        } else if (before.kind == Before::kEmptyDirectory) {
          std::filesystem::create_directory(path, ec);
        }
        ForgetUnder(path.string());
      }
    }
    pending_.clear();
    for (const auto& [path, state] : files_) {
      if (std::filesystem::exists(path, ec) &&
          std::filesystem::file_size(path, ec) > state.synced) {
        std::filesystem::resize_file(path, state.synced, ec);
        ++truncated_;
      }
    }
    files_.clear();
  }

  // How many files DropUnsyncedData cut back, and how many directory entries it removed or
  // restored (figures for the harness's report).
  uint64_t truncated_files() const {
    std::lock_guard<std::mutex> lock(mu_);
    return truncated_;
  }
  uint64_t dropped_entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return dropped_;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    return OpenForWriting(name, options, result, dbg, /*reopen=*/false);
  }

  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    return OpenForWriting(name, options, result, dbg, /*reopen=*/true);
  }

  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = RenameFile(old_name, name, rocksdb::IOOptions(), dbg);
    if (!s.ok()) return s;
    return NewWritableFile(name, options, result, dbg);
  }

  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    const std::string from = Normal(src), to = Normal(dst);
    std::lock_guard<std::mutex> lock(mu_);
    if (OffAfterOneMore()) return rocksdb::IOStatus::OK();
    // What a power loss before the next fsync of dst's directory puts back at dst.
    Before before;
    if (const Before* pending = FindPending(to)) {
      before = *pending;
    } else if (std::filesystem::is_directory(to)) {
      before.kind = Before::kEmptyDirectory;  // rename(2) replaces only an empty directory
    } else if (std::filesystem::exists(to)) {
      std::ifstream in(to, std::ios::binary);
      before.kind = Before::kFile;
      before.content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (auto it = files_.find(to);
          it != files_.end() && before.content.size() > it->second.synced) {
        before.content.resize(it->second.synced);  // only its durable part would come back
      }
    }
    rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
    if (!s.ok()) return s;
    // Move what is known of the source (a file, or everything under a directory).
    std::map<std::string, FileState> moved_files;
    for (auto it = files_.begin(); it != files_.end();) {
      if (auto renamed = Renamed(it->first, from, to)) {
        moved_files[*renamed] = it->second;
        it = files_.erase(it);
      } else {
        ++it;
      }
    }
    files_.erase(to);
    files_.merge(moved_files);
    std::map<std::string, std::map<std::string, Before>> moved_dirs;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (auto renamed = Renamed(it->first, from, to)) {
        moved_dirs[*renamed] = std::move(it->second);
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    pending_.merge(moved_dirs);
    const std::filesystem::path f(from);
    if (auto it = pending_.find(f.parent_path().string()); it != pending_.end()) {
      it->second.erase(f.filename().string());
    }
    AddPending(to, before, /*replace=*/true);
    return s;
  }

  // A hard link is a new directory entry for the same file: undoable until its directory is
  // fsynced. The link starts with what is known of the source (one file, two names).
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& dst,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    const std::string from = Normal(src), to = Normal(dst);
    std::lock_guard<std::mutex> lock(mu_);
    if (OffAfterOneMore()) return rocksdb::IOStatus::OK();
    rocksdb::IOStatus s = target()->LinkFile(from, to, options, dbg);
    if (!s.ok()) return s;
    if (auto it = files_.find(from); it != files_.end()) files_[to] = it->second;
    AddPending(to, Before{});
    return s;
  }

  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    const std::string path = Normal(name);
    std::lock_guard<std::mutex> lock(mu_);
    if (OffAfterOneMore()) return rocksdb::IOStatus::OK();
    rocksdb::IOStatus s = target()->DeleteFile(path, options, dbg);
    if (s.ok()) files_.erase(path);
    return s;
  }

  rocksdb::IOStatus CreateDir(const std::string& name, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    return MakeDir(name, options, dbg, /*if_missing=*/false);
  }
  rocksdb::IOStatus CreateDirIfMissing(const std::string& name, const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override {
    return MakeDir(name, options, dbg, /*if_missing=*/true);
  }

  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSDirectory> dir;
    rocksdb::IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
    if (s.ok()) *result = std::make_unique<Directory>(std::move(dir), this, Normal(name));
    return s;
  }

 private:
  struct FileState {
    uint64_t size = 0;    // bytes written
    uint64_t synced = 0;  // bytes made durable
  };
  // A directory entry's state before an undoable change.
  struct Before {
    enum Kind { kAbsent, kFile, kEmptyDirectory } kind = kAbsent;
    std::string content;  // kFile
  };

  static std::string Normal(const std::string& path) {
    std::string p = std::filesystem::path(path).lexically_normal().string();
    if (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
  }
  // `path` with the prefix `from` replaced by `to`, when `path` is `from` or lies under it.
  static std::optional<std::string> Renamed(const std::string& path, const std::string& from,
                                            const std::string& to) {
    if (path == from) return to;
    if (path.size() > from.size() && path.compare(0, from.size(), from) == 0 &&
        path[from.size()] == '/') {
      return to + path.substr(from.size());
    }
    return std::nullopt;
  }

  // REQUIRES: mu_ held (for all below).
  void AddPending(const std::string& path, const Before& before, bool replace = false) {
    const std::filesystem::path p(path);
    auto& entries = pending_[p.parent_path().string()];
    if (replace) {
      entries[p.filename().string()] = before;
    } else {
      entries.emplace(p.filename().string(), before);
    }
  }
  const Before* FindPending(const std::string& path) const {
    const std::filesystem::path p(path);
    auto dir = pending_.find(p.parent_path().string());
    if (dir == pending_.end()) return nullptr;
    auto it = dir->second.find(p.filename().string());
    return it == dir->second.end() ? nullptr : &it->second;
  }
  void ForgetUnder(const std::string& path) {
    for (auto it = files_.begin(); it != files_.end();) {
      it = Renamed(it->first, path, path) ? files_.erase(it) : std::next(it);
    }
  }

  // NewWritableFile (the file starts empty) or ReopenWritableFile (it keeps what it holds, durable
  // unless this file system wrote it).
  rocksdb::IOStatus OpenForWriting(const std::string& name, const rocksdb::FileOptions& options,
                                   std::unique_ptr<rocksdb::FSWritableFile>* result,
                                   rocksdb::IODebugContext* dbg, bool reopen) {
    const std::string path = Normal(name);
    std::lock_guard<std::mutex> lock(mu_);
    if (OffAfterOneMore()) {
      *result = std::make_unique<VoidFile>();
      return rocksdb::IOStatus::OK();
    }
    const bool existed = std::filesystem::exists(path);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = reopen ? target()->ReopenWritableFile(path, options, &file, dbg)
                                 : target()->NewWritableFile(path, options, &file, dbg);
    if (!s.ok()) return s;
    if (!existed) AddPending(path, Before{});
    if (!reopen) {
      files_[path] = FileState{};
    } else if (files_.find(path) == files_.end()) {
      std::error_code ec;
      const uint64_t size = existed ? std::filesystem::file_size(path, ec) : 0;
      files_[path] = FileState{size, size};
    }
    *result = std::make_unique<File>(std::move(file), this, path);
    return s;
  }

  rocksdb::IOStatus MakeDir(const std::string& name, const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg, bool if_missing) {
    const std::string path = Normal(name);
    std::lock_guard<std::mutex> lock(mu_);
    if (OffAfterOneMore()) return rocksdb::IOStatus::OK();
    const bool existed = std::filesystem::exists(path);
    rocksdb::IOStatus s = if_missing ? target()->CreateDirIfMissing(path, options, dbg)
                                     : target()->CreateDir(path, options, dbg);
    if (s.ok() && !existed) AddPending(path, Before{});
    return s;
  }

  void Wrote(const std::string& path, uint64_t end) {
    std::lock_guard<std::mutex> lock(mu_);
    FileState& st = files_[path];
    st.size = std::max(st.size, end);
  }
  void Truncated(const std::string& path, uint64_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    FileState& st = files_[path];
    st.size = size;
    st.synced = std::min(st.synced, size);
  }
  // Counts one operation that changes the disk; returns whether the power is off (now or
  // before). REQUIRES: mu_ held (OffAfterOneMore) or not (off).
  bool OffAfterOneMore() {
    if (!off_ && countdown_ > 0 && --countdown_ == 0) off_ = true;
    return off_;
  }
  bool off() {
    std::lock_guard<std::mutex> lock(mu_);
    return OffAfterOneMore();
  }
  uint64_t SizeOf(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return files_[path].size;
  }
  void Synced(const std::string& path, uint64_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    FileState& st = files_[path];
    st.synced = std::max(st.synced, std::min(size, st.size));
  }
  void DirectorySynced(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!off_) pending_.erase(dir);
  }

  // A file of the running machine: writes reach the real file and are tracked.
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, PowerLossFileSystem* fs, std::string path)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->off()) return rocksdb::IOStatus::OK();
      const uint64_t end = fs_->SizeOf(path_) + data.size();
      rocksdb::IOStatus s = target()->Append(data, options, dbg);
      if (s.ok()) fs_->Wrote(path_, end);
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo&,
                             rocksdb::IODebugContext* dbg) override {
      return Append(data, options, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override {
      if (fs_->off()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->PositionedAppend(data, offset, options, dbg);
      if (s.ok()) fs_->Wrote(path_, offset + data.size());
      return s;
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       const rocksdb::DataVerificationInfo&,
                                       rocksdb::IODebugContext* dbg) override {
      return PositionedAppend(data, offset, options, dbg);
    }
    rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
      if (fs_->off()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->Truncate(size, options, dbg);
      if (s.ok()) fs_->Truncated(path_, size);
      return s;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      return Durable(target()->Sync(options, dbg));
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      return Durable(target()->Fsync(options, dbg));
    }
    rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
      if (fs_->off()) return rocksdb::IOStatus::OK();
      return target()->RangeSync(offset, nbytes, options, dbg);  // a hint: nothing durable
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      return target()->Close(options, dbg);  // closing writes no data
    }

   private:
    // Marks what was written before a successful sync durable. The size is taken first: a
    // concurrent append may not be covered by the sync.
    rocksdb::IOStatus Durable(rocksdb::IOStatus synced) {
      if (fs_->off()) return rocksdb::IOStatus::OK();
      if (synced.ok()) fs_->Synced(path_, fs_->SizeOf(path_));
      return synced;
    }

    PowerLossFileSystem* const fs_;
    const std::string path_;
  };

  // A file opened after the power loss: everything "succeeds" and nothing is written.
  class VoidFile : public rocksdb::FSWritableFile {
   public:
    rocksdb::IOStatus Append(const rocksdb::Slice&, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();
    }
  };

  class Directory : public rocksdb::FSDirectoryWrapper {
   public:
    Directory(std::unique_ptr<rocksdb::FSDirectory> d, PowerLossFileSystem* fs, std::string path)
        : FSDirectoryWrapper(std::move(d)), fs_(fs), path_(std::move(path)) {}
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_->off()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = FSDirectoryWrapper::Fsync(options, dbg);
      if (s.ok()) fs_->DirectorySynced(path_);
      return s;
    }
    rocksdb::IOStatus FsyncWithDirOptions(
        const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
        const rocksdb::DirFsyncOptions& dir_fsync_options) override {
      if (fs_->off()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s =
          FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_fsync_options);
      if (s.ok()) fs_->DirectorySynced(path_);
      return s;
    }

   private:
    PowerLossFileSystem* const fs_;
    const std::string path_;
  };

  mutable std::mutex mu_;
  bool off_ = false;
  uint64_t countdown_ = 0;  // CutPowerAt
  std::map<std::string, FileState> files_;
  // Undoable entries: directory -> entry name -> its state before.
  std::map<std::string, std::map<std::string, Before>> pending_;
  uint64_t truncated_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_ROCKSDB_POWER_LOSS_FS_H_
