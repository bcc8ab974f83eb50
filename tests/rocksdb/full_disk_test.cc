// A full disk is an error, not a crash: appends below the disk reserve fail with NoSpace before
// RocksDB's write path, the store stays open and readable, read-only opens write nothing (so they
// work on a full disk), and appends resume once space is freed, nothing acknowledged lost. On a
// simulated free-space figure (any user) and on a real 4 MiB tmpfs (root; skipped otherwise).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "fold/fold_test_util.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/rocksdb_test_util.h"
#include "store/test_events.h"

namespace statelog::test {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

// Name and size of every file under `dir`.
std::map<std::string, uint64_t> Listing(const std::string& dir) {
  std::map<std::string, uint64_t> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    out[e.path().string()] = e.is_regular_file() ? e.file_size() : 0;
  }
  return out;
}

// The bytes of the SST files in `dir`.
uint64_t TableBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".sst") total += e.file_size();
  }
  return total;
}

RocksDbOptions ReadOnly() {
  RocksDbOptions o;
  o.read_only = true;
  return o;
}

TEST(RocksDbFullDiskTest, BelowTheReserveAppendsFailWithNoSpaceAndResume) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  std::atomic<uint64_t> free_bytes{uint64_t{1} << 40};
  rocksdb_internal::TestHooks hooks;
  hooks.free_bytes = [&](const std::string&) -> StatusOr<uint64_t> { return free_bytes.load(); };
  const std::vector<Event> events = InterleavedEvents(2, 10, 1);
  RocksDbOptions options;
  options.disk_reserve_bytes = 8 * kMiB;
  auto store = rocksdb_internal::OpenWithHooks(dir, options, hooks);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Append(events[0]).ok());
  // Control: the reserve, room to compact the tables and the write's size are enough.
  free_bytes = TableBytes(dir) + 8 * kMiB + 4096;
  ASSERT_TRUE((*store)->Append(events[1]).ok());
  free_bytes = 8 * kMiB + 10;
  auto refused = (*store)->Append(events[2]);
  ASSERT_EQ(refused.status().code(), StatusCode::kNoSpace) << refused.status().ToString();
  const std::string message(refused.status().message());
  EXPECT_TRUE(
      message.starts_with("appending offsets [2, 3): 8388618 bytes free on the file "
                          "system of " +
                          dir +
                          ", the store keeps 8388608 free "
                          "(RocksDbOptions::disk_reserve_bytes) plus room to compact its "))
      << message;
  EXPECT_TRUE(message.ends_with(" bytes of tables; nothing was written: free space and retry"))
      << message;
  EXPECT_TRUE((*store)->health().ok()) << "NoSpace must not be fatal";
  free_bytes = 8 * kMiB - 1;  // below the reserve itself
  Snapshot snapshot;
  snapshot.covers = 2;
  EXPECT_EQ((*store)->snapshots()->Put(snapshot).code(), StatusCode::kNoSpace);
  EXPECT_EQ(LengthOf(**store), 2u);
  EXPECT_EQ((*store)->Read(1)->event, events[1]);  // still readable
  // A writable open is refused as well; a read-only one is not (but the store is held: Busy).
  store->reset();
  auto writable = rocksdb_internal::OpenWithHooks(dir, options, hooks);
  EXPECT_EQ(writable.status().code(), StatusCode::kNoSpace) << writable.status().ToString();
  RocksDbOptions read_only = options;
  read_only.read_only = true;
  {
    auto reader = rocksdb_internal::OpenWithHooks(dir, read_only, hooks);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ(LengthOf(**reader), 2u);
  }
  // Space is back: appends resume after the acknowledged events.
  free_bytes = uint64_t{1} << 40;
  store = rocksdb_internal::OpenWithHooks(dir, options, hooks);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto resumed = (*store)->Append(events[2]);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->offset, 2u);
  const std::vector<StoredEvent> log = CheckLog(**store);
  ASSERT_EQ(log.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(log[i].event, events[i]);
}

