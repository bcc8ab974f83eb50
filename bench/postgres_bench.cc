// Append throughput of the PostgreSQL backend at 1 and 4 writers, next to RocksDB (synced, on
// this machine's disk) in the same run, or the memory backend when built without RocksDB
// (STATELOG_BENCH_ROCKSDB undefined). Each writer thread appends its own channel's events
// (StateSigned/DepositDetected, ~0.9 KB of JSON) to one shared store; every append is timed.
// PostgreSQL writers each use their own connection (the store's pool), as separate processes
// would; its appends serialize on the head row, so the figures are those of one shared log.
//
//   PG_FSYNC=on tests/postgres/pg-server.sh start /tmp/statelog-pg-bench   # prints CONNINFO
//   STATELOG_PG_CONNINFO="CONNINFO" build/bench/postgres_bench [EVENTS_PER_WRITER] [ROCKSDB_DIR]
//   tests/postgres/pg-server.sh stop /tmp/statelog-pg-bench
// ROCKSDB_DIR (default /tmp/statelog-rocksdb-bench) is deleted and recreated for each run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "statelog/memory_store.h"
#include "statelog/postgres_store.h"
#include "store/test_events.h"
#if STATELOG_BENCH_ROCKSDB
#include "statelog/rocksdb_store.h"
#endif

namespace statelog {
namespace {

using Clock = std::chrono::steady_clock;

struct Figures {
  double events_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
};

// `writers` threads each append `per_writer` events in calls of `batch` events.
Figures Run(EventStore* store, int writers, size_t per_writer, size_t batch, uint64_t channel0) {
  std::vector<std::vector<Event>> lanes;
  for (int w = 0; w < writers; ++w)
    lanes.push_back(test::ChannelEvents(channel0 + w, per_writer, 1));
  std::vector<std::vector<double>> lat(writers);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const std::vector<Event>& events = lanes[w];
      for (size_t i = 0; i < events.size(); i += batch) {
        const size_t n = std::min(batch, events.size() - i);
        const auto t0 = Clock::now();
        auto r = store->AppendBatch(std::span<const Event>(events.data() + i, n));
        lat[w].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        if (!r.ok()) {
          std::fprintf(stderr, "append failed: %s\n", r.status().ToString().c_str());
          std::exit(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto at = [&](double q) { return all[std::min(all.size() - 1, size_t(q * all.size()))]; };
  return Figures{writers * per_writer / seconds, at(0.5), at(0.99)};
}

void Print(const char* backend, int writers, size_t batch, const Figures& f) {
  std::printf("| %-34s | %d | %3zu | %9.0f | %8.0f | %8.0f |\n", backend, writers, batch,
              f.events_per_s, f.p50_us, f.p99_us);
  std::fflush(stdout);
}

}  // namespace
}  // namespace statelog

int main(int argc, char** argv) {
  using namespace statelog;
  const size_t per_writer = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000;
  const std::string rocks_dir = argc > 2 ? argv[2] : "/tmp/statelog-rocksdb-bench";
  const char* conninfo = std::getenv("STATELOG_PG_CONNINFO");
  if (conninfo == nullptr) {
    std::fprintf(stderr,
                 "postgres_bench: set STATELOG_PG_CONNINFO (start a server with "
                 "PG_FSYNC=on tests/postgres/pg-server.sh start DIR)\n");
    return 2;
  }
  std::printf("%zu events per writer\n\n", per_writer);
  std::printf("| Backend | Writers | Batch | Events/s | p50 µs (per call) | p99 µs |\n");
  std::printf("|---|---|---|---|---|---|\n");
  const auto stamp = std::chrono::system_clock::now().time_since_epoch().count() % 1000000000;
  int run = 0;
  for (size_t batch : {size_t{1}, size_t{100}}) {
    for (int writers : {1, 4}) {
      PostgresOptions options;
      options.schema = "bench_" + std::to_string(stamp) + "_" + std::to_string(run++);
      auto pg = PostgresEventStore::Open(conninfo, options);
      if (!pg.ok()) {
        std::fprintf(stderr, "postgres_bench: %s\n", pg.status().ToString().c_str());
        return 1;
      }
      Print("PostgreSQL", writers, batch, Run(pg->get(), writers, per_writer, batch, 0));
#if STATELOG_BENCH_ROCKSDB
      std::filesystem::remove_all(rocks_dir);
      auto rocks = RocksDbEventStore::Open(rocks_dir);  // sync = true
      if (!rocks.ok()) {
        std::fprintf(stderr, "postgres_bench: %s\n", rocks.status().ToString().c_str());
        return 1;
      }
      Print("RocksDB (sync)", writers, batch, Run(rocks->get(), writers, per_writer, batch, 0));
      rocks->reset();
      std::filesystem::remove_all(rocks_dir);
#else
      auto memory = MemoryEventStore::Create();
      Print("Memory (RocksDB not built)", writers, batch,
            Run(memory.get(), writers, per_writer, batch, 0));
#endif
    }
  }
  return 0;
}
