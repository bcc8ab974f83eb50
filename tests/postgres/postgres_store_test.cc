// PostgreSQL-specific behaviour of PostgresEventStore, against a real server (the
// postgres_server CTest fixture): schema creation and versioning, the privileges a role needs,
// SQL injection, snapshots, and several stores (as several processes would) sharing one log.
#include "statelog/postgres_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "postgres/pg_admin.h"
#include "store/postgres_factory.h"
#include "store/test_events.h"

namespace statelog::test {
namespace {

using ::testing::HasSubstr;

TEST(PostgresStoreTest, ReopenSeesTheSameLog) {
  const std::string schema = FreshPostgresSchema();
  const std::vector<Event> events = InterleavedEvents(2, 5, 10);
  ChainHead head;
  {
    auto store = OpenSchema(schema);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->AppendBatch(events).ok());
    head = *(*store)->Head();
  }
  auto store = OpenSchema(schema, "", /*create=*/false);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->Head(), head);
  EXPECT_EQ((*store)->Read(3)->event, events[3]);
  EXPECT_EQ((*store)->Append(events[0])->appended, false);
}

TEST(PostgresStoreTest, MissingSchemaWithoutCreateIsNotFound) {
  auto store = OpenSchema(FreshPostgresSchema(), "", /*create=*/false);
  EXPECT_TRUE(store.status().IsNotFound()) << store.status().ToString();
}

TEST(PostgresStoreTest, NewerSchemaVersionIsRefused) {
  const std::string schema = FreshPostgresSchema();
  ASSERT_TRUE(OpenSchema(schema).ok());
  Admin("UPDATE " + schema + ".meta SET value = '5' WHERE key = 'schema_version'");
  auto store = OpenSchema(schema);
  EXPECT_EQ(store.status().code(), StatusCode::kNotSupported) << store.status().ToString();
  EXPECT_THAT(store.status().message(), HasSubstr("version 5"));
  // Refused before anything was touched.
  EXPECT_EQ(Admin("SELECT value FROM " + schema + ".meta WHERE key = 'schema_version'"),
            std::vector<std::string>{"5"});
}

TEST(PostgresStoreTest, BadSchemaNamesAreRejected) {
  for (const std::string& name :
       std::vector<std::string>{"", "Upper", "x\"; DROP SCHEMA public; --", "pg_x", "9lives",
                                std::string(64, 'a'), "a b"}) {
    EXPECT_TRUE(OpenSchema(name).status().IsInvalidArgument()) << name;
  }
  EXPECT_TRUE(OpenSchema(std::string(63, 'a')).ok());
}

TEST(PostgresStoreTest, UnreachableServerIsAnIOError) {
  PostgresOptions options;
  options.schema = FreshPostgresSchema();
  auto store = PostgresEventStore::Open("host=/nonexistent/dir port=1 dbname=x", options);
  EXPECT_EQ(store.status().code(), StatusCode::kIOError);
  EXPECT_THAT(store.status().message(), HasSubstr("cannot connect"));
  EXPECT_TRUE(store.status().unreachable());
}

// Data only ever travels as a parameter: text that would break string-built SQL is stored and
// read back verbatim, and the tables are intact afterwards.
TEST(PostgresStoreTest, HostileTextIsStoredVerbatim) {
  auto store = OpenFreshPostgresStore();
  const std::vector<std::string> reasons = {"'); DROP TABLE events; --", "\\x00' OR '1'='1",
                                            "$1 $2 $$ $tag$", "\"; DELETE FROM head;",
                                            std::string("nul \x01 ctl \x7f and utf-8 \xc3\xa9")};
  for (size_t i = 0; i < reasons.size(); ++i) {
    const Event e = Event::Make(static_cast<Timestamp>(i),
                                events::ObjectiveRejected{TestObjective(i), reasons[i]});
    auto r = store->Append(e);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(store->Read(r->offset)->event, e);
  }
  EXPECT_EQ(*store->Length(), reasons.size());
  EXPECT_EQ(*store->ObjectiveOffsets(TestObjective(2), 100), (std::vector<Offset>{2}));
}

