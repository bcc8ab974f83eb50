// Online backups through the front door (docs/adr/0021-online-backups.md): backups taken while
// writer threads append, each complete, verified and the live log's history at its length;
// restores; the errors; and a child process SIGKILLed during its backup, which leaves a complete
// backup or none.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "demo/scenario.h"
#include "statelog/db.h"
#include "store/rocksdb_factory.h"  // TempDir

namespace statelog {
namespace {

namespace fs = std::filesystem;
using demo::Actor;
using demo::ChannelScript;

constexpr Timestamp kStart = 1'700'000'000'000'000;

// The lifecycles of `channels` channels numbered from `first`.
std::vector<std::vector<Event>> Lifecycles(uint64_t first, int channels, int payments) {
  std::vector<std::vector<Event>> out;
  for (int i = 0; i < channels; ++i) {
    ChannelScript s(Actor::Alice(), Actor::Bob(), first + i, kStart, Uint256(5));
    out.push_back(s.DirectFundingLifecycle(payments));
  }
  return out;
}

// Makes a RocksDB store in `path` holding `channels` lifecycles.
void MakeStore(const std::string& path, uint64_t first, int channels) {
  auto db = DB::Open("rocksdb:" + path, {.create_if_missing = true});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  for (const auto& life : Lifecycles(first, channels, 3)) {
    auto appended = (*db)->AppendBatch(life);
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }
}

// The chain value `db` has at `length`.
Hash256 LiveChainAt(const DB& db, uint64_t length) {
  if (length == 0) return Hash256();
  auto e = db.Read(length - 1);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? e->chain : Hash256();
}

TEST(BackupTest, WhileWriterThreadsAppend) {
  test::TempDir dir("backup");
  const std::string live_path = dir.path() + "/live";
  MakeStore(live_path, 1, 4);
  auto opened = DB::Open("rocksdb:" + live_path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  DB& db = **opened;

  // Four writers, each appending its own channels event by event.
  constexpr int kWriters = 4;
  std::vector<std::vector<std::vector<Event>>> work;
  for (int w = 0; w < kWriters; ++w) work.push_back(Lifecycles(100 + 10 * w, 4, 4));
  std::atomic<int> running{kWriters};
  std::atomic<bool> failed{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (const auto& life : work[w]) {
        for (const Event& e : life) {
          if (!db.Append(e).ok()) failed = true;
        }
      }
      --running;
    });
  }
  struct Taken {
    BackupInfo info;
    uint64_t length_before = 0;
  };
  std::vector<Taken> taken;
  for (int i = 0; running.load() > 0 || i < 2; ++i) {
    const std::string dest = dir.path() + "/backup-" + std::to_string(i);
    const uint64_t before = db.Head()->length;
    auto info = db.Backup(dest);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->dir, dest);
    EXPECT_GE(info->head.length, before);
    // Its head is the live chain at its length, though the live log has grown meanwhile.
    EXPECT_EQ(info->head.chain, LiveChainAt(db, info->head.length));
    EXPECT_EQ(info->events, info->head.length);
    EXPECT_FALSE(fs::exists(dest + ".partial"));
    taken.push_back({*info, before});
  }
  for (std::thread& t : writers) t.join();
  ASSERT_FALSE(failed.load());
  const ChainHead final_head = *db.Head();
  ASSERT_GE(taken.size(), 2u);
  // At least one backup was taken in the middle of the appends (a shorter log than the end).
  EXPECT_LT(taken.front().info.head.length, final_head.length);

  for (const Taken& t : taken) {
    auto checked = CheckBackup(t.info.dir);
    ASSERT_TRUE(checked.ok()) << checked.status().ToString();
    EXPECT_EQ(checked->head, t.info.head);
    auto compared = db.CompareBackup(t.info.dir);
    ASSERT_TRUE(compared.ok()) << compared.status().ToString();
    // A backup is a store: it opens and verifies like one.
    auto backup = DB::Open("rocksdb:" + t.info.dir, {.read_only = true});
    ASSERT_TRUE(backup.ok()) << backup.status().ToString();
    VerifyReport report = (*backup)->Verify();
    EXPECT_TRUE(report.status.ok()) << report.status.ToString();
    EXPECT_EQ(report.head, t.info.head);
  }
}

