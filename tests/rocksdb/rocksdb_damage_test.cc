// Damage: a full disk, corrupted SST and WAL bytes, a truncated WAL, a damaged stream index. Each
// is reported, naming where; a store that lost acknowledged events does not open until
// `RocksDbEventStore::Repair` keeps its consistent prefix; nothing is ever read past silently, and
// an index read that hits damage is an error, never a shorter list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/sst_file_reader.h>

#include <algorithm>
#include <atomic>

#include "fold/fold_test_util.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/rocksdb_test_util.h"
#include "statelog/reconstruct.h"
#include "store/test_events.h"

namespace statelog::test {
namespace {

// A file system whose writes fail with NoSpace once `budget` bytes were written in total.
class FullDiskFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FullDiskFileSystem(int64_t budget)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), left_(budget) {}
  const char* Name() const override { return "FullDiskFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (s.ok()) *result = std::make_unique<File>(std::move(file), &left_);
    return s;
  }
  void set_budget(int64_t bytes) { left_ = bytes; }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, std::atomic<int64_t>* left)
        : FSWritableFileOwnerWrapper(std::move(f)), left_(left) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (left_->fetch_sub(static_cast<int64_t>(data.size())) < static_cast<int64_t>(data.size())) {
        return rocksdb::IOStatus::NoSpace("simulated full disk");
      }
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo&,
                             rocksdb::IODebugContext* dbg) override {
      return Append(data, options, dbg);
    }

   private:
    std::atomic<int64_t>* left_;
  };
  std::atomic<int64_t> left_;
};

