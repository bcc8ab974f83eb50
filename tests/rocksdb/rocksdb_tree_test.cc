// The Merkle tree in the RocksDB store (format 3, docs/rocksdb-format.md): kept across reopens,
// its stored hashes under their own key prefix, and computed at open for a format-2 store (an
// interrupted upgrade leaves format 2 and is redone; a read-only open refuses to upgrade).
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <string>
#include <vector>

#include "demo/scenario.h"
#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/rocksdb_test_util.h"
#include "statelog/tlog.h"
#include "statelog/verify.h"

namespace statelog::test {
namespace {

namespace fmt = rocksdb_format;

std::vector<Event> Events() {
  demo::ChannelScript s(demo::Actor::Alice(), demo::Actor::Bob(), 9, 1'700'000'000'000'000,
                        Uint256(10));
  return s.DirectFundingLifecycle(4);
}

// What RocksDB holds, read directly: the format marker and the number of 'h' keys.
std::pair<uint32_t, size_t> Raw(const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  EXPECT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), fmt::kFormatKey, &value).ok());
  uint32_t version = 0;
  for (size_t i = fmt::kMagic.size(); i < value.size(); ++i) {
    version = version << 8 | static_cast<uint8_t>(value[i]);
  }
  size_t tree = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, fmt::kTreePrefix)); it->Valid() && it->key()[0] == fmt::kTreePrefix;
       it->Next()) {
    ++tree;
  }
  return {version, tree};
}

// Turns a format-3 store into the format-2 store an older build wrote: no tree, marker 2.
void MakeFormat2(const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(
      batch.DeleteRange(std::string(1, fmt::kTreePrefix), std::string(1, fmt::kTreePrefix + 1))
          .ok());
  ASSERT_TRUE(batch.Put(fmt::kFormatKey, fmt::FormatValue(2)).ok());
  rocksdb::WriteOptions synced;
  synced.sync = true;
  ASSERT_TRUE(db->Write(synced, &batch).ok());
}

// The tree hash of the store's events at every size, and the whole tree checked (VerifyTree).
std::vector<tlog::Hash> Roots(const EventStore& store) {
  const uint64_t n = LengthOf(store);
  EXPECT_TRUE(store.log().VerifyTree(n).ok());
  std::vector<tlog::Hash> roots;
  for (uint64_t size = 1; size <= n; ++size) {
    roots.push_back(ValueOrFail(tlog::TreeHash(size, *store.log().tree())));
  }
  return roots;
}

class RocksDbTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/db";
    auto store = ValueOrFail(RocksDbEventStore::Open(dir_));
    for (const Event& e : Events()) ASSERT_TRUE(store->Append(e).ok());
    roots_ = Roots(*store);
    ASSERT_EQ(roots_.size(), Events().size());
  }
  TempDir tmp_;
  std::string dir_;
  std::vector<tlog::Hash> roots_;
};

TEST_F(RocksDbTreeTest, TreeIsStoredUnderItsPrefixAndSurvivesReopen) {
  EXPECT_EQ(Raw(dir_), std::make_pair(uint32_t{3}, size_t{tlog::StoredHashCount(roots_.size())}));
  auto store = ValueOrFail(RocksDbEventStore::Open(dir_));
  EXPECT_EQ(Roots(*store), roots_);
  // Appends after the reopen continue the tree from its right edge, read at open.
  demo::ChannelScript more(demo::Actor::Alice(), demo::Actor::Bob(), 10, 1'700'000'001'000'000,
                           Uint256(3));
  for (const Event& e : more.DirectFundingLifecycle(1)) ASSERT_TRUE(store->Append(e).ok());
  const std::vector<tlog::Hash> after = Roots(*store);
  EXPECT_EQ(std::vector<tlog::Hash>(after.begin(), after.begin() + roots_.size()), roots_);
  EXPECT_TRUE(VerifyLog(*store).status.ok());
}

