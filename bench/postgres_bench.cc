// Append throughput of the PostgreSQL backend at 1 and 4 writers, next to the synced RocksDB
// backend in the same run (or the memory backend when built without RocksDB, i.e. without
// STATELOG_BENCH_ROCKSDB; the benchmark names say which). Writer threads share one store and
// append events of their own channel (StateSigned/DepositDetected, ~0.9 KB of JSON), one event
// or 100 per call; every call is timed (p50/p99 counters, microseconds, per call) and
// items_per_second is events/s. PostgreSQL writers each use their own pooled connection, as
// separate processes would; appends serialize on the head row (docs/adr/0006).
//
// Server: with STATELOG_PG_CONNINFO set, that server is used. Otherwise the program starts a
// throw-away durable one (fsync on) with tests/postgres/pg-server.sh in /tmp and stops it at
// exit. Calls per writer: STATELOG_BENCH_APPENDS (default 1500; batches get 1/50 of it).
//
//   cmake --build build-bench --target postgres_bench && build-bench/bench/postgres_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "statelog/memory_store.h"
#include "statelog/postgres_store.h"
#include "store/test_events.h"
#if STATELOG_BENCH_ROCKSDB
#include "statelog/rocksdb_store.h"
#endif
#ifndef STATELOG_PG_SERVER_SCRIPT
#define STATELOG_PG_SERVER_SCRIPT "tests/postgres/pg-server.sh"
#endif

namespace statelog {
namespace {

using Clock = std::chrono::steady_clock;

std::string g_conninfo;  // set by main()

int64_t Calls(size_t batch) {
  const char* v = std::getenv("STATELOG_BENCH_APPENDS");
  const int64_t n = v && *v ? std::atoll(v) : 1500;
  return std::max<int64_t>(1, batch == 1 ? n : n / 50);
}

std::unique_ptr<EventStore> OpenPostgres() {
  static int run = 0;
  PostgresOptions options;
  options.schema = "bench_" + std::to_string(getpid()) + "_" + std::to_string(run++);
  auto store = PostgresEventStore::Open(g_conninfo, options);
  if (!store.ok()) {
    std::fprintf(stderr, "postgres_bench: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(store).value();
}

#if STATELOG_BENCH_ROCKSDB
std::unique_ptr<EventStore> OpenRocksDb() {
  const std::string dir = "/tmp/statelog-rocksdb-bench-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  auto store = RocksDbEventStore::Open(dir);  // sync = true: every append is fsynced
  if (!store.ok()) {
    std::fprintf(stderr, "postgres_bench: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(store).value();
}
#else
std::unique_ptr<EventStore> OpenMemory() { return MemoryEventStore::Create(); }
#endif

// Each thread appends Calls(batch) calls of `batch` events of channel thread_index().
template <std::unique_ptr<EventStore> (*Open)()>
void BM_Append(benchmark::State& state) {
  static std::unique_ptr<EventStore> store;
  const size_t batch = static_cast<size_t>(state.range(0));
  if (state.thread_index() == 0) store = Open();
  const std::vector<Event> events = test::ChannelEvents(
      state.thread_index(), static_cast<size_t>(state.max_iterations) * batch, 1);
  std::vector<double> us;
  us.reserve(state.max_iterations);
  size_t next = 0;
  for (auto _ : state) {  // the loop's start and end are barriers across the threads
    const auto t0 = Clock::now();
    auto r = store->AppendBatch(std::span<const Event>(events.data() + next, batch));
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    next += batch;
  }
  state.SetItemsProcessed(static_cast<int64_t>(next));
  std::sort(us.begin(), us.end());
  if (!us.empty()) {
    auto at = [&](double q) { return us[std::min(us.size() - 1, size_t(q * us.size()))]; };
    state.counters["p50_us"] = benchmark::Counter(at(0.50), benchmark::Counter::kAvgThreads);
    state.counters["p99_us"] = benchmark::Counter(at(0.99), benchmark::Counter::kAvgThreads);
  }
  if (state.thread_index() == 0) store.reset();  // after the end barrier: all threads are done
}

void Register(const char* name, void (*fn)(benchmark::State&)) {
  for (int64_t batch : {1, 100}) {
    benchmark::RegisterBenchmark(name, fn)
        ->Arg(batch)
        ->ArgName("batch")
        ->Iterations(Calls(static_cast<size_t>(batch)))
        ->Threads(1)
        ->Threads(4)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace statelog

int main(int argc, char** argv) {
  using namespace statelog;
  benchmark::Initialize(&argc, argv);
  std::string server_dir;
  if (const char* c = std::getenv("STATELOG_PG_CONNINFO"); c && *c) {
    g_conninfo = c;
  } else {
    server_dir = "/tmp/statelog-pg-bench-" + std::to_string(getpid());
    const std::string cmd = "PG_FSYNC=on " STATELOG_PG_SERVER_SCRIPT " start " + server_dir;
    FILE* out = popen(cmd.c_str(), "r");
    char line[512] = {0};
    if (out == nullptr || std::fgets(line, sizeof(line), out) == nullptr || pclose(out) != 0) {
      std::fprintf(stderr,
                   "postgres_bench: could not start a server (%s); set "
                   "STATELOG_PG_CONNINFO to use a running one\n",
                   cmd.c_str());
      return 1;
    }
    g_conninfo = line;
    while (!g_conninfo.empty() && g_conninfo.back() == '\n') g_conninfo.pop_back();
  }
  Register("BM_Append/PostgreSQL", BM_Append<OpenPostgres>);
#if STATELOG_BENCH_ROCKSDB
  Register("BM_Append/RocksDB_sync", BM_Append<OpenRocksDb>);
#else
  Register("BM_Append/Memory_no_RocksDB", BM_Append<OpenMemory>);
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!server_dir.empty()) {
    const std::string cmd = STATELOG_PG_SERVER_SCRIPT " stop " + server_dir;
    if (std::system(cmd.c_str()) != 0)
      std::fprintf(stderr, "postgres_bench: %s failed\n", cmd.c_str());
  }
#if STATELOG_BENCH_ROCKSDB
  std::filesystem::remove_all("/tmp/statelog-rocksdb-bench-" + std::to_string(getpid()));
#endif
  return 0;
}