TEST(RocksDbFullDiskTest, ReserveBelowOneMiBIsRefused) {
  TempDir tmp;
  RocksDbOptions options;
  options.disk_reserve_bytes = kMiB - 1;
  auto store = RocksDbEventStore::Open(tmp.path() + "/db", options);
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << store.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/db"));
}

TEST(RocksDbFullDiskTest, ReadOnlyOpenWritesNothingAndRefusesWrites) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  const std::vector<Event> events = InterleavedEvents(2, 5, 1);
  {
    auto store = RocksDbEventStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const Event& e : events) ASSERT_TRUE((*store)->Append(e).ok());
  }
  const auto before = Listing(dir);
  {
    auto store = RocksDbEventStore::Open(dir, ReadOnly());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(CheckLog(**store).size(), events.size());
    auto append = (*store)->Append(InterleavedEvents(3, 1, 7)[0]);
    EXPECT_EQ(append.status().code(), StatusCode::kNotSupported) << append.status().ToString();
    EXPECT_EQ((*store)->snapshots()->Put(Snapshot{}).code(), StatusCode::kNotSupported);
    // Exclusive like a writable open.
    auto second = RocksDbEventStore::Open(dir, ReadOnly());
    EXPECT_EQ(second.status().code(), StatusCode::kBusy) << second.status().ToString();
  }
  EXPECT_EQ(Listing(dir), before) << "a read-only open wrote to the store";
  {
    auto reader = RocksDbEventStore::Open(dir, ReadOnly());
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    auto writer = RocksDbEventStore::Open(dir);
    EXPECT_EQ(writer.status().code(), StatusCode::kBusy) << writer.status().ToString();
  }
  // Control: a writable open and close does change the directory (new WAL, MANIFEST, LOG).
  const auto read_only_listing = Listing(dir);
  { ASSERT_TRUE(RocksDbEventStore::Open(dir).ok()); }
  EXPECT_NE(Listing(dir), read_only_listing);
  // Read-only never creates a store.
  auto missing = RocksDbEventStore::Open(tmp.path() + "/none", ReadOnly());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/none"));
}