TEST(RocksDbDamageTest, FullDiskIsFatalIOErrorAndTheStoreStaysConsistent) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  auto fs = std::make_shared<FullDiskFileSystem>(int64_t{1} << 40);
  std::shared_ptr<rocksdb::Env> env(rocksdb::NewCompositeEnv(fs));
  const std::vector<Event> events = InterleavedEvents(4, 100, 1);
  size_t acked = 0;
  {
    auto store = rocksdb_internal::OpenWithHooks(dir, {}, {.env = env});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    fs->set_budget(40'000);  // room for a few dozen events
    Status failure;
    for (const Event& e : events) {
      auto r = (*store)->Append(e);
      if (!r.ok()) {
        failure = r.status();
        break;
      }
      ++acked;
    }
    ASSERT_FALSE(failure.ok()) << "the disk never filled";
    EXPECT_EQ(failure.code(), StatusCode::kNoSpace) << failure.ToString();
    EXPECT_GT(acked, 5u);
    EXPECT_EQ(LengthOf(**store), acked);
    EXPECT_EQ((*store)->health(), failure);
    // Fatal: no retry, even once space is back.
    fs->set_budget(int64_t{1} << 40);
    auto later = (*store)->Append(events[acked]);
    EXPECT_EQ(later.status().code(), StatusCode::kAborted) << later.status().ToString();
    EXPECT_EQ(LengthOf(**store), acked);
    for (size_t i = 0; i < acked; ++i) EXPECT_EQ((*store)->Read(i)->event, events[i]);
  }
  // Reopen: every acknowledged event is there; the failed one may or may not be (it was never
  // acknowledged), and appends continue.
  auto store = RocksDbEventStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::vector<StoredEvent> log = CheckLog(**store);
  ASSERT_GE(log.size(), acked);
  ASSERT_LE(log.size(), acked + 1);
  for (size_t i = 0; i < log.size(); ++i) EXPECT_EQ(log[i].event, events[i]);
  for (size_t i = log.size(); i < log.size() + 5; ++i) {
    auto r = (*store)->Append(events[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->offset, i);
  }
  CheckLog(**store);
}

// Writes `n` events, closes; returns them.
std::vector<Event> WriteStore(const std::string& dir, size_t n, bool flush) {
  const std::vector<Event> events = InterleavedEvents(4, (n + 3) / 4, 1);
  auto store = RocksDbEventStore::Open(dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  for (size_t i = 0; i < n; ++i) {
    EXPECT_TRUE((*store)->Append(events[i]).ok());
  }
  if (flush) {
    EXPECT_TRUE(rocksdb_internal::FlushForTesting(store->get()).ok());
  }
  return std::vector<Event>(events.begin(), events.begin() + static_cast<ptrdiff_t>(n));
}

// A consistent prefix: dense, chain intact, each event the one written at its offset.
void ExpectPrefix(const EventStore& store, const std::vector<Event>& written) {
  const std::vector<StoredEvent> log = CheckLog(store);
  ASSERT_LE(log.size(), written.size());
  for (size_t i = 0; i < log.size(); ++i) EXPECT_EQ(log[i].event, written[i]) << i;
}

// Repairs the store in `dir` and checks the report: the log keeps a consistent prefix of
// `written` (at least `min_kept` events), ACKED said all of them were acknowledged, the logs and
// ACKED were copied aside, and appends go on after the prefix. Returns the kept length.
uint64_t RepairAndCheck(const std::string& dir, const std::vector<Event>& written,
                        uint64_t min_kept) {
  const std::vector<std::string> wals = FilesWithSuffix(dir, ".log");
  auto report = RocksDbEventStore::Repair(dir);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  if (!report.ok()) return 0;
  EXPECT_TRUE(report->repaired);
  EXPECT_EQ(report->acknowledged, written.size());
  EXPECT_LT(report->kept, written.size());
  EXPECT_GE(report->kept, min_kept) << "only what follows the damage is dropped";
  EXPECT_FALSE(report->moved_to.empty());
  for (const std::string& wal : wals) {  // each log as it was, and ACKED, copied aside
    const std::string name = std::filesystem::path(wal).filename();
    const std::string copy = report->moved_to + "/" + name;
    EXPECT_TRUE(std::any_of(report->moved.begin(), report->moved.end(), [&](const std::string& m) {
      return m.starts_with(copy + " (");
    })) << name;
  }
  EXPECT_TRUE(std::any_of(report->moved.begin(), report->moved.end(), [&](const std::string& m) {
    return m.starts_with(report->moved_to + "/ACKED (");
  }));
  auto store = RocksDbEventStore::Open(dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return 0;
  ExpectPrefix(**store, written);
  EXPECT_EQ(LengthOf(**store), report->kept);
  // Appends continue after the kept prefix (the dropped events append again).
  EXPECT_TRUE((*store)->Append(written[report->kept]).ok());
  ExpectPrefix(**store, written);
  store->reset();
  auto again = RocksDbEventStore::Repair(dir);
  EXPECT_TRUE(again.ok() && !again->repaired) << "a repaired store opens cleanly";
  return report->kept;
}

// A write-ahead log cut short loses acknowledged events: the store keeps their count in ACKED
// and refuses to open, naming the lost offsets; `repair` keeps the consistent prefix.
TEST(RocksDbDamageTest, TruncatedWalIsRefusedAndRepairKeepsAConsistentPrefix) {
  for (uint64_t cut : {1u, 17u, 500u, 3000u}) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    TempDir tmp;
    const std::string dir = tmp.path() + "/db";
    const std::vector<Event> written = WriteStore(dir, 40, false);
    const std::vector<std::string> wals = FilesWithSuffix(dir, ".log");
    ASSERT_FALSE(wals.empty());
    const uint64_t size = std::filesystem::file_size(wals.back());
    ASSERT_GT(size, cut);
    std::filesystem::resize_file(wals.back(), size - cut);

    RocksDbOptions strict;
    strict.strict = true;
    auto refused = RocksDbEventStore::Open(dir, strict);
    ASSERT_FALSE(refused.ok()) << "strict mode must refuse a torn WAL";
    EXPECT_EQ(refused.status().code(), StatusCode::kCorruption) << refused.status().ToString();

    for (bool read_only : {false, true}) {
      RocksDbOptions options;
      options.read_only = read_only;
      auto store = RocksDbEventStore::Open(dir, options);
      ASSERT_FALSE(store.ok()) << "a log shorter than what was acknowledged is refused";
      EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
      EXPECT_THAT(std::string(store.status().message()),
                  ::testing::HasSubstr("but 40 were acknowledged (" + dir + "/ACKED)"));
      EXPECT_THAT(std::string(store.status().message()), ::testing::HasSubstr(", 40) are lost"));
    }
    RepairAndCheck(dir, written, 30);
  }
}

// Damage in the middle of a write-ahead log is refused, naming the file and the byte offset;
// nothing is ever cut away silently (point-in-time recovery used to keep the prefix and say OK).
TEST(RocksDbDamageTest, CorruptedWalByteIsRefusedNamingTheFileAndOffset) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  const std::vector<Event> written = WriteStore(dir, 40, false);
  const std::string wal = FilesWithSuffix(dir, ".log").back();
  FlipByte(wal, std::filesystem::file_size(wal) / 2);

  for (bool strict : {false, true}) {
    RocksDbOptions options;
    options.strict = strict;
    auto refused = RocksDbEventStore::Open(dir, options);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kCorruption) << refused.status().ToString();
    EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr(wal + " at byte "));
    EXPECT_THAT(std::string(refused.status().message()),
                ::testing::HasSubstr(": checksum mismatch in a record of "));
  }
  RepairAndCheck(dir, written, 1);
}

// Returns the largest SST file of `dir`: the one holding the events (others: the creation's few
// keys).
std::string LargestSst(const std::string& dir) {
  std::string sst;
  for (const std::string& f : FilesWithSuffix(dir, ".sst")) {
    if (sst.empty() || std::filesystem::file_size(f) > std::filesystem::file_size(sst)) sst = f;
  }
  return sst;
}

