// Durable append, side by side on one disk: statelog's RocksDB backend, SQLite (WAL,
// synchronous=FULL, one row per transaction) and raw RocksDB Put(sync=true) of the same
// canonical JSON bytes, at 1, 4 and 16 writer threads; then replay (cursor) throughput and the
// cold-open time of a large store. A plain program (not Google Benchmark's runner): every
// configuration runs for a fixed time and the program prints one table.
//
//   cmake -S . -B build-rocks -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-rocks --target rocksdb_bench
//   build-rocks/bench/rocksdb_bench [--dir=/tmp/statelog-bench] [--seconds=3]
//                                   [--replay_events=1000000] [--rounds=1] [--writers=N]
//                                   [--only=statelog|sqlite|raw]   (one backend, for profiling)
//   build-rocks/bench/rocksdb_bench --tree_ab [--seconds=S] [--rounds=N] [--writers=N]
//     statelog's durable append with and without the Merkle tree (a test hook leaves it out),
//     taking turns, and the median of the rounds' ratios (docs/benchmarks.md).
#include <rocksdb/db.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "rocksdb/rocksdb_internal.h"
#include "statelog/codec.h"
#include "statelog/rocksdb_store.h"
#include "store/test_events.h"

namespace statelog {
namespace {

using Clock = std::chrono::steady_clock;

struct Result {
  double events_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
};

// One durable append of thread `t`'s `k`-th event; returns false on error.
using AppendFn = std::function<bool(int t, uint64_t k)>;

// Thread t appends events of its own channel; distinct across runs via `run`.
Event BenchEvent(uint64_t run, int t, uint64_t k) {
  return test::StateSignedEvent(run * 1000 + static_cast<uint64_t>(t), k,
                                static_cast<Timestamp>(k));
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

Result Measure(int threads, double seconds, const AppendFn& append) {
  std::vector<std::vector<double>> lat(static_cast<size_t>(threads));
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t k = 0; !stop.load(std::memory_order_relaxed); ++k) {
        const auto b = Clock::now();
        if (!append(t, k)) {
          failed = true;
          return;
        }
        lat[static_cast<size_t>(t)].push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - b).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) fprintf(stderr, "an append failed\n");
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  Result r;
  if (all.empty()) return r;
  r.events_per_s = static_cast<double>(all.size()) / elapsed;
  r.p50_us = all[all.size() / 2];
  r.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return r;
}

Result RunStatelog(const std::string& dir, int threads, double seconds, uint64_t run) {
  auto store = RocksDbEventStore::Open(dir);
  if (!store.ok()) {
    fprintf(stderr, "statelog open: %s\n", store.status().ToString().c_str());
    return {};
  }
  return Measure(threads, seconds,
                 [&](int t, uint64_t k) { return (*store)->Append(BenchEvent(run, t, k)).ok(); });
}

// statelog with or without the Merkle tree (rocksdb_internal::TestHooks::keep_tree).
Result RunStatelogTree(const std::string& dir, int threads, double seconds, uint64_t run,
                       bool tree) {
  rocksdb_internal::TestHooks hooks;
  hooks.keep_tree = tree;
  auto store = rocksdb_internal::OpenWithHooks(dir, {}, hooks);
  if (!store.ok()) {
    fprintf(stderr, "statelog open: %s\n", store.status().ToString().c_str());
    return {};
  }
  return Measure(threads, seconds,
                 [&](int t, uint64_t k) { return (*store)->Append(BenchEvent(run, t, k)).ok(); });
}

// --tree_ab: the tree's cost on the durable append, rounds taking turns.
void TreeAB(const std::string& dir, const std::vector<int>& writers, int rounds, double seconds) {
  printf("| writers | Merkle tree | events/s | p50 | p99 |\n|---|---|---|---|---|\n");
  uint64_t run = 0;
  for (int threads : writers) {
    std::vector<Result> with(rounds), without(rounds);
    std::vector<double> ratio;
    for (int k = 0; k < rounds; ++k) {
      const std::string n = std::to_string(threads) + "-" + std::to_string(k);
      // Which goes first alternates: the second run of a round shares the disk with the first
      // one's flushes and write-back.
      if (k % 2 == 0) {
        without[k] = RunStatelogTree(dir + "/notree-" + n, threads, seconds, ++run, false);
        with[k] = RunStatelogTree(dir + "/tree-" + n, threads, seconds, ++run, true);
      } else {
        with[k] = RunStatelogTree(dir + "/tree-" + n, threads, seconds, ++run, true);
        without[k] = RunStatelogTree(dir + "/notree-" + n, threads, seconds, ++run, false);
      }
      ratio.push_back(without[k].events_per_s / std::max(1.0, with[k].events_per_s));
    }
    for (const auto& row : {std::pair{"without", &without}, std::pair{"with", &with}}) {
      const char* name = row.first;
      const std::vector<Result>* x = row.second;
      auto median = [&](double Result::*field) {
        std::vector<double> v;
        for (const auto& one : *x) v.push_back(one.*field);
        return Median(v);
      };
      printf("| %d | %s | %.0f | %.0f us | %.0f us |\n", threads, name,
             median(&Result::events_per_s), median(&Result::p50_us), median(&Result::p99_us));
    }
    printf("| %d | time per append with / without (median of %d rounds) | %.4fx | | |\n", threads,
           rounds, Median(ratio));
    fflush(stdout);
  }
}

Result RunRawRocks(const std::string& dir, int threads, double seconds, uint64_t run) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(o, dir, &raw).ok()) return {};
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  std::atomic<uint64_t> next{0};
  return Measure(threads, seconds, [&](int t, uint64_t k) {
    const std::string value = EncodeEvent(BenchEvent(run, t, k));
    const uint64_t n = next++;
    char key[8];
    for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(n >> (56 - 8 * i));
    return db->Put(wo, rocksdb::Slice(key, 8), value).ok();
  });
}

