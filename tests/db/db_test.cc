// statelog::DB, the front door: a program opens one object by name and does everything through
// it.
#include "statelog/db.h"

#include <gtest/gtest.h>

#include <atomic>

#include "demo/network.h"
#include "demo/scenario.h"
#include "statelog/checkpoint.h"
#include "store/rocksdb_factory.h"  // TempDir

namespace statelog {
namespace {

using demo::Actor;
using demo::ChannelScript;

constexpr Timestamp kStart = 1'700'000'000'000'000;

TEST(StoreNameTest, SaysWhichBackend) {
  auto memory = ParseStoreName("memory:");
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ(memory->kind, StoreKind::kMemory);
  EXPECT_EQ(memory->location, "");
  auto uri = ParseStoreName("postgresql://u@h/db");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->kind, StoreKind::kPostgres);
  EXPECT_EQ(uri->location, "postgresql://u@h/db");
  EXPECT_EQ(ParseStoreName("postgres://h/db")->location, "postgres://h/db");
  auto keywords = ParseStoreName("postgresql:host=/tmp dbname=x");
  ASSERT_TRUE(keywords.ok());
  EXPECT_EQ(keywords->kind, StoreKind::kPostgres);
  EXPECT_EQ(keywords->location, "host=/tmp dbname=x");
  auto rocks = ParseStoreName("rocksdb:./data");
  ASSERT_TRUE(rocks.ok());
  EXPECT_EQ(rocks->kind, StoreKind::kRocksDb);
  EXPECT_EQ(rocks->location, "./data");
  EXPECT_EQ(ParseStoreName("./data")->kind, StoreKind::kRocksDb);
  EXPECT_EQ(ParseStoreName("./data")->location, "./data");
  EXPECT_EQ(ParseStoreName("rocksdb:memory:x")->location, "memory:x");

