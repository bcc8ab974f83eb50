// Crash harness: a child process appends durably and reports each acknowledged offset; the test
// kills it with SIGKILL at a random moment, reopens the store and checks that every acknowledged
// event is present and intact, the log is dense, the chain recomputes from 0 to the head, and
// reconstruction equals a fold of the recovered events. Rounds: STATELOG_CRASH_ROUNDS (200).
// A store lives for several rounds, so recoveries of recoveries are exercised too.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <unordered_map>

#include "rocksdb/crash_history.h"
#include "rocksdb/rocksdb_test_util.h"

namespace statelog::test {
namespace {

struct ChildRun {
  std::map<Offset, std::string> acked;  // offset -> id hex, as reported before the kill
  int exit_status = 0;
  bool killed = false;
};

// Runs the child on `dir` and kills it `kill_after` after it reported the store open, or after
// its start when `early` (a crash during open and recovery), unless it ends first.
ChildRun RunChild(const std::string& dir, uint64_t seed, int threads,
                  std::chrono::microseconds kill_after, bool early) {
  ChildRun run;
  int out[2];
  if (pipe(out) != 0) return run;
  const std::string seed_arg = std::to_string(seed);
  const std::string threads_arg = std::to_string(threads);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl(STATELOG_CRASH_CHILD, STATELOG_CRASH_CHILD, "append", dir.c_str(), seed_arg.c_str(),
          threads_arg.c_str(), nullptr);
    _exit(127);
  }
  close(out[1]);
  std::string text;
  constexpr auto kNever = std::chrono::steady_clock::time_point::max();
  auto deadline = early ? std::chrono::steady_clock::now() + kill_after : kNever;
  bool eof = false;
  char buf[65536];
  while (!eof) {
    const auto now = std::chrono::steady_clock::now();
    if (!run.killed && now >= deadline) {
      kill(pid, SIGKILL);
      run.killed = true;
    }
    int timeout_ms = -1;
    if (!run.killed && deadline != kNever) {
      timeout_ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1);
    }
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, timeout_ms) > 0) {
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) {
        eof = true;
      } else {
        text.append(buf, static_cast<size_t>(n));
        if (deadline == kNever && text.find("ready\n") != std::string::npos) {
          deadline = std::chrono::steady_clock::now() + kill_after;
        }
      }
    }
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_status = status;
  // Only complete lines were acknowledged (a line is written with one write(2)).
  const size_t ready = text.find("ready\n");
  const size_t from = ready == std::string::npos ? text.size() : ready + 6;
  const size_t to = text.rfind('\n') + 1;
  std::istringstream lines(to > from ? text.substr(from, to - from) : std::string());
  Offset offset;
  std::string id;
  while (lines >> offset >> id) run.acked[offset] = id;
  return run;
}

uint64_t Rounds() {
  const char* env = getenv("STATELOG_CRASH_ROUNDS");
  return env && *env ? std::strtoull(env, nullptr, 10) : 200;
}

TEST(RocksDbCrashTest, AcknowledgedEventsSurviveSigkill) {
  const uint64_t rounds = Rounds();
  const uint64_t base_seed = getenv("STATELOG_CRASH_SEED")
                                 ? std::strtoull(getenv("STATELOG_CRASH_SEED"), nullptr, 10)
                                 : std::random_device()();
  std::mt19937_64 rng(base_seed);
  std::unique_ptr<TempDir> tmp;
  std::string dir;
  uint64_t seed = 0;
  std::unordered_map<std::string, Event> history;  // id hex -> event
  uint64_t kills = 0, recovered_total = 0;
  for (uint64_t round = 0; round < rounds; ++round) {
    SCOPED_TRACE("base seed " + std::to_string(base_seed) + ", round " + std::to_string(round));
    if (round % 8 == 0) {  // a fresh store every few rounds
      tmp = std::make_unique<TempDir>("crash");
      dir = tmp->path() + "/db";
      seed = rng();
      history.clear();
      for (const Event& e : testing::RandomHistory(kCrashChannels, seed)) {
        history.emplace(e.id.ToHex(), e);
      }
    }
    const int threads = 1 + static_cast<int>(rng() % 4);
    // Mostly while appending (0-60 ms after open); one round in 8 during open and recovery.
    const bool early = rng() % 8 == 0;
    const auto kill_after = std::chrono::microseconds(rng() % (early ? 150'000 : 60'000));
    ChildRun run = RunChild(dir, seed, threads, kill_after, early);
    kills += run.killed;
    if (!run.killed) {
      ASSERT_TRUE(WIFEXITED(run.exit_status) && WEXITSTATUS(run.exit_status) == 0)
          << "child failed with status " << run.exit_status;
    }

    auto opened = RocksDbEventStore::Open(dir);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    RocksDbEventStore& store = **opened;
    const std::vector<StoredEvent> log = CheckRecovered(store, history);
    ASSERT_FALSE(::testing::Test::HasFailure());
    recovered_total += log.size();
    for (const auto& [offset, id] : run.acked) {
      ASSERT_LT(offset, log.size()) << "acknowledged offset " << offset << " was lost";
      ASSERT_EQ(log[offset].event.id.ToHex(), id) << "offset " << offset;
    }
    if (!run.killed) round = (round / 8 + 1) * 8 - 1;  // history complete: next store
  }
  RecordProperty("kills", std::to_string(kills));
  std::printf("crash harness: %llu rounds, %llu kills, %llu events recovered in total\n",
              static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(kills),
              static_cast<unsigned long long>(recovered_total));
}

}  // namespace
}  // namespace statelog::test
