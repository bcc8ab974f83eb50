// Cold opens of an existing RocksDB store (scripts/bench-scale makes one of 1M events): the store
// alone, the Ledger (the node view restored from the latest snapshot plus a fold of the tail), and
// the full fold the snapshot saves. Each iteration opens in a new object and closes it again.
// Usage: open_bench STORE_DIR [--benchmark_* flags]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "statelog/ledger.h"
#include "statelog/reconstruct.h"
#include "statelog/rocksdb_store.h"

namespace statelog {
namespace {

std::string g_dir;

std::unique_ptr<RocksDbEventStore> OpenStore(benchmark::State& state) {
  auto store = RocksDbEventStore::Open(g_dir);
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*store);
}

void BM_StoreOpen(benchmark::State& state) {
  for (auto _ : state) {
    auto store = OpenStore(state);
    if (!store) break;
    benchmark::DoNotOptimize(store);
  }
}
BENCHMARK(BM_StoreOpen)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LedgerOpen(benchmark::State& state) {
  for (auto _ : state) {
    auto store = OpenStore(state);
    if (!store) break;
    auto ledger = Ledger::Open(store.get(), store->snapshots());
    if (!ledger.ok()) {
      state.SkipWithError(ledger.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(ledger);
    state.counters["events"] = static_cast<double>(store->Length().value());
    state.counters["channels"] = static_cast<double>((*ledger)->View()->channels.size());
  }
}
BENCHMARK(BM_LedgerOpen)->Unit(benchmark::kMillisecond)->UseRealTime();

// What the snapshot saves: the node view folded from the first event.
void BM_FullFoldOnOpen(benchmark::State& state) {
  for (auto _ : state) {
    auto store = OpenStore(state);
    if (!store) break;
    auto view = Reconstructor(store.get()).FullFold(store->Length().value());
    if (!view.ok()) {
      state.SkipWithError(view.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(view);
  }
}
BENCHMARK(BM_FullFoldOnOpen)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

}  // namespace
}  // namespace statelog

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: open_bench STORE_DIR [--benchmark_* flags]\n");
    return 2;
  }
  statelog::g_dir = argv[1];
  argv[1] = argv[0];
  --argc;
  ++argv;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