TEST(PostgresStoreTest, SnapshotsPutReplaceListDelete) {
  auto store = OpenFreshPostgresStore();
  SnapshotStore* snaps = store->snapshots();
  EXPECT_FALSE(snaps->LatestAtOrBefore(100)->has_value());
  const Snapshot a{10, Keccak256("a"), std::string("view\0a", 6)};
  const Snapshot b{20, Keccak256("b"), "view b"};
  ASSERT_TRUE(snaps->Put(a).ok());
  ASSERT_TRUE(snaps->Put(b).ok());
  EXPECT_EQ(*snaps->List(), (std::vector<uint64_t>{10, 20}));
  EXPECT_EQ(**snaps->LatestAtOrBefore(19), a);
  EXPECT_EQ(**snaps->LatestAtOrBefore(UINT64_MAX), b);
  EXPECT_FALSE(snaps->LatestAtOrBefore(9)->has_value());
  const Snapshot a2{10, Keccak256("a2"), "replaced"};
  ASSERT_TRUE(snaps->Put(a2).ok());
  EXPECT_EQ(**snaps->LatestAtOrBefore(15), a2);
  ASSERT_TRUE(snaps->Delete(20).ok());
  EXPECT_TRUE(snaps->Delete(20).IsNotFound());
  EXPECT_EQ(*snaps->List(), (std::vector<uint64_t>{10}));
}

// Two stores on one schema behave as two processes: each sees the other's appends in Length(),
// and a subscription of one receives the other's events through LISTEN/NOTIFY (the periodic
// re-check is set to a minute here, so only a notification can deliver in time).
TEST(PostgresStoreTest, SecondStoreSeesAppendsAndSubscriptionWakesOnNotify) {
  const std::string schema = FreshPostgresSchema();
  PostgresOptions options;
  options.schema = schema;
  options.poll_interval_ms = 60000;
  auto a = PostgresEventStore::Open(PostgresConninfo(), options);
  auto b = PostgresEventStore::Open(PostgresConninfo(), options);
  ASSERT_TRUE(a.ok() && b.ok());
  std::atomic<uint64_t> seen{0};
  const auto sub = (*b)->Subscribe([&](const StoredEvent&) { ++seen; });
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  const std::vector<Event> events = ChannelEvents(0, 20, 1);
  for (const Event& e : events) ASSERT_TRUE((*a)->Append(e).ok());
  EXPECT_EQ(*(*b)->Length(), 20u);
  EXPECT_EQ(*(*b)->Head(), *(*a)->Head());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen.load() < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(seen.load(), 20u) << "notifications from the other store did not arrive";
  ASSERT_TRUE((*b)->Unsubscribe(*sub).ok());
}

// Without any notification (rows written by a session that sends none, as after a lost
// notification), the listener's periodic head re-check wakes the subscription.
TEST(PostgresStoreTest, PeriodicRecheckDeliversWithoutNotification) {
  const std::string schema = FreshPostgresSchema(), source = FreshPostgresSchema();
  PostgresOptions options;
  options.schema = schema;
  options.poll_interval_ms = 100;
  auto store = PostgresEventStore::Open(PostgresConninfo(), options);
  auto other = OpenSchema(source);
  ASSERT_TRUE(store.ok() && other.ok());
  std::atomic<uint64_t> seen{0};
  const auto sub = (*store)->Subscribe([&](const StoredEvent&) { ++seen; });
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  ASSERT_TRUE((*other)->AppendBatch(ChannelEvents(0, 5, 1)).ok());
  Admin("BEGIN; INSERT INTO " + schema + ".events SELECT * FROM " + source +
        ".events; INSERT INTO " + schema + ".stream_entries SELECT * FROM " + source +
        ".stream_entries; UPDATE " + schema +
        ".head SET (length, chain) = (SELECT length, chain FROM " + source + ".head); COMMIT");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen.load() < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(seen.load(), 5u);
  EXPECT_EQ(*(*store)->Head(), *(*other)->Head());
  ASSERT_TRUE((*store)->Unsubscribe(*sub).ok());
}

