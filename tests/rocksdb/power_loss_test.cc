// Power-loss harness: the store runs on PowerLossFileSystem (power_loss_fs.h); each round opens
// it (creating a new store every few rounds), appends through the Ledger (single events and
// batches, a snapshot every few events, now and then a memtable flush), then the power goes off
// at a random moment (after an append, or at a random disk operation in any of RocksDB's
// threads: in the middle of an open, an append, a flush or a compaction): the store is closed
// without writing anything more and every byte and directory entry that was not fsynced is
// dropped. The store must then open, hold every acknowledged event intact at its offset, verify
// (ids, chain, legality, snapshots), and its fold must equal a fold of the recovered events. The
// control runs the same rounds with sync = false and must lose acknowledged events: the harness
// can see a loss.
//
// Rounds: STATELOG_POWER_LOSS_ROUNDS (default STATELOG_POWER_LOSS_DEFAULT_ROUNDS, set by CMake,
// smaller under sanitizers); seed: STATELOG_POWER_LOSS_SEED (default random, printed).
#include <rocksdb/env.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>

#include "rocksdb/crash_history.h"
#include "rocksdb/power_loss_fs.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/rocksdb_test_util.h"
#include "statelog/ledger.h"
#include "statelog/verify.h"

namespace statelog::test {
namespace {

constexpr uint64_t kRoundsPerStore = 6;  // a new store every few rounds: creation is tested too
constexpr int kMaxOpsPerRound = 24;
constexpr uint64_t kMaxOpsBeforeCut = 300;  // disk operations: an open takes ~50, an append ~3

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct HarnessResult {
  uint64_t rounds = 0;
  uint64_t acked = 0;          // events acknowledged in the rounds
  uint64_t acked_checked = 0;  // acknowledged events looked for after the power losses
  uint64_t acked_lost = 0;     // ... and not found
  uint64_t rounds_with_loss = 0;
  uint64_t truncated_files = 0;  // files cut back to their synced size
  uint64_t dropped_entries = 0;  // directory entries removed or restored
  uint64_t stores = 0;           // stores created
};

// Runs `rounds` power-loss rounds with RocksDbOptions::sync = `sync` and bulk_append_bytes =
// `bulk_bytes`. With sync, every check must hold; without it, lost acknowledged events are
// counted instead of failing the test.
HarnessResult RunHarness(bool sync, uint64_t rounds, uint64_t base_seed,
                         uint64_t bulk_bytes = RocksDbOptions{}.bulk_append_bytes) {
  HarnessResult result;
  std::mt19937_64 rng(base_seed);
  std::unique_ptr<TempDir> tmp;
  std::string dir;
  std::vector<Event> history;
  std::unordered_map<std::string, Event> known;  // id hex -> event
  std::map<Offset, std::string> durable;         // offset -> id hex: acknowledged or recovered
  size_t next = 0;                               // the next history event to append
  for (uint64_t round = 0; round < rounds; ++round) {
    SCOPED_TRACE("sync " + std::to_string(sync) + ", base seed " + std::to_string(base_seed) +
                 ", round " + std::to_string(round));
    if (round % kRoundsPerStore == 0 || next == history.size()) {
      tmp = std::make_unique<TempDir>("power-loss");
      dir = tmp->path() + "/db";
      history = CrashLanes(rng(), 1)[0];
      known.clear();
      for (const Event& e : history) known.emplace(e.id.ToHex(), e);
      durable.clear();
      next = 0;
      ++result.stores;
    }
    auto fs = std::make_shared<PowerLossFileSystem>();
    std::shared_ptr<rocksdb::Env> env(rocksdb::NewCompositeEnv(fs));
    RocksDbOptions options;
    options.sync = sync;
    options.bulk_append_bytes = bulk_bytes;
    std::map<Offset, std::string> acked = durable;
    {
      // Half the rounds the power goes off at a random disk operation of RocksDB's (during the
      // open, an append, a flush or a compaction); the others after the round's last append.
      if (rng() % 2 == 0) fs->CutPowerAt(1 + rng() % kMaxOpsBeforeCut);
      auto store = rocksdb_internal::OpenWithHooks(dir, options, {.env = env});
      std::unique_ptr<Ledger> ledger;
      if (store.ok()) {
        LedgerOptions ledger_options;
        ledger_options.snapshots.interval = 16;
        auto opened = Ledger::Open(store->get(), (*store)->snapshots(), ledger_options);
        if (opened.ok()) {
          ledger = std::move(*opened);
        } else if (!fs->powered_off()) {
          ADD_FAILURE() << "ledger: " << opened.status().ToString();
          return result;
        }
      } else if (!fs->powered_off()) {
        ADD_FAILURE() << "open: " << store.status().ToString();
        return result;
      }
      const int ops = static_cast<int>(rng() % (kMaxOpsPerRound + 1));
      for (int op = 0; ledger && op < ops && next < history.size() && !fs->powered_off(); ++op) {
        const uint64_t kind = rng() % 16;
        if (kind == 0) {
          Status flushed = rocksdb_internal::FlushForTesting(store->get());
          EXPECT_TRUE(flushed.ok() || fs->powered_off()) << flushed.ToString();
          continue;
        }
        const size_t n = kind < 5 ? std::min<size_t>(history.size() - next, 2 + rng() % 3) : 1;
        auto appended = (*ledger).AppendBatch(std::span<const Event>(history).subspan(next, n));
        // An acknowledgement that came after the power went off never reached anyone.
        if (fs->powered_off()) break;
        if (!appended.ok()) {
          ADD_FAILURE() << "append: " << appended.status().ToString();
          return result;
        }
        for (size_t k = 0; k < n; ++k) acked[(*appended)[k].offset] = history[next + k].id.ToHex();
        result.acked += n;
        next += n;
      }
      fs->PowerLoss();  // the store closes (the destructors run) with the power off
      ledger.reset();
    }
    fs->DropUnsyncedData();
    result.truncated_files += fs->truncated_files();
    result.dropped_entries += fs->dropped_entries();

    RocksDbOptions reopen;
    reopen.create_if_missing = acked.empty();  // a store that vanished had nothing acknowledged
    auto store = RocksDbEventStore::Open(dir, reopen);
    if (!store.ok()) {
      ADD_FAILURE() << "open after the power loss: " << store.status().ToString();
      return result;
    }
    const std::vector<StoredEvent> log = CheckRecovered(**store, known);
    VerifyOptions verify;
    verify.snapshots = (*store)->snapshots();
    verify.threads = 1;
    const VerifyReport report = VerifyLog(**store, verify);
    EXPECT_TRUE(report.status.ok()) << report.status.ToString();
    uint64_t lost = 0;
    for (const auto& [offset, id] : acked) {
      ++result.acked_checked;
      if (offset >= log.size() || log[offset].event.id.ToHex() != id) ++lost;
    }
    result.acked_lost += lost;
    result.rounds_with_loss += lost > 0;
    if (sync) {
      EXPECT_EQ(lost, 0u) << "acknowledged events lost in a power loss";
    }
    ++result.rounds;
    if (::testing::Test::HasFailure()) return result;
    // What survived is on disk now: the next round continues after it.
    durable.clear();
    next = 0;
    for (const StoredEvent& s : log) {
      durable[s.offset] = s.event.id.ToHex();
      if (s.event.type() != EventType::kSnapshotCreated) ++next;
    }
  }
  return result;
}

uint64_t BaseSeed() {
  const uint64_t seed = EnvNumber("STATELOG_POWER_LOSS_SEED", std::random_device()());
  std::printf("power-loss harness: base seed %llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

void Report(const char* name, const HarnessResult& r) {
  std::printf(
      "power-loss harness (%s): %llu rounds on %llu stores, %llu events acknowledged, %llu "
      "acknowledged-event checks after the losses, %llu lost (in %llu rounds); the losses cut "
      "%llu files and undid %llu directory entries\n",
      name, static_cast<unsigned long long>(r.rounds), static_cast<unsigned long long>(r.stores),
      static_cast<unsigned long long>(r.acked), static_cast<unsigned long long>(r.acked_checked),
      static_cast<unsigned long long>(r.acked_lost),
      static_cast<unsigned long long>(r.rounds_with_loss),
      static_cast<unsigned long long>(r.truncated_files),
      static_cast<unsigned long long>(r.dropped_entries));
}

TEST(RocksDbPowerLossTest, SyncedAppendsSurvivePowerLoss) {
  const uint64_t rounds =
      EnvNumber("STATELOG_POWER_LOSS_ROUNDS", STATELOG_POWER_LOSS_DEFAULT_ROUNDS);
  const HarnessResult r = RunHarness(/*sync=*/true, rounds, BaseSeed());
  Report("sync", r);
  EXPECT_EQ(r.rounds, rounds);
  EXPECT_EQ(r.acked_lost, 0u);
  EXPECT_GT(r.acked, rounds) << "too few acknowledged events to prove anything";
  EXPECT_GT(r.truncated_files + r.dropped_entries, 0u) << "the power losses dropped nothing";
  RecordProperty("acked_checked", std::to_string(r.acked_checked));
}

// Every append (single events and batches) written as table files and ingested: the power goes
// off while the files are written, linked, synced and recorded in the MANIFEST too.
TEST(RocksDbPowerLossTest, SyncedBulkAppendsSurvivePowerLoss) {
  const uint64_t rounds =
      EnvNumber("STATELOG_POWER_LOSS_ROUNDS", STATELOG_POWER_LOSS_DEFAULT_ROUNDS) / 2 + 1;
  const HarnessResult r = RunHarness(/*sync=*/true, rounds, BaseSeed(), /*bulk_bytes=*/1);
  Report("sync, bulk appends", r);
  EXPECT_EQ(r.rounds, rounds);
  EXPECT_EQ(r.acked_lost, 0u);
  EXPECT_GT(r.acked, rounds) << "too few acknowledged events to prove anything";
  EXPECT_GT(r.truncated_files + r.dropped_entries, 0u) << "the power losses dropped nothing";
}

// Control: without fsync, a power loss does lose acknowledged appends, and the harness sees it.
// The recovered log is still a consistent prefix (every other check holds).
TEST(RocksDbPowerLossTest, ControlUnsyncedAppendsAreLost) {
  const uint64_t rounds =
      EnvNumber("STATELOG_POWER_LOSS_ROUNDS", STATELOG_POWER_LOSS_DEFAULT_ROUNDS);
  const HarnessResult r =
      RunHarness(/*sync=*/false, std::max<uint64_t>(rounds / 4, 12), BaseSeed());
  Report("control, sync = false", r);
  EXPECT_GT(r.acked_lost, 0u) << "sync = false lost nothing: the harness cannot see a loss";
  EXPECT_GT(r.truncated_files, 0u);
}

// The model itself: unsynced bytes and never-synced directory entries go, synced ones stay.
TEST(RocksDbPowerLossTest, FileSystemDropsExactlyWhatWasNotSynced) {
  TempDir tmp;
  auto fs = std::make_shared<PowerLossFileSystem>();
  const rocksdb::IOOptions io;
  const rocksdb::FileOptions fo;
  auto write = [&](const std::string& name, const std::string& data, bool sync) {
    std::unique_ptr<rocksdb::FSWritableFile> f;
    ASSERT_TRUE(fs->NewWritableFile(tmp.path() + "/" + name, fo, &f, nullptr).ok());
    ASSERT_TRUE(f->Append(data, io, nullptr).ok());
    if (sync) {
      ASSERT_TRUE(f->Sync(io, nullptr).ok());
    }
    ASSERT_TRUE(f->Append("tail", io, nullptr).ok());  // never synced
    ASSERT_TRUE(f->Close(io, nullptr).ok());
  };
  write("kept", "synced", true);
  write("renamed.tmp", "also synced", true);
  std::unique_ptr<rocksdb::FSDirectory> d;
  ASSERT_TRUE(fs->NewDirectory(tmp.path(), io, &d, nullptr).ok());
  ASSERT_TRUE(d->Fsync(io, nullptr).ok());
  ASSERT_TRUE(fs->RenameFile(tmp.path() + "/renamed.tmp", tmp.path() + "/kept", io, nullptr).ok());
  write("new-entry", "synced data, entry not", true);
  fs->PowerLoss();
  write("after", "nothing", true);
  fs->DropUnsyncedData();
  auto read = [&](const std::string& name) {
    std::ifstream in(tmp.path() + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(read("kept"), "synced");  // the rename was never made durable: the old content
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/new-entry"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/after"));
  // Control: the same writes with the directory fsynced survive, cut to their synced size.
  auto fs2 = std::make_shared<PowerLossFileSystem>();
  fs = fs2;
  write("new-entry", "synced data", true);
  ASSERT_TRUE(fs->NewDirectory(tmp.path(), io, &d, nullptr).ok());
  ASSERT_TRUE(d->Fsync(io, nullptr).ok());
  fs->PowerLoss();
  fs->DropUnsyncedData();
  EXPECT_EQ(read("new-entry"), "synced data");
}

// A hard link (how an ingestion moves table files in) stays only once its directory is fsynced,
// with the data the file had made durable.
TEST(RocksDbPowerLossTest, FileSystemDropsLinksWhoseDirectoryWasNotSynced) {
  TempDir tmp;
  const rocksdb::IOOptions io;
  for (const bool fsync_dir : {false, true}) {
    SCOPED_TRACE(fsync_dir ? "directory fsynced" : "directory not fsynced");
    const std::string src = tmp.path() + "/src" + std::to_string(fsync_dir);
    const std::string dst = tmp.path() + "/dst" + std::to_string(fsync_dir);
    auto fs = std::make_shared<PowerLossFileSystem>();
    std::unique_ptr<rocksdb::FSWritableFile> f;
    ASSERT_TRUE(fs->NewWritableFile(src, rocksdb::FileOptions(), &f, nullptr).ok());
    ASSERT_TRUE(f->Append("synced", io, nullptr).ok());
    ASSERT_TRUE(f->Sync(io, nullptr).ok());
    ASSERT_TRUE(f->Append("tail", io, nullptr).ok());
    ASSERT_TRUE(f->Close(io, nullptr).ok());
    ASSERT_TRUE(fs->LinkFile(src, dst, io, nullptr).ok());
    if (fsync_dir) {
      std::unique_ptr<rocksdb::FSDirectory> d;
      ASSERT_TRUE(fs->NewDirectory(tmp.path(), io, &d, nullptr).ok());
      ASSERT_TRUE(d->Fsync(io, nullptr).ok());
    }
    ASSERT_TRUE(fs->DeleteFile(src, io, nullptr).ok());
    fs->PowerLoss();
    fs->DropUnsyncedData();
    ASSERT_EQ(std::filesystem::exists(dst), fsync_dir);
    if (fsync_dir) {
      std::ifstream in(dst, std::ios::binary);
      EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()),
                "synced");
    }
  }
}

}  // namespace
}  // namespace statelog::test
