// Snapshots are only a cache: snapshot + tail equals a full fold, and deleting them changes
// nothing. A snapshot that does not match the log is refused.
#include "statelog/snapshot.h"

#include <gtest/gtest.h>

#include <random>

#include "fold_test_util.h"
#include "statelog/keccak.h"
#include "statelog/ledger.h"
#include "statelog/reconstruct.h"

namespace statelog {
namespace {

TEST(SnapshotCodecTest, RoundTripsAFullView) {
  auto store = MemoryEventStore::Create();
  testing::AppendAll(*store, testing::RandomHistory(4, 11));
  auto view = Reconstructor(store.get()).View();
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->channels.size(), 4u);
  Hash256 chain = store->Head()->chain;
  std::string data = EncodeNodeView(*view, chain);
  Hash256 back_chain;
  auto back = DecodeNodeView(data, &back_chain);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *view);
  EXPECT_EQ(back_chain, chain);
  EXPECT_EQ(EncodeNodeView(*back, chain), data) << "the encoding is canonical";
}

TEST(SnapshotCodecTest, RejectsDamage) {
  NodeView empty;
  std::string data = EncodeNodeView(empty, Hash256{});
  Hash256 chain;
  EXPECT_TRUE(DecodeNodeView(data, &chain).ok());
  std::string newer = data;
  newer.replace(newer.find("\"format\":1"), 10, "\"format\":2");
  EXPECT_EQ(DecodeNodeView(newer, &chain).status().code(), StatusCode::kNotSupported);
  // A newer format is recognized before its (unknown) fields are read.
  std::string newer_fields = newer;
  newer_fields.insert(newer_fields.size() - 1, ",\"new_field\":[1,2]");
  EXPECT_EQ(DecodeNodeView(newer_fields, &chain).status().code(), StatusCode::kNotSupported);
  for (size_t n = 0; n < data.size(); ++n) {
    EXPECT_FALSE(DecodeNodeView(data.substr(0, n), &chain).ok()) << n;
  }
  std::string extra = data;
  extra.insert(extra.size() - 1, ",\"x\":1");
  EXPECT_EQ(DecodeNodeView(extra, &chain).status().message(), "snapshot: unknown field \"x\"");
}

TEST(SnapshotTest, LedgerSnapshotsEveryNEventsAndRecordsThem) {
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  auto ledger = Ledger::Open(store.get(), snaps.get(), {.snapshots = {.interval = 20}});
  ASSERT_TRUE(ledger.ok());
  for (const Event& e : testing::RandomHistory(5, 21)) ASSERT_TRUE((*ledger)->Append(e).ok());
  EXPECT_TRUE((*ledger)->snapshot_status().ok());
  std::vector<uint64_t> covers = snaps->List().value();
  ASSERT_GE(covers.size(), 4u);
  for (uint64_t c : covers) {
    auto snap = snaps->LatestAtOrBefore(c);
    ASSERT_TRUE(snap.ok() && snap->has_value());
    EXPECT_TRUE(SnapshotManager(store.get(), snaps.get()).Check(**snap).ok());
    // The snapshot_created event right after it records the snapshot's digest.
    auto e = store->Read(c);
    ASSERT_TRUE(e.ok());
    const auto* created = std::get_if<events::SnapshotCreated>(&e->event.body);
    ASSERT_NE(created, nullptr) << "offset " << c;
    EXPECT_EQ(created->covers, c);
    EXPECT_EQ(created->snapshot_digest, Keccak256((*snap)->data));
    EXPECT_EQ(created->prefix_chain, (*snap)->prefix_chain);
  }
}

// The randomized check of the issue: for random logs and random offsets, snapshot + tail equals
// a full fold, and deleting every snapshot changes no answer.
TEST(SnapshotTest, SnapshotPlusTailEqualsFullFold) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 6; ++round) {
    auto store = MemoryEventStore::Create();
    auto snaps = SnapshotStore::NewMemory();
    uint64_t interval = 5 + rng() % 30;
    auto ledger = Ledger::Open(store.get(), snaps.get(), {.snapshots = {.interval = interval}});
    ASSERT_TRUE(ledger.ok());
    for (const Event& e : testing::RandomHistory(2 + round, 100 + round)) {
      ASSERT_TRUE((*ledger)->Append(e).ok());
    }
    ASSERT_FALSE(snaps->List()->empty());
    SnapshotManager manager(store.get(), snaps.get());
    Reconstructor with(store.get(), &manager), without(store.get());
    std::vector<std::pair<Offset, NodeView>> answers;
    for (int probe = 0; probe < 25; ++probe) {
      Offset at = rng() % *store->Length();
      auto a = with.View(at);
      auto b = without.FullFold(at + 1);
      ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
      EXPECT_EQ(*a, *b) << "round " << round << " offset " << at;
      answers.emplace_back(at, *a);
    }
    const std::vector<uint64_t> listed = snaps->List().value();
    for (uint64_t c : listed) ASSERT_TRUE(snaps->Delete(c).ok());
    for (const auto& [at, view] : answers) EXPECT_EQ(*with.View(at), view);
  }
}

TEST(SnapshotTest, MismatchedSnapshotIsRefused) {
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  testing::AppendAll(*store, testing::RandomHistory(2, 8));
  SnapshotManager manager(store.get(), snaps.get());
  auto view = Reconstructor(store.get()).FullFold(10);
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(manager.Create(*view, 1).ok());
  auto good = snaps->LatestAtOrBefore(10);
  ASSERT_TRUE(good.ok() && good->has_value());
  EXPECT_TRUE(manager.Check(**good).ok());

  // A snapshot claiming a prefix the log does not have.
  Snapshot forged = **good;
  forged.prefix_chain.bytes[0] ^= 1;
  ASSERT_TRUE(snaps->Put(forged).ok());
  auto restored = manager.LatestView(*store->Length());
  ASSERT_FALSE(restored.ok());
  EXPECT_TRUE(restored.status().IsCorruption());
  EXPECT_NE(restored.status().message().find("snapshot covering 10 events does not match the log"),
            std::string_view::npos);
  // A refused snapshot is only a cache miss: the view is folded from the log and stays right,
  // and the refusal is reported.
  auto full = Reconstructor(store.get()).FullFold(*store->Length());
  auto via_snapshots = Reconstructor(store.get(), &manager).View();
  ASSERT_TRUE(via_snapshots.ok()) << via_snapshots.status().ToString();
  EXPECT_EQ(*via_snapshots, *full);
  EXPECT_TRUE(manager.last_refusal().IsCorruption());
  auto ledger = Ledger::Open(store.get(), snaps.get());
  ASSERT_TRUE(ledger.ok()) << "a bad snapshot must not block the store";
  EXPECT_TRUE((*ledger)->snapshot_status().IsCorruption());
  EXPECT_EQ(*(*ledger)->View(), *full);

  // A snapshot whose data was altered (a channel's holdings) without changing its header.
  Snapshot altered = **good;
  Hash256 chain;
  NodeView v = *DecodeNodeView(altered.data, &chain);
  v.length = 9;
  altered.data = EncodeNodeView(v, chain);
  ASSERT_TRUE(snaps->Put(altered).ok());
  EXPECT_EQ(manager.Check(altered).message(),
            "snapshot covering 10 events: its data does not match its header");
  // Longer than the log.
  Snapshot too_long = **good;
  too_long.covers = *store->Length() + 5;
  EXPECT_TRUE(manager.Check(too_long).IsCorruption());
}

}  // namespace
}  // namespace statelog