Result RunSqlite(const std::string& path, int threads, double seconds, uint64_t run) {
  auto open = [&](sqlite3** db) {
    if (sqlite3_open(path.c_str(), db) != SQLITE_OK) return false;
    sqlite3_busy_timeout(*db, 60'000);
    return sqlite3_exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr,
                        nullptr) == SQLITE_OK;
  };
  sqlite3* setup = nullptr;
  if (!open(&setup)) return {};
  sqlite3_exec(setup,
               "CREATE TABLE IF NOT EXISTS events(offset INTEGER PRIMARY KEY, id BLOB UNIQUE, "
               "body BLOB NOT NULL)",
               nullptr, nullptr, nullptr);
  std::vector<sqlite3*> conns(static_cast<size_t>(threads));
  std::vector<sqlite3_stmt*> stmts(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    open(&conns[t]);
    sqlite3_prepare_v2(conns[t], "INSERT INTO events(id, body) VALUES(?, ?)", -1, &stmts[t],
                       nullptr);
  }
  Result r = Measure(threads, seconds, [&](int t, uint64_t k) {
    const Event e = BenchEvent(run, t, k);
    const std::string value = EncodeEvent(e);
    sqlite3* db = conns[t];
    sqlite3_stmt* st = stmts[t];
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return false;
    sqlite3_bind_blob(st, 1, e.id.bytes.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    const bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    return sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK && ok;
  });
  for (int t = 0; t < threads; ++t) {
    sqlite3_finalize(stmts[t]);
    sqlite3_close(conns[t]);
  }
  sqlite3_close(setup);
  return r;
}

void Replay(const std::string& dir, uint64_t n) {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  {
    RocksDbOptions fast;
    fast.sync = false;  // the fill is not what is measured
    auto store = RocksDbEventStore::Open(dir, fast);
    if (!store.ok()) return;
    const auto b = Clock::now();
    std::vector<Event> batch;
    for (uint64_t i = 0; i < n; ++i) {
      batch.push_back(test::StateSignedEvent(i % 1000, i / 1000, static_cast<Timestamp>(i)));
      if (batch.size() == 1000 || i + 1 == n) {
        if (!(*store)->AppendBatch(batch).ok()) return;
        batch.clear();
      }
    }
    const double s = std::chrono::duration<double>(Clock::now() - b).count();
    printf("fill: %llu events (batches of 1000, sync=false) in %.1f s = %.0f events/s\n",
           static_cast<unsigned long long>(n), s, static_cast<double>(n) / s);
  }
  uint64_t bytes = 0;
  for (const auto& f : fs::directory_iterator(dir))
    bytes += f.is_regular_file() ? f.file_size() : 0;
  const auto b = Clock::now();
  auto store = RocksDbEventStore::Open(dir);
  const double open_ms = std::chrono::duration<double, std::milli>(Clock::now() - b).count();
  if (!store.ok()) return;
  auto length = (*store)->Length();
  if (!length.ok()) {
    fprintf(stderr, "length: %s\n", length.status().ToString().c_str());
    return;
  }
  printf("cold open of a %llu-event store (%.0f MB on disk; OS page cache warm): %.1f ms\n",
         static_cast<unsigned long long>(*length), bytes / 1e6, open_ms);
  const auto r = Clock::now();
  uint64_t seen = 0, sum = 0;
  auto cursor = (*store)->NewCursor(0);
  for (; cursor->Valid(); cursor->Next()) {
    ++seen;
    sum += static_cast<uint64_t>(cursor->event().event.timestamp);
  }
  const double s = std::chrono::duration<double>(Clock::now() - r).count();
  printf("replay (cursor, decode every event): %llu events in %.2f s = %.0f events/s (%s)\n",
         static_cast<unsigned long long>(seen), s, static_cast<double>(seen) / s,
         cursor->status().ok() ? "ok" : cursor->status().ToString().c_str());
  (void)sum;
}

}  // namespace
}  // namespace statelog

