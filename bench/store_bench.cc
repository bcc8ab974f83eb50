// EventStore (memory backend) benchmarks: append with 1 and 2 writers, reads by offset, ranges.
// Each benchmark times every operation with steady_clock and reports p50/p99 latency counters
// (nanoseconds, averaged over threads) next to the throughput (items_per_second = events/s).
// Note: each timed op includes two steady_clock::now() calls (~20-40 ns on a typical VM).
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-bench --target store_bench && build-bench/bench/store_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "statelog/memory_store.h"
#include "statelog/tlog.h"
#include "store/memory_backend.h"
#include "store/test_events.h"

namespace statelog {
namespace {

constexpr int64_t kAppendOps = 200'000;  // per writer thread and run
constexpr uint64_t kPrefilled = 100'000;
constexpr uint64_t kRangeSize = 100;

using Clock = std::chrono::steady_clock;

// Per-thread latency samples; Report() adds p50/p99 counters.
class Latencies {
 public:
  explicit Latencies(size_t expected) { ns_.reserve(expected); }
  void Add(Clock::time_point begin, Clock::time_point end) {
    ns_.push_back(std::chrono::duration<double, std::nano>(end - begin).count());
  }
  void Report(benchmark::State& state) {
    if (ns_.empty()) return;
    std::sort(ns_.begin(), ns_.end());
    auto at = [&](double q) { return ns_[std::min(ns_.size() - 1, size_t(q * ns_.size()))]; };
    state.counters["p50_ns"] = benchmark::Counter(at(0.50), benchmark::Counter::kAvgThreads);
    state.counters["p99_ns"] = benchmark::Counter(at(0.99), benchmark::Counter::kAvgThreads);
  }

