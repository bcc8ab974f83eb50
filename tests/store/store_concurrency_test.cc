// The EventStore conformance suite, part 2: subscriptions and concurrent appends and reads.
// Built into store_conformance_test, which carries the "concurrency" label (CI runs it under
// ThreadSanitizer); iteration counts shrink under TSan to keep that run short.
#include <algorithm>
#include <atomic>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/store_conformance.h"

namespace statelog::test {
namespace {

using ::testing::HasSubstr;

template <typename Factory>
class StoreConcurrencyTest : public StoreTest<Factory> {};
TYPED_TEST_SUITE(StoreConcurrencyTest, StoreBackends, BackendName);

TYPED_TEST(StoreConcurrencyTest, SubscribeDeliversOnlyLaterEventsInOrder) {
  const std::vector<Event> events = InterleavedEvents(2, 5, 1);
  this->AppendAll({events.begin(), events.begin() + 4});
  Collector got;
  const SubscriptionId sub = *this->store().Subscribe(got.Callback());
  this->AppendAll({events.begin() + 4, events.end()});
  ASSERT_TRUE(this->store().WaitForDelivery(sub, events.size()).ok());
  EXPECT_EQ(got.Offsets(), Iota(4, events.size()));
  for (const StoredEvent& e : got.events) EXPECT_EQ(e, *this->store().Read(e.offset));
  EXPECT_TRUE(this->store().Unsubscribe(sub).ok());
}

TYPED_TEST(StoreConcurrencyTest, SubscribeFromDeliversHistoryThenLive) {
  const std::vector<Event> events = InterleavedEvents(3, 200, 1);
  this->AppendAll({events.begin(), events.begin() + 300});
  Collector got;
  const SubscriptionId sub = this->store().SubscribeFrom(100, got.Callback());
  this->AppendAll({events.begin() + 300, events.end()});
  ASSERT_TRUE(this->store().WaitForDelivery(sub, 600).ok());
  EXPECT_EQ(got.Offsets(), Iota(100, 600));
  EXPECT_TRUE(this->store().SubscriptionError(sub).ok());
}

TYPED_TEST(StoreConcurrencyTest, SubscribeFromPastTheEndWaitsForTheLog) {
  Collector got;
  const SubscriptionId sub = this->store().SubscribeFrom(5, got.Callback());
  this->AppendAll(ChannelEvents(0, 7, 1));
  ASSERT_TRUE(this->store().WaitForDelivery(sub, 7).ok());
  EXPECT_EQ(got.Offsets(), (std::vector<Offset>{5, 6}));
}

TYPED_TEST(StoreConcurrencyTest, ThrowingSubscriberStopsOnlyItself) {
  std::atomic<int> calls{0};
  const SubscriptionId bad = this->store().SubscribeFrom(0, [&](const StoredEvent& e) {
    ++calls;
    if (e.offset == 3) throw std::runtime_error("boom");
  });
  Collector good;
  const SubscriptionId ok = this->store().SubscribeFrom(0, good.Callback());
  this->AppendAll(ChannelEvents(0, 10, 1));

  const Status stopped = this->store().WaitForDelivery(bad, 10);
  EXPECT_EQ(stopped.code(), StatusCode::kAborted) << stopped.ToString();
  EXPECT_THAT(stopped.message(), HasSubstr("offset 3"));
  EXPECT_THAT(stopped.message(), HasSubstr("boom"));
  EXPECT_EQ(this->store().SubscriptionError(bad), stopped);
  EXPECT_EQ(calls.load(), 4);

  this->AppendAll({DepositEvent(1, 1, 1)});  // the store still appends
  ASSERT_TRUE(this->store().WaitForDelivery(ok, 11).ok());
  EXPECT_EQ(good.Offsets(), Iota(0, 11));
  EXPECT_EQ(calls.load(), 4);
  EXPECT_TRUE(this->store().Unsubscribe(bad).ok());
  EXPECT_TRUE(this->store().Unsubscribe(ok).ok());
}

TYPED_TEST(StoreConcurrencyTest, UnsubscribeStopsDelivery) {
  std::atomic<int> calls{0};
  const SubscriptionId sub =
      *this->store().Subscribe([&](const StoredEvent&) { calls.fetch_add(1); });
  Collector witness;
  const SubscriptionId other = *this->store().Subscribe(witness.Callback());
  this->AppendAll(ChannelEvents(0, 5, 1));
  ASSERT_TRUE(this->store().WaitForDelivery(sub, 5).ok());
  ASSERT_TRUE(this->store().Unsubscribe(sub).ok());
  EXPECT_TRUE(this->store().Unsubscribe(sub).ok());  // idempotent
  this->AppendAll(ChannelEvents(1, 5, 1));
  ASSERT_TRUE(this->store().WaitForDelivery(other, 10).ok());
  EXPECT_EQ(calls.load(), 5);
  EXPECT_EQ(witness.Offsets(), Iota(0, 10));
  EXPECT_TRUE(this->store().Unsubscribe(12345).IsNotFound());
  EXPECT_TRUE(this->store().SubscriptionError(12345).IsNotFound());
  EXPECT_TRUE(this->store().WaitForDelivery(12345, 0).IsNotFound());
}

TYPED_TEST(StoreConcurrencyTest, UnsubscribeFromOwnCallbackIsRefused) {
  std::atomic<SubscriptionId> self{0};
  std::promise<Status> result;
  const SubscriptionId sub = *this->store().Subscribe([&](const StoredEvent& e) {
    if (e.offset == 0) result.set_value(this->store().Unsubscribe(self.load()));
  });
  self.store(sub);
  this->AppendAll(ChannelEvents(0, 2, 1));
  const Status s = result.get_future().get();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_TRUE(this->store().WaitForDelivery(sub, 2).ok());  // still running
  EXPECT_TRUE(this->store().Unsubscribe(sub).ok());
}

TYPED_TEST(StoreConcurrencyTest, SlowSubscriberDoesNotDelayAppends) {
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::atomic<int> calls{0};
  const SubscriptionId slow = *this->store().Subscribe([&](const StoredEvent&) {
    ++calls;
    open.wait();
  });
  const std::vector<Event> events = InterleavedEvents(4, 250, 1);
  this->AppendAll(events);  // would deadlock if appends waited for the subscriber
  EXPECT_EQ(this->store().Length().value(), 1000u);
  EXPECT_LE(calls.load(), 1);
  gate.set_value();
  ASSERT_TRUE(this->store().WaitForDelivery(slow, 1000).ok());
  EXPECT_EQ(calls.load(), 1000);
}

TYPED_TEST(StoreConcurrencyTest, ConcurrentAppendsGetDenseOffsets) {
  constexpr int kThreads = 10, kPerThread = 100;
  std::vector<std::vector<Event>> lanes;
  for (int t = 0; t < kThreads; ++t) lanes.push_back(ChannelEvents(t, kPerThread, 1000));
  std::vector<std::vector<AppendResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const Event& e : lanes[t]) {
        auto r = this->store().Append(e);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        results[t].push_back(*r);
      }
    });
  }
  for (auto& th : threads) th.join();

  ASSERT_EQ(this->store().Length().value(), 1000u);
  std::vector<int> hits(1000, 0);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(results[t].size(), size_t{kPerThread});
    for (int i = 0; i < kPerThread; ++i) {
      const AppendResult& r = results[t][i];
      ASSERT_TRUE(r.appended);
      ASSERT_LT(r.offset, 1000u);
      ++hits[r.offset];
      EXPECT_EQ(this->store().Read(r.offset)->event, lanes[t][i]);
      if (i > 0) {
        EXPECT_LT(results[t][i - 1].offset, r.offset);  // per-writer order kept
      }
    }
  }
  EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), 1000);
  Hash256 chain;
  for (Offset o = 0; o < 1000; ++o)
    chain = IndependentChain(chain, this->store().Read(o)->event.id);
  EXPECT_EQ(this->store().Head().value(), (ChainHead{1000, chain}));
}