TEST(BackupTest, RestoreAndItsErrors) {
  test::TempDir dir("backup");
  const std::string live_path = dir.path() + "/live";
  MakeStore(live_path, 1, 3);
  auto opened = DB::Open("rocksdb:" + live_path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  DB& db = **opened;
  const std::string dest = dir.path() + "/b";
  auto info = db.Backup(dest);
  ASSERT_TRUE(info.ok()) << info.status().ToString();

  // The errors of Backup.
  EXPECT_EQ(
      db.Backup(dest).status().ToString(),
      "AlreadyExists: backup: " + dest + " exists (a backup is written only into a new directory)");
  EXPECT_EQ(db.Backup(dir.path() + "/no/b").status().ToString(),
            "NotFound: backup: the parent directory of " + dir.path() + "/no/b does not exist (" +
                dir.path() + "/no)");
  auto memory = DB::Open("memory:");
  EXPECT_EQ((*memory)->Backup(dir.path() + "/m").status().ToString(),
            "NotSupported: backup: the memory store has no files to back up");
  EXPECT_TRUE(PostgresBackupAdvice().find("statelog export --to N") != std::string_view::npos);

  // Restore: a new directory holding the same history, which opens as a store.
  const std::string restored = dir.path() + "/restored";
  auto back = RestoreBackup(dest, restored);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->head, info->head);
  EXPECT_FALSE(fs::exists(restored + ".partial"));
  EXPECT_EQ(RestoreBackup(dest, restored).status().ToString(),
            "AlreadyExists: restore: " + restored +
                " exists (a backup is restored only into a new directory; move it away first)");
  {
    auto store = DB::Open("rocksdb:" + restored);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(*(*store)->Head(), info->head);
    // Writable: the restored store goes on.
    ChannelScript s(Actor::Alice(), Actor::Bob(), 77, kStart, Uint256(5));
    EXPECT_TRUE((*store)->AppendBatch(s.DirectFundingLifecycle(1)).ok());
  }

  // Control: another history is not this store's.
  const std::string other_path = dir.path() + "/other";
  MakeStore(other_path, 50, 3);
  auto other_backup = dir.path() + "/other-backup";
  {
    auto other = DB::Open("rocksdb:" + other_path);
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)->Backup(other_backup).ok());
  }
  auto compared = db.CompareBackup(other_backup);
  EXPECT_EQ(compared.status().code(), StatusCode::kFailedPrecondition)
      << compared.status().ToString();
  EXPECT_TRUE(compared.status().message().starts_with(other_backup + " is not the history of " +
                                                      db.description()))
      << compared.status().ToString();
  // The restored store grew past the backup: the backup is still its history.
  {
    auto store = DB::Open("rocksdb:" + restored, {.read_only = true});
    ASSERT_TRUE(store.ok());
    EXPECT_TRUE((*store)->CompareBackup(dest).ok());
  }

  // Read-only, a store is not backed up; a backup longer than the log is not its history yet.
  {
    auto reader = DB::Open("rocksdb:" + other_path, {.read_only = true});
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ((*reader)->Backup(dir.path() + "/ro").status().ToString(),
              "NotSupported: backup: RocksDB store " + other_path +
                  " is open read-only; a backup opens it for writing");
    EXPECT_FALSE(fs::exists(dir.path() + "/ro.partial"));
    auto empty = DB::Open("rocksdb:" + dir.path() + "/empty", {.create_if_missing = true});
    ASSERT_TRUE(empty.ok());
    auto longer = (*empty)->CompareBackup(other_backup);
    EXPECT_EQ(longer.status().code(), StatusCode::kOutOfRange) << longer.status().ToString();
  }

  // A damaged backup: every table file overwritten in its middle. Checks and restores refuse it.
  const std::string damaged = dir.path() + "/damaged";
  fs::copy(dest, damaged, fs::copy_options::recursive);
  int files = 0;
  for (const auto& e : fs::directory_iterator(damaged)) {
    if (e.path().extension() != ".sst") continue;
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(e.path()) / 3));
    f.write(std::string(64, '\x5a').data(), 64);
    ++files;
  }
  ASSERT_GT(files, 0);
  auto bad = CheckBackup(damaged);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().ToString();
  EXPECT_TRUE(bad.status().message().starts_with(damaged + " is not a complete backup: "))
      << bad.status().ToString();
  const std::string from_damaged = dir.path() + "/from-damaged";
  auto refused = RestoreBackup(damaged, from_damaged);
  EXPECT_TRUE(
      refused.status().message().starts_with("restore: " + damaged + " is not a complete backup: "))
      << refused.status().ToString();
  EXPECT_FALSE(fs::exists(from_damaged));
  EXPECT_FALSE(fs::exists(from_damaged + ".partial"));
  EXPECT_TRUE(CheckBackup(dir.path() + "/none").status().IsNotFound());
}