  EXPECT_EQ(ParseStoreName("").status().ToString(), "InvalidArgument: store name: empty");
  EXPECT_EQ(ParseStoreName("rocksdb:").status().ToString(),
            "InvalidArgument: store name \"rocksdb:\": no directory after it");
  EXPECT_EQ(ParseStoreName("postgresql:").status().ToString(),
            "InvalidArgument: store name \"postgresql:\": no connection string after it");
  EXPECT_EQ(ParseStoreName("memory:x").status().ToString(),
            "InvalidArgument: store name \"memory:x\": \"memory:\" takes nothing after it (a "
            "directory of that name is \"rocksdb:memory:x\")");
}

TEST(StoreNameTest, PostgresConnectionStrings) {
  EXPECT_EQ(PostgresStoreName("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(PostgresStoreName("postgres://h/db"), "postgres://h/db");
  EXPECT_EQ(PostgresStoreName("host=/tmp dbname=x"), "postgresql:host=/tmp dbname=x");
  auto parsed = ParseStoreName(PostgresStoreName("host=/tmp dbname=x"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->location, "host=/tmp dbname=x");
}

TEST(DBTest, OneObjectDoesEverything) {
  auto opened = DB::Open("memory:");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  DB& db = **opened;
  EXPECT_EQ(db.description(), "memory store");
  ChannelScript s(Actor::Alice(), Actor::Bob(), 1, kStart, Uint256(5));
  std::vector<Event> life = s.DirectFundingLifecycle(2);

  std::atomic<uint64_t> seen{0};
  SubscriptionId sub = db.SubscribeFrom(0, [&](const StoredEvent& e) {
    EXPECT_EQ(e.offset, seen.load());
    ++seen;
  });
  auto appended = db.AppendBatch(life);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  ASSERT_EQ(appended->size(), life.size());

  // A refused event leaves the log as it was: the lifecycle completed the funding.
  auto again = db.Append(s.ObjectiveCompleted(s.funding()));
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition) << again.status().ToString();

  auto head = db.Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->length, life.size());
  auto first = db.Read(0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->event, life[0]);
  EXPECT_EQ(*db.Find(life[3].id), std::optional<Offset>(3));
  EXPECT_EQ(db.events().Length().value(), life.size());

  auto now = db.Channel(s.id());
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_FALSE(now->latest_supported == std::nullopt);
  auto view = db.View({.as_of = life.size() - 1});
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->channels.size(), 1u);
  EXPECT_EQ(db.Objective(s.funding())->status, ObjectiveStatus::kCompleted);
  EXPECT_EQ(db.Identity()->rules, RuleSet::kStatelog1);

  ASSERT_TRUE(db.events().WaitForDelivery(sub, life.size()).ok());
  EXPECT_EQ(seen.load(), life.size());
  EXPECT_TRUE(db.SubscriptionError(sub).ok());
  EXPECT_TRUE(db.Unsubscribe(sub).ok());

  VerifyReport report = db.Verify();
  EXPECT_TRUE(report.status.ok()) << report.status.ToString();
  EXPECT_EQ(report.events, life.size());
  EXPECT_TRUE(db.snapshot_status().ok());
  auto snapshot = db.TakeSnapshot(kStart + 1'000'000);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(db.snapshots().List()->size(), 1u);
  EXPECT_EQ(db.Verify().snapshots, 1u);
}

TEST(DBTest, ADurableStoreOpensByDirectory) {
  test::TempDir dir("db");
  const std::string path = dir.path() + "/store";
  auto missing = DB::Open(path);
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_TRUE(missing.status().message().starts_with("cannot open " + path))
      << missing.status().ToString();

  ChannelScript s(Actor::Alice(), Actor::Bob(), 2, kStart, Uint256(5));
  std::vector<Event> life = s.DirectFundingLifecycle(1);
  {
    auto db = DB::Open("rocksdb:" + path, {.create_if_missing = true});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->description(), "RocksDB store " + path);
    ASSERT_TRUE((*db)->AppendBatch(life).ok());
  }
  // Read-only: everything reads, nothing writes, and the log is unchanged.
  auto reader = DB::Open(path, {.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  DB& db = **reader;
  EXPECT_EQ(db.Head()->length, life.size());
  EXPECT_TRUE(db.Channel(s.id()).ok());
  EXPECT_EQ(db.Append(s.Message(true, "hi")).status().ToString(),
            "NotSupported: RocksDB store " + path + " is open read-only");
  EXPECT_EQ(db.TakeSnapshot(kStart).status().ToString(),
            "NotSupported: RocksDB store " + path + " is open read-only");
  EXPECT_EQ(db.Head()->length, life.size());
  EXPECT_TRUE(db.Verify().status.ok());
  // Disk use: the appends are in the write-ahead log (no memtable was flushed yet), and the
  // total is the directory's.
  auto usage = db.disk_usage();
  ASSERT_TRUE(usage.ok()) << usage.status().ToString();
  EXPECT_GT(usage->logs, 0u);
  EXPECT_GE(usage->total, usage->logs + usage->events + usage->indexes + usage->tree);
}

TEST(DBTest, TheMemoryStoreHasNoDiskUse) {
  auto db = DB::Open("memory:");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->disk_usage().status().ToString(),
            "NotSupported: disk use: the memory store keeps nothing on disk");
}

TEST(DBTest, ANodesLogIsCheckedByOpen) {
  test::TempDir dir("db");
  const std::string path = dir.path() + "/node";
  const Address irene = Actor::Irene().address, alice = Actor::Alice().address;
  {
    auto db = DB::Open(path, {.create_if_missing = true, .node = irene, .created_at = kStart});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // Open wrote the new log's first event.
    auto first = (*db)->Read(0);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(first->event.type(), EventType::kLogCreated);
    auto identity = (*db)->Identity();
    ASSERT_TRUE(identity.ok());
    EXPECT_EQ(identity->rules, RuleSet::kNitro2);
    EXPECT_EQ(identity->node, std::optional<Address>(irene));
  }
  auto other = DB::Open(path, {.node = alice});
  EXPECT_EQ(other.status().ToString(), "FailedPrecondition: the log belongs to node " +
                                           irene.ToHex() + ", not to " + alice.ToHex());
  // Without a node, it opens as it is.
  auto plain = DB::Open(path);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ((*plain)->Identity()->node, std::optional<Address>(irene));
}

// With a signer, the DB keeps a checkpoint every checkpoint_interval events and after a snapshot,
// each extending the one before; without one (the control), it keeps none.
TEST(DBTest, TakesCheckpointsByItself) {
  const demo::Actor irene = Actor::Irene(), alice = Actor::Alice();
  const std::string origin = tlog::DefaultOrigin(irene.address);
  auto signer = tlog::NoteSigner::Eip191(origin, irene.key);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  demo::Network net(kStart, {irene.address});
  net.FundLedger(alice, irene, 7, Uint256(100), Uint256(100));
  const std::vector<Event> events = net.TakeLog(irene.address);
  ASSERT_GT(events.size(), 10u);

  auto plain = DB::Open("memory:", {.node = irene.address, .created_at = kStart});
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  ASSERT_TRUE((*plain)->AppendBatch(events).ok());
  EXPECT_EQ(*(*plain)->LatestCheckpoint(), std::nullopt);

  DBOptions options;
  options.node = irene.address;
  options.created_at = kStart;
  options.checkpoint_signer = std::make_shared<tlog::NoteSigner>(*signer);
  options.checkpoint_interval = 5;
  auto opened = DB::Open("memory:", options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  DB& db = **opened;
  for (size_t i = 0; i < 4; ++i) ASSERT_TRUE(db.Append(events[i]).ok());
  // log_created and four events: 5, due.
  auto first = db.LatestCheckpoint();
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status().ToString();
  EXPECT_EQ((*first)->size, 5u);
  EXPECT_EQ((*first)->number, 0u);
  for (size_t i = 4; i < 8; ++i) ASSERT_TRUE(db.Append(events[i]).ok());
  EXPECT_EQ((*db.LatestCheckpoint())->size, 5u);  // 9 events: not due yet
  ASSERT_TRUE(db.Append(events[8]).ok());
  EXPECT_EQ((*db.LatestCheckpoint())->size, 10u);
  auto snapshot = db.TakeSnapshot(kStart + 1'000'000);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  auto after = db.LatestCheckpoint();
  EXPECT_EQ((*after)->size, *snapshot + 1);  // the snapshot's own event included
  EXPECT_EQ((*after)->number, 2u);
  EXPECT_TRUE(db.checkpoint_status().ok()) << db.checkpoint_status().ToString();
  // The kept note opens with the node's key.
  auto verifier = tlog::NoteVerifier::ForAddress(origin, irene.address);
  ASSERT_TRUE(verifier.ok());
  auto checkpoint = tlog::OpenCheckpoint((*after)->note, std::span(&*verifier, 1));
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->size, (*after)->size);
}

// A DB destroyed while a subscription delivers stops it and closes the store.
TEST(DBTest, DestroyedWithALiveSubscription) {
  auto db = DB::Open("memory:");
  ASSERT_TRUE(db.ok());
  ChannelScript s(Actor::Alice(), Actor::Bob(), 3, kStart, Uint256(5));
  std::atomic<uint64_t> seen{0};
  SubscriptionId sub = (*db)->SubscribeFrom(0, [&](const StoredEvent&) { ++seen; });
  auto appended = (*db)->AppendBatch(s.DirectFundingLifecycle(1));
  ASSERT_TRUE(appended.ok());
  ASSERT_TRUE((*db)->events().WaitForDelivery(sub, appended->size()).ok());
  EXPECT_EQ(seen.load(), appended->size());
  db->reset();  // the subscription is still running: stopped here, nothing left behind
}

}  // namespace
}  // namespace statelog