int main(int argc, char** argv) {
  std::string dir = "/tmp/statelog-bench";
  double seconds = 3;
  uint64_t replay_events = 1'000'000;
  int rounds = 1;
  std::vector<int> writers = {1, 4, 16};
  std::string only;  // empty: all three backends
  bool tree_ab = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--dir=", 0) == 0) dir = a.substr(6);
    if (a.rfind("--seconds=", 0) == 0) seconds = std::stod(a.substr(10));
    if (a.rfind("--replay_events=", 0) == 0) replay_events = std::stoull(a.substr(16));
    if (a.rfind("--rounds=", 0) == 0) rounds = std::max(1, std::stoi(a.substr(9)));
    if (a.rfind("--writers=", 0) == 0) writers = {std::max(1, std::stoi(a.substr(10)))};
    if (a.rfind("--only=", 0) == 0) only = a.substr(7);
    if (a == "--tree_ab") tree_ab = true;
  }
  if (!only.empty() && only != "statelog" && only != "sqlite" && only != "raw") {
    fprintf(stderr, "--only=%s: expected statelog, sqlite or raw\n", only.c_str());
    return 2;
  }
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  fs::create_directories(dir);
  printf("durable appends, %.0f s per configuration, %zu-byte events, dir %s\n", seconds,
         statelog::EncodeEvent(statelog::BenchEvent(0, 0, 0)).size(), dir.c_str());
  if (tree_ab) {
    statelog::TreeAB(dir, writers, rounds, seconds);
    fs::remove_all(dir);
    return 0;
  }
  printf("| writers | backend | events/s | p50 | p99 |\n|---|---|---|---|---|\n");
  uint64_t run = 0;
  for (int threads : writers) {
    // The backends take turns, `rounds` times: on a shared machine a slow spell then hits each of
    // them, and the ratios are medians of the ratios within one round.
    std::vector<statelog::Result> s(rounds), q(rounds), r(rounds);
    std::vector<double> vs_sqlite, vs_raw;
    for (int k = 0; k < rounds; ++k) {
      ++run;
      const std::string n = std::to_string(threads) + "-" + std::to_string(k);
      auto runs = [&](const char* name) { return only.empty() || only == name; };
      if (runs("statelog"))
        s[k] = statelog::RunStatelog(dir + "/statelog-" + n, threads, seconds, run);
      if (runs("sqlite"))
        q[k] = statelog::RunSqlite(dir + "/sqlite-" + n + ".db", threads, seconds, run);
      if (runs("raw")) r[k] = statelog::RunRawRocks(dir + "/raw-" + n, threads, seconds, run);
      vs_sqlite.push_back(s[k].events_per_s / std::max(1.0, q[k].events_per_s));
      vs_raw.push_back(s[k].events_per_s / std::max(1.0, r[k].events_per_s));
    }
    for (auto [name, key, x] : {std::tuple{"statelog RocksDB", "statelog", &s},
                                std::tuple{"SQLite WAL FULL", "sqlite", &q},
                                std::tuple{"raw RocksDB Put sync", "raw", &r}}) {
      if (!only.empty() && only != key) continue;
      // A structured binding is captured by name only since C++20's P1091; Clang 14 refuses it.
      auto median = [&, results = x](double statelog::Result::*field) {
        std::vector<double> v;
        for (const auto& one : *results) v.push_back(one.*field);
        return statelog::Median(v);
      };
      printf("| %d | %s | %.0f | %.0f us | %.0f us |\n", threads, name,
             median(&statelog::Result::events_per_s), median(&statelog::Result::p50_us),
             median(&statelog::Result::p99_us));
    }
    if (!only.empty()) continue;  // one backend: no ratios
    printf(
        "| %d | ratios (median of %d rounds) | statelog/SQLite %.2fx, statelog/raw %.2fx | | |\n",
        threads, rounds, statelog::Median(vs_sqlite), statelog::Median(vs_raw));
    fflush(stdout);
  }
  if (replay_events > 0) statelog::Replay(dir + "/replay", replay_events);
  fs::remove_all(dir);
  return 0;
}