TYPED_TEST(StoreConcurrencyTest, ConcurrentRetriesStoreEachEventOnce) {
  constexpr int kThreads = 4;
  const std::vector<Event> events = InterleavedEvents(2, 100, 1);
  std::vector<std::vector<AppendResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const Event& e : events) {
        auto r = this->store().Append(e);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        results[t].push_back(*r);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(this->store().Length().value(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    int appended = 0;
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(results[t][i].offset, results[0][i].offset);
      appended += results[t][i].appended;
    }
    EXPECT_EQ(appended, 1) << "event " << i;
    EXPECT_EQ(this->store().Read(results[0][i].offset)->event, events[i]);
  }
}

TYPED_TEST(StoreConcurrencyTest, ReadersDuringAppendsSeeWholeEvents) {
  const int per_writer = kUnderTsan ? 1000 : 3000;
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (const Event& e : ChannelEvents(w, per_writer, 1)) {
        auto r = this->store().Append(e);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  std::atomic<uint64_t> checks{0};
  auto reader = [&](uint64_t seed) {
    std::vector<StoredEvent> range;
    while (!done.load()) {
      const ChainHead head = this->store().Head().value();
      if (head.length == 0) continue;
      const Offset o = (seed = seed * 6364136223846793005u + 1442695040888963407u) % head.length;
      auto cur = this->store().Read(o);
      ASSERT_TRUE(cur.ok()) << cur.status().ToString();
      ASSERT_TRUE(cur->event.HasValidId()) << "offset " << o;
      const Hash256 prev = o == 0 ? Hash256() : this->store().Read(o - 1)->chain;
      ASSERT_EQ(cur->chain, IndependentChain(prev, cur->event.id)) << "offset " << o;
      ASSERT_EQ(this->store().Read(head.length - 1)->chain, head.chain);
      ASSERT_TRUE(this->store().ReadRange(o, head.length, &range).ok());
      ASSERT_EQ(range.back().chain, head.chain);
      ASSERT_EQ(*this->store().Find(cur->event.id), o);
      ++checks;
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  for (auto& th : writers) th.join();
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(this->store().Length().value(), 2u * per_writer);
  EXPECT_GT(checks.load(), 0u);
}

TYPED_TEST(StoreConcurrencyTest, CatchUpSubscriptionRacingWritersSeesEveryEventOnce) {
  const int per_writer = kUnderTsan ? 500 : 2000;
  constexpr int kWriters = 4;
  this->AppendAll(ChannelEvents(100, 100, 1));  // history
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (const Event& e : ChannelEvents(w, per_writer, 1)) {
        ASSERT_TRUE(this->store().Append(e).ok());
      }
    });
  }
  // Each subscriber checks order as it goes: contiguous offsets, ids matching the log.
  struct Tail {
    std::optional<Offset> first;
    Offset next = 0;
    int errors = 0;
  };
  auto checker = [this](Tail* t) {
    return [this, t](const StoredEvent& e) {
      if (!t->first) t->first = t->next = e.offset;
      auto logged = this->store().Read(e.offset);
      if (e.offset != t->next || !logged.ok() || logged->event.id != e.event.id) ++t->errors;
      t->next = e.offset + 1;
    };
  };
  Tail catch_up, live;
  catch_up.first = 0;
  const SubscriptionId a = this->store().SubscribeFrom(0, checker(&catch_up));
  const Offset before = this->store().Length().value();
  const SubscriptionId b = *this->store().Subscribe(checker(&live));
  const Offset after = this->store().Length().value();
  for (auto& th : writers) th.join();
  const uint64_t total = 100 + kWriters * per_writer;
  ASSERT_EQ(this->store().Length().value(), total);
  ASSERT_TRUE(this->store().WaitForDelivery(a, total).ok());
  ASSERT_TRUE(this->store().WaitForDelivery(b, total).ok());
  ASSERT_TRUE(this->store().Unsubscribe(a).ok());
  ASSERT_TRUE(this->store().Unsubscribe(b).ok());
  EXPECT_EQ(catch_up.errors, 0);
  EXPECT_EQ(catch_up.next, total);
  EXPECT_EQ(live.errors, 0);
  if (live.first) {  // a live subscription starts at the length at the time of the call
    EXPECT_GE(*live.first, before);
    EXPECT_LE(*live.first, after);
    EXPECT_EQ(live.next, total);
  } else {
    EXPECT_EQ(after, total);
  }
}

}  // namespace
}  // namespace statelog::test
