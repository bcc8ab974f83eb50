// Open's errors for bad situations: each is clear and loses nothing.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_test_util.h"
#include "store/test_events.h"

namespace statelog::test {
namespace {

TEST(RocksDbOpenErrorTest, MissingDirectoryWithoutCreateIsNotFound) {
  TempDir tmp;
  RocksDbOptions options;
  options.create_if_missing = false;
  auto store = RocksDbEventStore::Open(tmp.path() + "/nope", options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound) << store.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/nope"));
}

TEST(RocksDbOpenErrorTest, NonEmptyDirectoryWithoutDatabaseIsRefused) {
  TempDir tmp;
  { std::ofstream(tmp.path() + "/notes.txt") << "my files"; }
  auto store = RocksDbEventStore::Open(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << store.status().ToString();
  EXPECT_NE(store.status().message().find("not a statelog store"), std::string_view::npos);
  EXPECT_EQ(FilesWithSuffix(tmp.path(), "").size(), 1u) << "nothing was created";
}

TEST(RocksDbOpenErrorTest, ForeignRocksDbDatabaseIsRefused) {
  TempDir tmp;
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, tmp.path(), &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "v").ok());
    delete db;
  }
  auto store = RocksDbEventStore::Open(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << store.status().ToString();
  EXPECT_NE(store.status().message().find("format marker"), std::string_view::npos);
}

TEST(RocksDbOpenErrorTest, NewerFormatVersionIsNotSupported) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  { ASSERT_TRUE(RocksDbEventStore::Open(dir).ok()); }
  {
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &db).ok());
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), rocksdb_format::kFormatKey, rocksdb_format::FormatValue(4))
            .ok());
    delete db;
  }
  auto store = RocksDbEventStore::Open(dir);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotSupported) << store.status().ToString();
  EXPECT_NE(store.status().message().find("format version 4 is newer than supported version 3"),
            std::string_view::npos)
      << store.status().ToString();
  // Refused without a change: the marker still says 4.
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &db).ok());
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), rocksdb_format::kFormatKey, &value).ok());
  EXPECT_EQ(value, rocksdb_format::FormatValue(4));
  delete db;
}

TEST(RocksDbOpenErrorTest, SecondOpenInProcessIsBusy) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  auto first = RocksDbEventStore::Open(dir);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->Append(StateSignedEvent(1, 0, 1)).ok());
  auto second = RocksDbEventStore::Open(dir);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy) << second.status().ToString();
  EXPECT_EQ(LengthOf(**first), 1u);
}

TEST(RocksDbOpenErrorTest, StoreOpenInAnotherProcessIsBusy) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  { ASSERT_TRUE(RocksDbEventStore::Open(dir).ok()); }
  // A separate process (exec'd, so it starts clean) holds the store open.
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    execl(STATELOG_CRASH_CHILD, STATELOG_CRASH_CHILD, "hold", dir.c_str(), nullptr);
    _exit(127);
  }
  close(out[1]);
  char c = 0;
  ASSERT_EQ(read(out[0], &c, 1), 1);
  close(out[0]);
  EXPECT_EQ(c, '1');
  auto store = RocksDbEventStore::Open(dir);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kBusy) << store.status().ToString();
  EXPECT_TRUE(RocksDbEventStore::Open(dir).ok()) << "free again once the holder died";
}

TEST(RocksDbOpenErrorTest, UncreatableDirectoryIsIOError) {
  // Even root cannot create a directory in /proc.
  auto store = RocksDbEventStore::Open("/proc/self/statelog-store");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIOError) << store.status().ToString();
}

TEST(RocksDbOpenErrorTest, UnwritableDirectoryIsIOError) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir tmp;
  const std::string dir = tmp.path() + "/ro";
  std::filesystem::create_directory(dir);
  std::filesystem::permissions(
      dir, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  auto store = RocksDbEventStore::Open(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIOError) << store.status().ToString();
}

}  // namespace
}  // namespace statelog::test
