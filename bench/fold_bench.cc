// Reconstruction benchmarks (issue 4): a fold of 1K events, one channel inside a 1M-event log,
// restore with a snapshot vs a full fold at 100K events, and memory for 10K events.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "demo/generator.h"
#include "demo/scenario.h"
#include "fold/snapshot_manager.h"
#include "statelog/ledger.h"
#include "statelog/memory_store.h"
#include "statelog/nitro.h"
#include "statelog/reconstruct.h"
#include "statelog/snapshot.h"
#include "statelog/tlog.h"
#include "statelog/verify.h"
#include "store/memory_backend.h"
#include "testing/sample_events.h"

namespace statelog {
namespace {

using demo::Actor;
using demo::ChannelScript;

constexpr Timestamp kStart = 1'700'000'000'000'000;

// `channels` channel lifecycles, one after the other (legal history, real signatures).
std::vector<Event> Lifecycles(int channels, int payments, uint64_t nonce_base) {
  std::vector<Event> out;
  for (int c = 0; c < channels; ++c) {
    ChannelScript s(Actor::Alice(), Actor::Bob(), nonce_base + c, kStart, Uint256(1000));
    auto life = s.DirectFundingLifecycle(payments);
    out.insert(out.end(), life.begin(), life.end());
  }
  return out;
}

// Exactly `n` distinct events of whole and partial lifecycles (an event that repeats one already
// taken, which the store would keep once, is skipped).
std::vector<Event> LifecycleEvents(size_t n, uint64_t nonce_base) {
  std::vector<Event> out;
  std::set<EventId> seen;
  for (uint64_t c = 0; out.size() < n; ++c) {
    for (Event& e : Lifecycles(1, 1, nonce_base + c)) {
      if (out.size() < n && seen.insert(e.id).second) out.push_back(std::move(e));
    }
  }
  return out;
}

void Append(EventStore& store, const std::vector<Event>& events) {
  for (const Event& e : events) {
    auto r = store.Append(e);
    if (!r.ok()) {
      std::fprintf(stderr, "append failed: %s\n", r.status().ToString().c_str());
      std::abort();
    }
  }
}

// A full fold of `events` (a log of 1K) into the node view.
void MeasureFold(benchmark::State& state, const std::vector<Event>& events) {
  auto store = MemoryEventStore::Create();
  Append(*store, events);
  Reconstructor r(store.get());
  for (auto _ : state) {
    auto view = r.FullFold(store->Length().value());
    if (!view.ok()) state.SkipWithError("fold failed");
    benchmark::DoNotOptimize(view);
  }
  state.counters["events"] = static_cast<double>(events.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
}

// A 1K-event log of 40 channels' lifecycles (rule set statelog-1).
void BM_FoldView1K(benchmark::State& state) { MeasureFold(state, LifecycleEvents(1000, 1)); }
BENCHMARK(BM_FoldView1K)->Unit(benchmark::kMicrosecond);

// The first `n` events of a hub's log under rule set 2 (`statelog generate`'s history: ledgers,
// virtual channels through the hub, proposals, challenges, defunding), cut at `n`.
std::vector<Event> NitroHubEvents(size_t n, uint64_t seed) {
  demo::GeneratorOptions o;
  o.channels = 1 << 20;  // more than any cut needs; pairs are built as the cut takes them
  o.payments = 10;
  o.seed = seed;
  demo::Generator g(o);
  std::vector<Event> out;
  while (out.size() < n && g.Next(n - out.size(), &out)) {
  }
  return out;
}

// The same fold under rule set 2 (the rules that read other entities included): a 1K-event
// prefix of a hub's log.
void BM_FoldView1KNitro(benchmark::State& state) { MeasureFold(state, NitroHubEvents(1000, 1)); }
BENCHMARK(BM_FoldView1KNitro)->Unit(benchmark::kMicrosecond);

// One channel with 1K events (vouchers) reconstructed through the index.
void BM_ReconstructChannel1K(benchmark::State& state) {
  auto store = MemoryEventStore::Create();
  ChannelScript s(Actor::Alice(), Actor::Bob(), 7, kStart, Uint256(1000));
  Append(*store, s.DirectFundingLifecycle(1000 - 24));
  Reconstructor r(store.get());
  for (auto _ : state) {
    auto c = r.Channel(s.id());
    if (!c.ok()) state.SkipWithError("reconstruct failed");
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(store->Length().value()));
}
BENCHMARK(BM_ReconstructChannel1K)->Unit(benchmark::kMicrosecond);

// One 49-event channel inside a log of `range(0)` events: the cost must not grow with the log.
void BM_ReconstructChannelInLargeLog(benchmark::State& state) {
  const int64_t total = state.range(0);
  auto store = MemoryEventStore::Create();
  ChannelScript s(Actor::Alice(), Actor::Bob(), 9, kStart, Uint256(1000));
  std::vector<Event> life = s.DirectFundingLifecycle(25);
  int64_t filler = total - static_cast<int64_t>(life.size());
  int64_t every = filler / static_cast<int64_t>(life.size());
  size_t next = 0;
  for (int64_t i = 0; i < filler; ++i) {
    if (i % every == 0 && next < life.size()) Append(*store, {life[next++]});
    Bytes payload(8);
    for (int b = 0; b < 8; ++b) payload[b] = static_cast<uint8_t>(i >> (8 * b));
    if (!store->Append(Event::Make(kStart + i, events::MessageSent{Address{}, payload})).ok()) {
      std::abort();
    }
  }
  while (next < life.size()) Append(*store, {life[next++]});
  Reconstructor r(store.get());
  for (auto _ : state) {
    auto c = r.Channel(s.id());
    if (!c.ok()) state.SkipWithError("reconstruct failed");
    benchmark::DoNotOptimize(c);
  }
  state.counters["log_events"] = static_cast<double>(store->Length().value());
  state.counters["channel_events"] = static_cast<double>(life.size());
}
BENCHMARK(BM_ReconstructChannelInLargeLog)
    ->Arg(1'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(2000);

// A 100K-event log in memory with one snapshot 500 events before its end.
struct Restorable100K {
  MemoryEventStore* store;
  SnapshotManager* manager;
  uint64_t length;
};
const Restorable100K& Log100K() {
  static const Restorable100K log = [] {
    auto* store = MemoryEventStore::Create().release();
    Append(*store, LifecycleEvents(100'000, 100));
    auto* manager = new SnapshotManager(store, SnapshotStore::NewMemory().release(), {});
    uint64_t n = store->Length().value();
    auto view = Reconstructor(store).FullFold(n - 500);
    if (!view.ok() || !manager->Create(*view, kStart).ok()) std::abort();
    return Restorable100K{store, manager, n};
  }();
  return log;
}

// Freeing a view is not part of building it (and costs every arm the same); nor is tidying up what
// it freed, which glibc does at the next large allocation: a restore at process start finds a
// fresh heap.
void FreeUntimed(benchmark::State& state, NodeView& view) {
  state.PauseTiming();
  { auto freed = std::move(view); }
  malloc_trim(0);
  state.ResumeTiming();
}

// Restoring the node view at the end of a 100K-event log: latest snapshot + tail vs full fold.
void BM_Restore100K(benchmark::State& state) {
  const Restorable100K& log = Log100K();
  bool with_snapshot = state.range(0) == 1;
  Reconstructor r(log.store, with_snapshot ? log.manager : nullptr);
  for (auto _ : state) {
    auto view = with_snapshot ? r.View(log.length - 1) : r.FullFold(log.length);
    if (!view.ok()) state.SkipWithError("restore failed");
    benchmark::DoNotOptimize(view);
    FreeUntimed(state, *view);
  }
  state.counters["log_events"] = static_cast<double>(log.length);
}
BENCHMARK(BM_Restore100K)->ArgName("snapshot")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The floor under any restore into this view: copying the restored view builds the same maps and
// entities with nothing to decode or fold.
void BM_CopyView100K(benchmark::State& state) {
  const Restorable100K& log = Log100K();
  auto restored = Reconstructor(log.store).FullFold(log.length);
  if (!restored.ok()) std::abort();
  for (auto _ : state) {
    NodeView view = *restored;
    benchmark::DoNotOptimize(view);
    FreeUntimed(state, view);
  }
  state.counters["channels"] = static_cast<double>(restored->channels.size());
  state.counters["objectives"] = static_cast<double>(restored->objectives.size());
}
BENCHMARK(BM_CopyView100K)->Unit(benchmark::kMillisecond);

// Heap bytes held by a memory store of `events` plus the node view folded from them.
void MeasureMemory(benchmark::State& state, const std::function<std::vector<Event>()>& make) {
  for (auto _ : state) {
    state.PauseTiming();
    auto events = make();
    state.ResumeTiming();
    size_t before = mallinfo2().uordblks;
    auto store = MemoryEventStore::Create();
    Append(*store, events);
    size_t store_bytes = mallinfo2().uordblks - before;
    auto view = Reconstructor(store.get()).FullFold(store->Length().value());
    size_t total = mallinfo2().uordblks - before;
    state.counters["store_MB"] = static_cast<double>(store_bytes) / 1e6;
    state.counters["store_and_view_MB"] = static_cast<double>(total) / 1e6;
    state.counters["bytes_per_event"] = static_cast<double>(store_bytes) / events.size();
  }
}

// 10K realistic events (lifecycles of rule set statelog-1).
void BM_Memory10K(benchmark::State& state) {
  MeasureMemory(state, [] { return LifecycleEvents(10'000, 5000); });
}
BENCHMARK(BM_Memory10K)->Iterations(1)->Unit(benchmark::kMillisecond);

// The same for 10K events of a hub's log under rule set 2.
void BM_Memory10KNitro(benchmark::State& state) {
  MeasureMemory(state, [] { return NitroHubEvents(10'000, 2); });
}
BENCHMARK(BM_Memory10KNitro)->Iterations(1)->Unit(benchmark::kMillisecond);

// `statelog verify`'s engine over a 5K-event log: signatures recovered per second by thread count.
void BM_Verify(benchmark::State& state) {
  static auto* store = [] {
    auto* s = MemoryEventStore::Create().release();
    Append(*s, LifecycleEvents(5'000, 20'000));
    return s;
  }();
  VerifyOptions options;
  options.threads = static_cast<unsigned>(state.range(0));
  uint64_t signatures = 0;
  for (auto _ : state) {
    VerifyReport r = VerifyLog(*store, options);
    if (!r.status.ok()) state.SkipWithError("verify failed");
    signatures = r.signatures;
  }
  state.counters["signatures_per_second"] = benchmark::Counter(
      static_cast<double>(signatures * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(store->Length().value());
}
BENCHMARK(BM_Verify)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(
    benchmark::kMillisecond);

// A demo-shaped history (what `statelog generate --channels 600 --payments 10` writes: the hub's
// log under rule set 2): 22,271 events, 8,040 of them signed.
const std::vector<Event>& DemoShaped() {
  static const auto* events = [] {
    demo::GeneratorOptions o;
    o.channels = 600;
    o.payments = 10;
    demo::Generator g(o);
    auto* out = new std::vector<Event>;
    while (g.Next(10'000, out)) {
    }
    return out;
  }();
  return *events;
}

uint64_t Signatures(const std::vector<Event>& events) {
  uint64_t n = 0;
  for (const Event& e : events) {
    n += IsSignedType(e.type());
  }
  return n;
}

// The limit for the two below: the demo-shaped history's signature recoveries alone, spread
// over `threads` threads (0: one per core) as evenly as possible. items_per_second: recoveries
// per second of wall time.
void BM_RecoverSignerLimit(benchmark::State& state) {
  static const auto* work = [] {
    auto* w = new std::vector<std::pair<Hash256, Signature>>;
    demo::Actor alice = demo::Actor::Alice();
    for (uint64_t i = 0; i < Signatures(DemoShaped()); ++i) {
      Hash256 hash = nitro::ComputeVoucherHash(ChannelId{}, Uint256(i));
      w->emplace_back(hash, *nitro::SignHash(hash, alice.key));
    }
    return w;
  }();
  unsigned threads = static_cast<unsigned>(state.range(0));
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (auto _ : state) {
    std::atomic<size_t> next{0};
    auto run = [&] {
      for (size_t i; (i = next.fetch_add(16)) < work->size();) {
        for (size_t j = i; j < std::min(work->size(), i + 16); ++j) {
          benchmark::DoNotOptimize(nitro::RecoverSigner((*work)[j].first, (*work)[j].second));
        }
      }
    };
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(run);
    run();
    for (auto& h : helpers) h.join();
  }
  state.SetItemsProcessed(static_cast<int64_t>(work->size()) * state.iterations());
}
BENCHMARK(BM_RecoverSignerLimit)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// VerifyLog over the demo-shaped history: signatures per second (wall) on one thread and on
// every core (0).
void BM_VerifyDemoShaped(benchmark::State& state) {
  static auto* store = [] {
    auto* s = MemoryEventStore::Create().release();
    Append(*s, DemoShaped());
    return s;
  }();
  VerifyOptions options;
  options.threads = static_cast<unsigned>(state.range(0));
  uint64_t signatures = 0;
  for (auto _ : state) {
    VerifyReport r = VerifyLog(*store, options);
    if (!r.status.ok()) state.SkipWithError("verify failed");
    signatures = r.signatures;
  }
  state.SetItemsProcessed(static_cast<int64_t>(signatures) * state.iterations());
  state.counters["events"] = static_cast<double>(store->Length().value());
}
BENCHMARK(BM_VerifyDemoShaped)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// VerifyLog on every core with and without the Merkle tree's check (ADR-0016): the store of
// tree:0 keeps no tree, that of tree:1 is the memory store, whose tree the check recomputes from
// the events (its own tree is derived before the timed runs).
void BM_VerifyDemoShapedTree(benchmark::State& state) {
  static EventStore* stores[2] = {nullptr, nullptr};
  const int tree = static_cast<int>(state.range(0));
  if (stores[tree] == nullptr) {
    stores[tree] = EventStore::Open(store_internal::NewMemoryBackend(tree != 0)).value().release();
    Append(*stores[tree], DemoShaped());
    if (tree != 0) {
      (void)tlog::TreeHash(stores[tree]->Length().value(), *stores[tree]->log().tree());
    }
  }
  for (auto _ : state) {
    VerifyReport r = VerifyLog(*stores[tree]);
    if (!r.status.ok()) state.SkipWithError("verify failed");
  }
  state.counters["events"] = static_cast<double>(stores[tree]->Length().value());
}
BENCHMARK(BM_VerifyDemoShapedTree)
    ->ArgName("tree")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->Repetitions(3)
    ->Unit(benchmark::kMillisecond);

// A checked import of the demo-shaped history into a fresh memory store: one Ledger::AppendBatch
// (proofs on `proof_threads` threads, legality in order). items_per_second: signatures.
void BM_CheckedImportDemoShaped(benchmark::State& state) {
  const std::vector<Event>& events = DemoShaped();
  LedgerOptions options;
  options.proof_threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto store = MemoryEventStore::Create();
    auto snapshots = SnapshotStore::NewMemory();
    auto ledger = Ledger::Open(store.get(), snapshots.get(), options);
    state.ResumeTiming();
    auto r = (*ledger)->AppendBatch(events);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    state.PauseTiming();
    ledger->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(Signatures(events)) * state.iterations());
  state.counters["events"] = static_cast<double>(events.size());
}
BENCHMARK(BM_CheckedImportDemoShaped)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace statelog

BENCHMARK_MAIN();