// A real tmpfs of `size` (mount(8) syntax, e.g. "4m") mounted on a new temporary directory,
// unmounted when destroyed. Mounting needs root: mounted() says whether it worked.
class ScopedTmpfs {
 public:
  explicit ScopedTmpfs(const std::string& size) : path_(tmp_.path() + "/mnt") {
    std::filesystem::create_directory(path_);
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~ScopedTmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  ScopedTmpfs(const ScopedTmpfs&) = delete;
  ScopedTmpfs& operator=(const ScopedTmpfs&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  TempDir tmp_;  // removed after the unmount
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

// Fills the file system holding `dir` to the last byte with a file; returns its path.
std::string FillDisk(const std::string& dir) {
  const std::string path = dir + "/filler";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return path;
  const std::string block(64 << 10, 'x');
  for (size_t size = block.size(); size > 0;) {
    if (::write(fd, block.data(), size) <= 0) size /= 2;  // ENOSPC: try a smaller piece
  }
  ::close(fd);
  return path;
}

// On a real 4 MiB tmpfs (needs root: mount(2)).
TEST(RocksDbFullDiskTest, RealTmpfsFillsWithoutACrash) {
  ScopedTmpfs tmpfs("4m");
  if (!tmpfs.mounted()) {
    GTEST_SKIP() << "cannot mount a tmpfs (" << tmpfs.error()
                 << "): run as root to test a real full disk";
  }
  const std::string& mnt = tmpfs.path();
  const std::string dir = mnt + "/db";
  RocksDbOptions options;
  options.disk_reserve_bytes = kMiB;
  const std::vector<Event> events = InterleavedEvents(16, 2000, 1);
  size_t acked = 0;
  Status refused;
  {
    auto store = RocksDbEventStore::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (; acked < events.size(); ++acked) {
      auto r = (*store)->Append(events[acked]);
      if (!r.ok()) {
        refused = r.status();
        break;
      }
    }
    ASSERT_EQ(refused.code(), StatusCode::kNoSpace) << "4 MiB never filled: " << refused.ToString();
    EXPECT_TRUE((*store)->health().ok());
    EXPECT_EQ(CheckLog(**store).size(), acked);
  }
  // Now fill the disk to the last byte: read-only opens still work, writable ones are refused.
  const std::string filler = FillDisk(mnt);
  ASSERT_EQ(*rocksdb_internal::FreeBytes(mnt), 0u);
  {
    auto reader = RocksDbEventStore::Open(dir, ReadOnly());
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    const std::vector<StoredEvent> log = CheckLog(**reader);
    ASSERT_EQ(log.size(), acked);
    for (size_t i = 0; i < acked; ++i) ASSERT_EQ(log[i].event, events[i]);
  }
  auto writable = RocksDbEventStore::Open(dir, options);
  EXPECT_EQ(writable.status().code(), StatusCode::kNoSpace) << writable.status().ToString();
  // Space freed: appends resume where they stopped.
  std::filesystem::remove(filler);
  ASSERT_EQ(::mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=8m"), 0)
      << std::strerror(errno);
  auto store = RocksDbEventStore::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (size_t i = acked; i < acked + 10; ++i) {
    auto r = (*store)->Append(events[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->offset, i);
  }
  EXPECT_EQ(CheckLog(**store).size(), acked + 10);
}

// A bulk append (table files, then an ingestion) that meets a really full disk while it writes
// its files: NoSpace, the store unchanged and healthy, no file left behind; the same batch goes
// in once space is freed. The free-space check is told the disk is empty, so that the write
// itself meets the full disk.
TEST(RocksDbFullDiskTest, BulkAppendOnAFullDiskChangesNothingAndResumes) {
  ScopedTmpfs tmpfs("8m");
  if (!tmpfs.mounted()) {
    GTEST_SKIP() << "cannot mount a tmpfs (" << tmpfs.error()
                 << "): run as root to test a real full disk";
  }
  const std::string& mnt = tmpfs.path();
  const std::string dir = mnt + "/db";
  RocksDbOptions options;
  options.disk_reserve_bytes = kMiB;
  options.bulk_append_bytes = 1;
  rocksdb_internal::TestHooks hooks;
  hooks.free_bytes = [](const std::string&) -> StatusOr<uint64_t> { return uint64_t{1} << 40; };
  const std::vector<Event> events = InterleavedEvents(8, 100, 1);
  const std::span<const Event> all(events);
  auto store = rocksdb_internal::OpenWithHooks(dir, options, hooks);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->AppendBatch(all.first(100)).ok());
  const std::string filler = FillDisk(mnt);
  auto refused = (*store)->AppendBatch(all.subspan(100));
  ASSERT_EQ(refused.status().code(), StatusCode::kNoSpace) << refused.status().ToString();
  EXPECT_TRUE(refused.status().message().starts_with("appending offsets [100, 800): writing " +
                                                     dir + "/bulk/100-"))
      << refused.status().ToString();
  EXPECT_TRUE((*store)->health().ok()) << "a failed bulk write must not be fatal";
  EXPECT_EQ(CheckLog(**store).size(), 100u);
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/bulk")) << "table files left behind";
  std::filesystem::remove(filler);
  auto appended = (*store)->AppendBatch(all.subspan(100));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(appended->front().offset, 100u);
  store->reset();
  auto reopened = RocksDbEventStore::Open(dir, options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  const std::vector<StoredEvent> log = CheckLog(**reopened);
  ASSERT_EQ(log.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) ASSERT_EQ(log[i].event, events[i]);
}

}  // namespace
}  // namespace statelog::test