TEST_F(RocksDbTreeTest, Format2StoreGetsItsTreeAtOpen) {
  MakeFormat2(dir_);
  ASSERT_EQ(Raw(dir_), std::make_pair(uint32_t{2}, size_t{0}));
  {
    auto store = ValueOrFail(RocksDbEventStore::Open(dir_));
    EXPECT_EQ(Roots(*store), roots_);
  }
  EXPECT_EQ(Raw(dir_), std::make_pair(uint32_t{3}, size_t{tlog::StoredHashCount(roots_.size())}));
}

TEST_F(RocksDbTreeTest, InterruptedUpgradeLeavesFormat2AndIsRedone) {
  MakeFormat2(dir_);
  rocksdb_internal::TestHooks hooks;
  hooks.interrupt_upgrade = true;
  auto interrupted = rocksdb_internal::OpenWithHooks(dir_, {}, hooks);
  ASSERT_EQ(interrupted.status().code(), StatusCode::kAborted) << interrupted.status().ToString();
  // Its hashes were written, but the marker still says 2: a format-2 store ignores them.
  EXPECT_EQ(Raw(dir_).first, 2u);
  auto store = ValueOrFail(RocksDbEventStore::Open(dir_));
  EXPECT_EQ(Roots(*store), roots_);
}

TEST_F(RocksDbTreeTest, ReadOnlyOpenOfFormat2Refuses) {
  MakeFormat2(dir_);
  RocksDbOptions read_only;
  read_only.read_only = true;
  auto store = RocksDbEventStore::Open(dir_, read_only);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition) << store.status().ToString();
  EXPECT_EQ(Raw(dir_), std::make_pair(uint32_t{2}, size_t{0}));
}

TEST_F(RocksDbTreeTest, DamagedOrMissingStoredHashIsCorruption) {
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), fmt::TreeKey(1, 2), std::string(32, 'x')).ok());
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), fmt::TreeKey(0, 9)).ok());
  }
  auto store = ValueOrFail(RocksDbEventStore::Open(dir_));
  VerifyReport report = VerifyLog(*store);
  EXPECT_TRUE(report.status.IsCorruption()) << report.status.ToString();
  EXPECT_EQ(report.first_bad_offset, Offset{4});  // (level 1, n 2) covers records 4 and 5
  Status missing = tlog::ProveInclusion(8, roots_.size(), *store->log().tree()).status();
  EXPECT_TRUE(missing.IsCorruption()) << missing.ToString();
  EXPECT_NE(missing.message().find("(level 0, n 9) is missing"), std::string::npos)
      << missing.ToString();
}

// Kept checkpoints ('k' + BE64(number) -> BE64(size) + note) survive a reopen, are read by a
// read-only open, which cannot keep one, and lie under their own prefix.
TEST_F(RocksDbTreeTest, KeptCheckpointsSurviveReopen) {
  const KeptCheckpoint first{0, 3, "note of size 3\n"};
  const KeptCheckpoint second{1, roots_.size(), "note of the whole log\n"};
  {
    auto store = ValueOrFail(RocksDbEventStore::Open(dir_));
    ASSERT_TRUE(store->log().keeps_checkpoints());
    ASSERT_TRUE(store->log().KeepCheckpoint(first).ok());
    ASSERT_TRUE(store->log().KeepCheckpoint(second).ok());
  }
  {
    RocksDbOptions read_only;
    read_only.read_only = true;
    auto store = ValueOrFail(RocksDbEventStore::Open(dir_, read_only));
    EXPECT_EQ(ValueOrFail(store->log().LatestCheckpoint()), second);
    EXPECT_EQ(store->log().KeepCheckpoint({2, 3, "x\n"}).code(), StatusCode::kNotSupported);
  }
  auto store = ValueOrFail(RocksDbEventStore::Open(dir_));
  EXPECT_EQ(ValueOrFail(store->log().LatestCheckpoint()), second);
  EXPECT_TRUE(store->log().KeepCheckpoint({1, 3, "again\n"}).IsConflict());
  store.reset();
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), fmt::CheckpointKey(0), &value).ok());
  std::string expected;
  fmt::PutBE64(&expected, 3);
  EXPECT_EQ(value, expected + first.note);
  EXPECT_EQ(fmt::CheckpointKey(1), std::string("k\0\0\0\0\0\0\0\1", 9));
}

}  // namespace
}  // namespace statelog::test