TEST(RocksDbDamageTest, CorruptedSstByteIsReportedAsCorruptionNamingTheOffset) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  const std::vector<Event> written = WriteStore(dir, 200, true);
  const std::string sst = LargestSst(dir);
  ASSERT_FALSE(sst.empty());
  // The records fill the middle of the file (keys: e.. < i.. < m.. < x..).
  FlipByte(sst, std::filesystem::file_size(sst) / 2);

  auto store = RocksDbEventStore::Open(dir);
  if (!store.ok()) {  // refusing to open is fine too
    EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
    return;
  }
  size_t good = 0, bad = 0;
  for (Offset o = 0; o < LengthOf(**store); ++o) {
    auto r = (*store)->Read(o);
    if (r.ok()) {
      EXPECT_EQ(r->event, written[o]) << "a readable event is intact";
      ++good;
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
      EXPECT_NE(r.status().message().find("offset " + std::to_string(o)), std::string_view::npos)
          << r.status().ToString();
      ++bad;
    }
  }
  EXPECT_GT(bad, 0u) << "the damage must be reported";
  EXPECT_GT(good, 0u) << "other blocks stay readable";
  // A replay stops at the damage with Corruption; it never folds past it.
  uint64_t seen = 0;
  auto cursor = (*store)->NewCursor(0);
  for (; cursor->Valid(); cursor->Next()) ++seen;
  EXPECT_EQ(cursor->status().code(), StatusCode::kCorruption) << cursor->status().ToString();
  EXPECT_LT(seen, 200u);
  auto view = Reconstructor(store->get()).FullFold(LengthOf(**store));
  EXPECT_FALSE(view.ok());
}

// The stream index sorts last in the SST: damage there must make ChannelOffsets/ObjectiveOffsets
// (and the appends that read a stream's tail) fail. Before format 2 an index scan ignored its
// iterator's status, so a checksum error truncated a channel's offset list and a fold returned
// OK on a prefix of the channel.
TEST(RocksDbDamageTest, DamagedStreamIndexIsAnErrorNeverAShorterList) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  constexpr uint64_t kChannels = 4;  // WriteStore's events: InterleavedEvents(4, 50, 1)
  const std::vector<Event> written = WriteStore(dir, 200, true);
  const std::string sst = LargestSst(dir);
  ASSERT_FALSE(sst.empty());
  uint64_t data_size = 0;
  {
    rocksdb::SstFileReader reader{rocksdb::Options()};
    ASSERT_TRUE(reader.Open(sst).ok());
    data_size = reader.GetTableProperties()->data_size;
    std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(rocksdb::ReadOptions()));
    it->SeekToLast();
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key()[0], 'x') << "the stream index fills the last data blocks";
  }
  // The data blocks come first in the file; damage the last one.
  ASSERT_GT(data_size, 64u);
  FlipByte(sst, data_size - 40);
  FlipByte(sst, data_size - 41);

  auto store = RocksDbEventStore::Open(dir);
  if (!store.ok()) {  // refusing to open is fine too
    EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
    return;
  }
  const uint64_t length = LengthOf(**store);
  ASSERT_EQ(length, written.size());
  auto expect_complete_or_error = [&](const StatusOr<std::vector<Offset>>& got,
                                      const std::vector<Offset>& want, const std::string& stream,
                                      size_t* failed) {
    if (got.ok()) {
      EXPECT_EQ(*got, want) << "an offset list that is returned is complete";
      return;
    }
    ++*failed;
    EXPECT_TRUE(got.status().code() == StatusCode::kCorruption ||
                got.status().code() == StatusCode::kIOError)
        << got.status().ToString();
    const std::string name = EventRecordFormat().StreamName(stream);  // "channel 0x.."
    EXPECT_NE(got.status().message().find(name), std::string_view::npos)
        << "the error names " << name << ": " << got.status().ToString();
  };
  size_t failed = 0;
  std::vector<uint64_t> damaged_objectives;
  for (uint64_t n = 0; n < kChannels; ++n) {
    std::vector<Offset> channel, objective;
    for (Offset o = 0; o < written.size(); ++o) {
      if (written[o].channel() && *written[o].channel() == TestChannel(n)) channel.push_back(o);
      if (written[o].objective() && *written[o].objective() == TestObjective(n)) {
        objective.push_back(o);
      }
    }
    const std::string channel_stream = ChannelStream(TestChannel(n));
    const std::string objective_stream = ObjectiveStream(TestObjective(n));
    expect_complete_or_error((*store)->ChannelOffsets(TestChannel(n), length), channel,
                             channel_stream, &failed);
    const size_t before = failed;
    expect_complete_or_error((*store)->ObjectiveOffsets(TestObjective(n), length), objective,
                             objective_stream, &failed);
    expect_complete_or_error((*store)->log().StreamOffsets(objective_stream, length), objective,
                             objective_stream, &failed);
    if (failed > before) damaged_objectives.push_back(n);
  }
  EXPECT_GT(failed, 0u) << "the damage must be reported";
  // An append to a damaged stream cannot read that stream's tail: it fails and writes nothing.
  for (uint64_t n : damaged_objectives) {
    auto r = (*store)->Append(ObjectiveApprovedEvent(n, 1000));
    EXPECT_FALSE(r.ok()) << "objective " << n;
  }
  EXPECT_EQ(LengthOf(**store), length);
}

}  // namespace
}  // namespace statelog::test