TEST(BackupTest, PartialDirectories) {
  test::TempDir dir("backup");
  const std::string live_path = dir.path() + "/live";
  MakeStore(live_path, 1, 2);
  auto opened = DB::Open("rocksdb:" + live_path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  DB& db = **opened;
  const std::string dest = dir.path() + "/b";

  // Held by a running backup (its lock taken): Busy, naming it; nothing is touched.
  fs::create_directory(dest + ".partial");
  int fd = ::open((dest + ".partial/.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(db.Backup(dest).status().ToString(),
            "Busy: backup: " + dest + ".partial is in use by another backup to " + dest);
  EXPECT_FALSE(fs::exists(dest));
  ::close(fd);

  // Left by an interrupted backup (a half-written store, nobody holds its lock): never taken for
  // a backup, and removed by the next one.
  fs::create_directory(dest + ".partial/store");
  std::ofstream(dest + ".partial/store/CURRENT") << "MANIFEST-000";
  EXPECT_FALSE(CheckBackup(dest + ".partial/store").ok());
  auto info = db.Backup(dest);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(fs::exists(dest + ".partial"));

  // A complete store in a partial directory (a backup killed between its check and its rename) is
  // not a backup either.
  fs::create_directory(dir.path() + "/c.partial");
  fs::copy(dest, dir.path() + "/c.partial/store", fs::copy_options::recursive);
  EXPECT_EQ(CheckBackup(dir.path() + "/c.partial/store").status().ToString(),
            "Corruption: " + dir.path() +
                "/c.partial/store is not a complete backup: it is in the temporary directory of "
                "an interrupted backup (*.partial), which is never a backup");
  EXPECT_EQ(RestoreBackup(dir.path() + "/c.partial/store", dir.path() + "/r").status().code(),
            StatusCode::kCorruption);
  EXPECT_FALSE(fs::exists(dir.path() + "/r"));

  // A DEST that exists with a stale partial beside it: refused, and the leftover removed.
  fs::create_directory(dest + ".partial");
  EXPECT_TRUE(db.Backup(dest).status().code() == StatusCode::kAlreadyExists);
  EXPECT_FALSE(fs::exists(dest + ".partial"));
}

// A child process takes a backup while it appends and is SIGKILLed at a random moment, several
// rounds. Afterwards DEST does not exist or is a complete backup that verifies and is the store's
// history; a DEST.partial left behind is removed by the next backup to DEST.
TEST(BackupTest, KilledDuringABackup) {
  test::TempDir dir("backup");
  const std::string live_path = dir.path() + "/live";
  MakeStore(live_path, 1, 12);

  auto run_child = [&](const std::string& dest, uint64_t nonce, int kill_after_us) {
    pid_t pid = ::fork();
    if (pid == 0) {
      const std::string n = std::to_string(nonce);
      ::execl(STATELOG_BACKUP_CHILD, STATELOG_BACKUP_CHILD, live_path.c_str(), dest.c_str(),
              n.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (kill_after_us >= 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(kill_after_us));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
  };

  // Round 0 runs to its end: it measures how long a backup takes here.
  auto start = std::chrono::steady_clock::now();
  int status = run_child(dir.path() + "/full", 1000, -1);
  const int full_us = static_cast<int>(std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::steady_clock::now() - start)
                                           .count());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_TRUE(CheckBackup(dir.path() + "/full").ok());

  std::mt19937 rng(31);
  std::uniform_int_distribution<int> when(0, full_us + full_us / 4);
  int complete = 0, absent = 0, partial_left = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (int round = 1; round <= 20 && std::chrono::steady_clock::now() < deadline; ++round) {
    const std::string dest = dir.path() + "/b" + std::to_string(round);
    const int after = when(rng);
    run_child(dest, 1000 + 100 * round, after);
    const bool had_partial = fs::exists(dest + ".partial");
    partial_left += had_partial;
    auto db = DB::Open("rocksdb:" + live_path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    if (fs::exists(dest)) {
      ++complete;
      auto compared = (*db)->CompareBackup(dest);
      ASSERT_TRUE(compared.ok()) << "round " << round << " (killed after " << after
                                 << " us): " << compared.status().ToString();
      EXPECT_TRUE((*db)->Backup(dest).status().code() == StatusCode::kAlreadyExists);
    } else {
      ++absent;
      auto info = (*db)->Backup(dest);
      ASSERT_TRUE(info.ok()) << info.status().ToString();
    }
    EXPECT_FALSE(fs::exists(dest + ".partial")) << "round " << round;
    EXPECT_TRUE((*db)->Verify().status.ok());
  }
  std::printf(
      "backup kill test: a full backup took %d us; %d rounds left a complete backup, %d "
      "none (%d a DEST.partial)\n",
      full_us, complete, absent, partial_left);
  // The kills landed both before and after the rename.
  EXPECT_GT(absent, 0);

  // Control: the check each round makes does fail on what a copy cut short would leave (the full
  // backup with its largest table file truncated to half).
  const std::string cut = dir.path() + "/cut";
  fs::copy(dir.path() + "/full", cut, fs::copy_options::recursive);
  fs::path largest;
  for (const auto& e : fs::directory_iterator(cut)) {
    if (e.path().extension() == ".sst" &&
        (largest.empty() || fs::file_size(e.path()) > fs::file_size(largest))) {
      largest = e.path();
    }
  }
  ASSERT_FALSE(largest.empty());
  fs::resize_file(largest, fs::file_size(largest) / 2);
  auto db = DB::Open("rocksdb:" + live_path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->CompareBackup(cut).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace statelog