 private:
  std::vector<double> ns_;
};

// Signed states of one channel per writer, prepared once (Event::Make is not what is measured).
const std::vector<Event>& WriterEvents(int writer) {
  static const auto* lanes = [] {
    auto* v = new std::vector<std::vector<Event>>();
    for (int w = 0; w < 2; ++w) {
      std::vector<Event> lane;
      lane.reserve(kAppendOps);
      for (int64_t i = 0; i < kAppendOps; ++i) lane.push_back(test::StateSignedEvent(w, i, i));
      v->push_back(std::move(lane));
    }
    return v;
  }();
  return (*lanes)[writer];
}

std::unique_ptr<MemoryEventStore> g_store;

void FreshStore(const benchmark::State&) {
  WriterEvents(0);
  g_store = MemoryEventStore::Create();
}
void PrefilledStore(const benchmark::State&) {
  g_store = MemoryEventStore::Create();
  for (uint64_t i = 0; i < kPrefilled; ++i) {
    auto r = g_store->Append(test::StateSignedEvent(i % 64, i, static_cast<Timestamp>(i)));
    if (!r.ok()) std::abort();
  }
}
void DropStore(const benchmark::State&) { g_store.reset(); }

void BM_Append(benchmark::State& state) {
  const std::vector<Event>& events = WriterEvents(state.thread_index());
  Latencies lat(kAppendOps);
  size_t i = 0;
  for (auto _ : state) {
    const auto begin = Clock::now();
    auto r = g_store->Append(events[i++]);
    lat.Add(begin, Clock::now());
    if (!r.ok() || !r->appended) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
  lat.Report(state);
}
BENCHMARK(BM_Append)
    ->Setup(FreshStore)
    ->Teardown(DropStore)
    ->Iterations(kAppendOps)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// The Merkle tree's cost on the memory append path (docs/adr/0016-merkle-tree-and-
// checkpoints.md): one writer, the same events, a store that keeps the tree (tree:1, what
// MemoryEventStore::Create gives) and one whose backend keeps none (tree:0), in one run. The
// memory backend derives its tree when first read: tree_ns_per_event is what the first tree
// hash after the appends costs per event appended.
void BM_AppendTree(benchmark::State& state) {
  const std::vector<Event>& events = WriterEvents(0);
  std::unique_ptr<EventStore> store =
      EventStore::Open(store_internal::NewMemoryBackend(state.range(0) != 0)).value();
  size_t i = 0;
  for (auto _ : state) {
    auto r = store->Append(events[i++]);
    if (!r.ok() || !r->appended) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
  if (const tlog::HashReader* tree = store->log().tree()) {
    const auto begin = Clock::now();
    if (!tlog::TreeHash(i, *tree).ok()) state.SkipWithError("tree hash failed");
    state.counters["tree_ns_per_event"] =
        std::chrono::duration<double, std::nano>(Clock::now() - begin).count() /
        static_cast<double>(i);
  }
}
BENCHMARK(BM_AppendTree)->ArgName("tree")->Arg(0)->Arg(1)->Iterations(kAppendOps)->Repetitions(5);

// One writer while a subscriber receives every event on its own thread.
// One writer appending while `callback` runs on a subscription's delivery thread.
void AppendWithSubscriber(benchmark::State& state, EventCallback callback) {
  const SubscriptionId sub = g_store->Subscribe(std::move(callback)).value();
  const std::vector<Event>& events = WriterEvents(0);
  Latencies lat(kAppendOps);
  size_t i = 0;
  for (auto _ : state) {
    const auto begin = Clock::now();
    auto r = g_store->Append(events[i++]);
    lat.Add(begin, Clock::now());
    if (!r.ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
  lat.Report(state);
  if (!g_store->Unsubscribe(sub).ok()) state.SkipWithError("unsubscribe failed");
}

void BM_AppendWithSubscriber(benchmark::State& state) {
  std::atomic<uint64_t> delivered{0};
  AppendWithSubscriber(state, [&](const StoredEvent&) { ++delivered; });
}
BENCHMARK(BM_AppendWithSubscriber)
    ->Setup(FreshStore)
    ->Teardown(DropStore)
    ->Iterations(kAppendOps)
    ->UseRealTime();

// One writer while a subscriber that takes 50 us per event lags further and further behind:
// appends never wait for it (and, since its thread is busy, they do not even wake it).
void BM_AppendWithSlowSubscriber(benchmark::State& state) {
  AppendWithSubscriber(state, [](const StoredEvent&) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  });
}
BENCHMARK(BM_AppendWithSlowSubscriber)
    ->Setup(FreshStore)
    ->Teardown(DropStore)
    ->Iterations(kAppendOps)
    ->UseRealTime();

uint64_t NextOffset(uint64_t* seed) {
  *seed = *seed * 6364136223846793005u + 1442695040888963407u;
  return (*seed >> 33) % kPrefilled;
}

// Read(offset): a copy of the stored event (what every backend returns).
void BM_Read(benchmark::State& state) {
  uint64_t seed = 42 + state.thread_index();
  Latencies lat(1 << 20);
  for (auto _ : state) {
    const uint64_t offset = NextOffset(&seed);
    const auto begin = Clock::now();
    auto r = g_store->Read(offset);
    lat.Add(begin, Clock::now());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  lat.Report(state);
}
BENCHMARK(BM_Read)
    ->Setup(PrefilledStore)
    ->Teardown(DropStore)
    ->Iterations(1'000'000)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// At(offset): the memory backend's zero-copy stable reference.
void BM_At(benchmark::State& state) {
  uint64_t seed = 42;
  Latencies lat(1 << 20);
  for (auto _ : state) {
    const uint64_t offset = NextOffset(&seed);
    const auto begin = Clock::now();
    const Event& e = g_store->At(offset);
    benchmark::DoNotOptimize(e.timestamp);
    lat.Add(begin, Clock::now());
  }
  state.SetItemsProcessed(state.iterations());
  lat.Report(state);
}
BENCHMARK(BM_At)->Setup(PrefilledStore)->Teardown(DropStore)->Iterations(1'000'000);

// ReadRange of kRangeSize events; latency is per call, items/s counts events.
void BM_ReadRange(benchmark::State& state) {
  uint64_t seed = 7;
  std::vector<StoredEvent> out;
  Latencies lat(1 << 17);
  for (auto _ : state) {
    const uint64_t begin_offset = NextOffset(&seed) % (kPrefilled - kRangeSize);
    const auto begin = Clock::now();
    Status s = g_store->ReadRange(begin_offset, begin_offset + kRangeSize, &out);
    lat.Add(begin, Clock::now());
    if (!s.ok()) state.SkipWithError("read range failed");
  }
  state.SetItemsProcessed(state.iterations() * kRangeSize);
  lat.Report(state);
}
BENCHMARK(BM_ReadRange)->Setup(PrefilledStore)->Teardown(DropStore)->Iterations(50'000);

}  // namespace
}  // namespace statelog

BENCHMARK_MAIN();
