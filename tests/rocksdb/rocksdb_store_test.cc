// The RocksDB backend across reopens: length, head, indexes, snapshots and checks survive; appends
// continue the chain; reconstruction equals the memory backend's.
#include <gtest/gtest.h>

#include "fold/fold_test_util.h"
#include "fold/snapshot_manager.h"
#include "rocksdb/rocksdb_test_util.h"
#include "statelog/ledger.h"
#include "statelog/reconstruct.h"
#include "statelog/snapshot.h"
#include "store/test_events.h"

namespace statelog::test {
namespace {

std::unique_ptr<RocksDbEventStore> OpenOrDie(const std::string& dir, RocksDbOptions options = {}) {
  auto store = RocksDbEventStore::Open(dir, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(RocksDbReopenTest, RestoresLengthHeadIndexesAndSnapshots) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  const std::vector<Event> events = InterleavedEvents(3, 6, 1000);
  ChainHead head;
  {
    auto store = OpenOrDie(dir);
    ASSERT_TRUE(store);
    for (const Event& e : std::span(events).first(12)) ASSERT_TRUE(store->Append(e).ok());
    ASSERT_TRUE(store->snapshots()->Put(Snapshot{5, store->Read(4)->chain, "five"}).ok());
    ASSERT_TRUE(store->snapshots()->Put(Snapshot{10, store->Read(9)->chain, "ten"}).ok());
    head = HeadOf(*store);
  }
  auto store = OpenOrDie(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(HeadOf(*store), head);
  EXPECT_EQ(LengthOf(*store), 12u);
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(ValueOrFail(store->Find(events[i].id)), std::optional<Offset>(i));
    EXPECT_EQ(store->Read(i)->event, events[i]);
  }
  const ChannelId c0 = TestChannel(0);
  std::vector<Offset> expected;
  for (size_t i = 0; i < 12; ++i) {
    if (events[i].channel() && *events[i].channel() == c0) expected.push_back(i);
  }
  EXPECT_EQ(ValueOrFail(store->ChannelOffsets(c0, 100)), expected);
  EXPECT_EQ(ValueOrFail(store->snapshots()->List()), (std::vector<uint64_t>{5, 10}));
  auto latest = store->snapshots()->LatestAtOrBefore(9);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->data, "five");

  // Appends continue the chain; a retry of an old event is idempotent.
  for (size_t i = 12; i < events.size(); ++i) {
    auto r = store->Append(events[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, (AppendResult{i, true}));
  }
  EXPECT_EQ(*store->Append(events[3]), (AppendResult{3, false}));
  CheckLog(*store);
}

TEST(RocksDbReopenTest, TimestampCheckWorksAfterReopen) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  {
    auto store = OpenOrDie(dir);
    ASSERT_TRUE(store->Append(StateSignedEvent(1, 0, 5000)).ok());
    ASSERT_TRUE(store->Append(StateSignedEvent(2, 0, 100)).ok());
  }
  auto store = OpenOrDie(dir);
  auto late = store->Append(StateSignedEvent(1, 1, 4999));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("at offset 0"), std::string_view::npos)
      << late.status().ToString();
  // Another entity is independent; an equal timestamp is accepted.
  EXPECT_TRUE(store->Append(StateSignedEvent(2, 1, 200)).ok());
  EXPECT_TRUE(store->Append(StateSignedEvent(1, 2, 5000)).ok());
  EXPECT_EQ(LengthOf(*store), 4u);
}

TEST(RocksDbReopenTest, RelaxedSyncStoreAlsoReopens) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  RocksDbOptions relaxed;
  relaxed.sync = false;
  const std::vector<Event> events = InterleavedEvents(2, 10, 1);
  {
    auto store = OpenOrDie(dir, relaxed);
    ASSERT_TRUE(store->AppendBatch(events).ok());
  }
  auto store = OpenOrDie(dir);
  EXPECT_EQ(LengthOf(*store), events.size());
  CheckLog(*store);
}

// Reconstruction over RocksDB equals the memory backend's, before and after a reopen, with a
// snapshot plus a tail after the reopen.
TEST(RocksDbReconstructTest, EqualsMemoryBackendIncludingSnapshotAndTailAfterReopen) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  const std::vector<Event> history = testing::RandomHistory(6, 42);
  const size_t half = history.size() / 2;
  uint64_t first_length = 0;  // RandomHistory may repeat an event: retries append nothing
  auto memory = MemoryEventStore::Create();
  testing::AppendAll(*memory, history);
  auto memory_snapshots = SnapshotStore::NewMemory();
  SnapshotManager memory_manager(memory.get(), memory_snapshots.get());

  {
    auto store = OpenOrDie(dir);
    testing::AppendAll(*store, std::vector<Event>(history.begin(), history.begin() + half));
    first_length = LengthOf(*store);
    Reconstructor rec(store.get());
    auto view = rec.FullFold(first_length);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    EXPECT_EQ(*view, *Reconstructor(memory.get()).FullFold(first_length));
    SnapshotManager manager(store.get(), store->snapshots());
    ASSERT_TRUE(manager.Create(*view, history[half - 1].timestamp).ok());
  }
  auto store = OpenOrDie(dir);
  ASSERT_EQ(LengthOf(*store), first_length + 1);  // + the snapshot_created event
  std::vector<Event> tail(history.begin() + half, history.end());
  testing::AppendAll(*store, tail);
  SnapshotManager manager(store.get(), store->snapshots());
  Reconstructor with_snapshots(store.get(), &manager);
  auto latest = manager.LatestView(LengthOf(*store));
  ASSERT_TRUE(latest.ok() && latest->has_value()) << latest.status().ToString();
  EXPECT_EQ((*latest)->length, first_length);
  auto view = with_snapshots.View();
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  auto full = Reconstructor(store.get()).FullFold(LengthOf(*store));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(*view, *full);
  // The memory backend given the same log (with the snapshot event at the same offset).
  auto memory2 = MemoryEventStore::Create();
  for (auto c = store->NewCursor(0); c->Valid(); c->Next()) {
    ASSERT_TRUE(memory2->Append(c->event().event).ok());
  }
  EXPECT_EQ(HeadOf(*memory2), HeadOf(*store));
  EXPECT_EQ(*Reconstructor(memory2.get()).FullFold(LengthOf(*memory2)), *full);
  EXPECT_EQ(testing::Fingerprint(*memory2), testing::Fingerprint(*store));
}

}  // namespace
}  // namespace statelog::test
