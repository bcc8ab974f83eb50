// Child process of the crash harness (crash_test.cc, scripts/crash-test).
//
//   rocksdb_crash_child append <dir> <seed> <threads>
//     Opens the store durably and appends RandomHistory(kChannels, seed) from `threads` threads
//     (each thread owns some channels and appends their events in order, alone or in small
//     batches, retrying what is already stored). Writes "ready\n" once open. After each
//     acknowledged append it writes
//     "<offset> <id hex>\n" to stdout with one write(2). Exits 0 when everything is stored.
//   rocksdb_crash_child hold <dir>
//     Opens the store, writes "1" (or "0" and the error) and sleeps until killed.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "rocksdb/crash_history.h"
#include "statelog/rocksdb_store.h"

namespace {

using statelog::Event;

void WriteLine(const std::string& line) {
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = write(1, p, left);
    if (n <= 0) _exit(3);
    p += n;
    left -= static_cast<size_t>(n);
  }
}

int Append(const std::string& dir, uint64_t seed, int threads) {
  auto store = statelog::RocksDbEventStore::Open(dir);
  if (!store.ok()) {
    fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 2;
  }
  WriteLine("ready\n");
  const std::vector<std::vector<Event>> lanes = statelog::test::CrashLanes(seed, threads);
  std::vector<std::thread> workers;
  std::atomic<bool> failed{false};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::vector<Event>& lane = lanes[t];
      size_t i = 0;
      uint64_t r = seed * 7919 + static_cast<uint64_t>(t);
      while (i < lane.size() && !failed) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        const size_t n =
            std::min<size_t>(lane.size() - i, (r >> 60) % 4 == 0 ? 1 + (r >> 33) % 4 : 1);
        auto results = (*store)->AppendBatch(std::span<const Event>(lane).subspan(i, n));
        if (!results.ok()) {
          fprintf(stderr, "append: %s\n", results.status().ToString().c_str());
          failed = true;
          return;
        }
        std::string lines;
        for (size_t k = 0; k < n; ++k) {
          lines += std::to_string((*results)[k].offset) + " " + lane[i + k].id.ToHex() + "\n";
        }
        WriteLine(lines);
        i += n;
      }
    });
  }
  for (auto& w : workers) w.join();
  return failed ? 1 : 0;
}

int Hold(const std::string& dir) {
  auto store = statelog::RocksDbEventStore::Open(dir);
  WriteLine(store.ok() ? "1\n" : "0 " + store.status().ToString() + "\n");
  for (;;) pause();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "hold") return Hold(argv[2]);
  if (argc == 5 && std::string(argv[1]) == "append") {
    return Append(argv[2], std::strtoull(argv[3], nullptr, 10), std::atoi(argv[4]));
  }
  fprintf(stderr, "usage: %s append <dir> <seed> <threads> | hold <dir>\n", argv[0]);
  return 2;
}