// With replicated_delivery, subscriptions deliver only what a synchronous standby confirmed: on
// this single server there is none, so nothing is delivered, while appends and reads work and a
// store without the option delivers everything. (The failover test covers delivery with
// standbys: failover_test.sh.)
TEST(PostgresStoreTest, ReplicatedDeliveryWaitsForASynchronousStandby) {
  PostgresOptions options;
  options.schema = FreshPostgresSchema();
  options.poll_interval_ms = 50;
  PostgresOptions replicated = options;
  replicated.replicated_delivery = true;
  auto plain = PostgresEventStore::Open(PostgresConninfo(), options);
  auto store = PostgresEventStore::Open(PostgresConninfo(), replicated);
  ASSERT_TRUE(plain.ok() && store.ok());
  std::atomic<uint64_t> seen{0}, seen_plain{0};
  const auto sub = (*store)->Subscribe([&](const StoredEvent&) { ++seen; });
  const auto control = (*plain)->Subscribe([&](const StoredEvent&) { ++seen_plain; });
  ASSERT_TRUE(sub.ok() && control.ok());
  ASSERT_TRUE((*store)->AppendBatch(ChannelEvents(0, 5, 1)).ok());
  EXPECT_EQ(*(*store)->Length(), 5u);
  ASSERT_TRUE((*store)->Read(4).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen_plain.load() < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(seen_plain.load(), 5u) << "control: the plain subscription delivers";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // ten re-checks of the head
  EXPECT_EQ(seen.load(), 0u) << "delivered records no standby confirmed";
  EXPECT_TRUE((*store)->SubscriptionError(*sub).ok());
  ASSERT_TRUE((*store)->Unsubscribe(*sub).ok());
  ASSERT_TRUE((*plain)->Unsubscribe(*control).ok());
}

// The server ends every connection of the store (as a restart or an administrator would): the
// next operations open new connections, and the listener reconnects and keeps subscriptions
// going.
TEST(PostgresStoreTest, SurvivesTerminatedConnections) {
  const std::string app = FreshPostgresSchema("app");
  PostgresOptions options;
  options.schema = FreshPostgresSchema();
  options.poll_interval_ms = 100;
  auto store = PostgresEventStore::Open(PostgresConninfo() + " application_name=" + app, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::atomic<uint64_t> seen{0};
  const SubscriptionId sub = (*store)->SubscribeFrom(0, [&](const StoredEvent&) { ++seen; });
  const std::vector<Event> events = ChannelEvents(0, 10, 1);
  for (size_t i = 0; i < 5; ++i) ASSERT_TRUE((*store)->Append(events[i]).ok());
  ASSERT_TRUE((*store)->WaitForDelivery(sub, 5).ok());

  Admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app +
        "'");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (size_t i = 5; i < 10; ++i) {
    auto r = (*store)->Append(events[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->offset, i);
  }
  EXPECT_EQ(*(*store)->Length(), 10u);
  ASSERT_TRUE((*store)->WaitForDelivery(sub, 10).ok());
  EXPECT_EQ(seen.load(), 10u);
  ASSERT_TRUE((*store)->Unsubscribe(sub).ok());
}

// A role with only the privileges ADR-0006 lists can use an existing log, and cannot create one.
TEST(PostgresStoreTest, RoleWithDocumentedPrivilegesWorks) {
  const std::string schema = FreshPostgresSchema();
  ASSERT_TRUE(OpenSchema(schema).ok());  // the first Open, by an owner with CREATE
  const std::string role = schema + "_app";
  CreateAppRole(role, schema);
  Admin("REVOKE ALL ON DATABASE statelog FROM PUBLIC");
  Admin("GRANT CONNECT ON DATABASE statelog TO " + role);

  auto store = OpenSchema(schema, " user=" + role, /*create=*/false);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::atomic<uint64_t> seen{0};
  const SubscriptionId sub = (*store)->SubscribeFrom(0, [&](const StoredEvent&) { ++seen; });
  const std::vector<Event> events = ChannelEvents(0, 6, 1);
  ASSERT_TRUE((*store)->AppendBatch(std::span<const Event>(events.data(), 3)).ok());
  for (size_t i = 3; i < events.size(); ++i) ASSERT_TRUE((*store)->Append(events[i]).ok());
  EXPECT_EQ((*store)->Append(events[1])->appended, false);
  EXPECT_EQ(*(*store)->Length(), 6u);
  EXPECT_EQ((*store)->Read(5)->event, events[5]);
  EXPECT_EQ((*store)->ChannelOffsets(TestChannel(0), 100)->size(), 5u);
  EXPECT_EQ(*(*store)->log().StreamVersion(ChannelStream(TestChannel(0))), 5u);
  ASSERT_TRUE((*store)->WaitForDelivery(sub, 6).ok());
  EXPECT_EQ(seen.load(), 6u);
  ASSERT_TRUE((*store)->Unsubscribe(sub).ok());
  ASSERT_TRUE((*store)->snapshots()->Put(Snapshot{6, (*store)->Head()->chain, "v"}).ok());
  ASSERT_TRUE((*store)->snapshots()->Delete(6).ok());
  ASSERT_TRUE((*store)->log().KeepCheckpoint({0, 6, "a kept note\n"}).ok());
  EXPECT_EQ((*store)->log().LatestCheckpoint()->value().number, 0u);

  // No CREATE: a new log cannot be made with this role.
  auto fresh = OpenSchema(FreshPostgresSchema(), " user=" + role);
  EXPECT_EQ(fresh.status().code(), StatusCode::kIOError);
  EXPECT_THAT(fresh.status().message(), HasSubstr("permission denied"));
  store->reset();
  Admin("GRANT CONNECT ON DATABASE statelog TO PUBLIC");
}

// Several stores (separate connections, as separate processes) open a new schema at once.
TEST(PostgresStoreTest, ConcurrentFirstOpensAgree) {
  const std::string schema = FreshPostgresSchema();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto s = OpenSchema(schema);
      if (s.ok()) {
        ++ok;
      } else {
        ADD_FAILURE() << s.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
}

// Two stores race to append the same events: each is stored once, both get its original offset
// and exactly one reports appended (Eventuous #553 lost events this way).
TEST(PostgresStoreTest, SameIdRaceAcrossStoresStoresEachEventOnce) {
  const std::string schema = FreshPostgresSchema();
  auto a = OpenSchema(schema);
  auto b = OpenSchema(schema);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<Event> events = InterleavedEvents(3, 50, 1);
  std::vector<AppendResult> ra, rb;
  auto run = [&](PostgresEventStore* s, std::vector<AppendResult>* out) {
    for (const Event& e : events) {
      auto r = s->Append(e);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      out->push_back(*r);
    }
  };
  std::thread ta(run, a->get(), &ra), tb(run, b->get(), &rb);
  ta.join();
  tb.join();
  ASSERT_EQ(ra.size(), events.size());
  ASSERT_EQ(rb.size(), events.size());
  EXPECT_EQ(*(*a)->Length(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(ra[i].offset, rb[i].offset);
    EXPECT_EQ(ra[i].appended + rb[i].appended, 1) << "event " << i;
    EXPECT_EQ((*a)->Read(ra[i].offset)->event, events[i]);
  }
}

// Concurrent appends of one store are committed in groups (one transaction for every caller
// waiting); a caller whose checks fail is left out of its group with its own error, and the
// others' events commit.
TEST(PostgresStoreTest, GroupCommitIsolatesFailingRequests) {
  auto store = OpenFreshPostgresStore();
  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::vector<Offset>> offsets(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto good = store->Append(StateSignedEvent(t, i, 100 + i));
        ASSERT_TRUE(good.ok()) << good.status().ToString();
        EXPECT_TRUE(good->appended);
        offsets[t].push_back(good->offset);
        // Earlier than the channel's last event: refused, whatever group it lands in.
        auto bad = store->Append(DepositEvent(t, i, 50));
        EXPECT_EQ(bad.status().code(), StatusCode::kFailedPrecondition);
        if (!bad.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), kThreads * kPerThread);
  ASSERT_EQ(*store->Length(), uint64_t{kThreads * kPerThread});
  std::vector<int> hits(kThreads * kPerThread, 0);
  Hash256 chain;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      ++hits[offsets[t][i]];
      EXPECT_EQ(store->Read(offsets[t][i])->event, StateSignedEvent(t, i, 100 + i));
    }
  }
  EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), kThreads * kPerThread);
  std::vector<StoredEvent> all;
  ASSERT_TRUE(store->ReadRange(0, *store->Length(), &all).ok());
  for (const StoredEvent& e : all) chain = NextChain(chain, e.event.id);
  EXPECT_EQ(store->Head()->chain, chain);
}

}  // namespace
}  // namespace statelog::test
