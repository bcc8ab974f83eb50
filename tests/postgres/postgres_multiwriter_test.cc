// Several processes append to one PostgreSQL log at once (postgres_writer), while two stores of
// this process tail it with subscriptions; a writer killed with SIGKILL in mid-transaction loses
// none of the events it acknowledged.
//
// Counts: STATELOG_PG_WRITERS (default 4) processes x STATELOG_PG_APPENDS (default 5000) events.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "statelog/postgres_store.h"
#include "store/postgres_factory.h"
#include "store/test_events.h"

extern char** environ;

namespace statelog::test {
namespace {

size_t EnvCount(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// Starts postgres_writer with stdout redirected to `out_path`; returns its pid.
pid_t SpawnWriter(const std::string& schema, uint64_t writer, size_t count, size_t batch,
                  const std::string& out_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> args = {STATELOG_PG_WRITER, schema, std::to_string(writer),
                                   std::to_string(count), std::to_string(batch)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, STATELOG_PG_WRITER, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Ack {
  Offset offset;
  bool appended;
  std::string id;
};

// Parses the complete lines of a writer's output.
std::vector<Ack> ReadAcks(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  text.erase(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);
  std::vector<Ack> acks;
  std::istringstream lines(text);
  Ack a;
  int appended;
  while (lines >> a.offset >> appended >> a.id) {
    a.appended = appended != 0;
    acks.push_back(a);
  }
  return acks;
}

std::string TempDir() {
  char tmpl[] = "/tmp/statelog-pgw-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  return dir ? dir : "/tmp";
}

// Checks the whole log: dense offsets, chain recomputed with NextChain, head; returns the ids.
std::vector<std::string> VerifyLog(const EventStore& store) {
  const auto read = store.Head();
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  if (!read.ok()) return {};
  const ChainHead head = *read;
  std::vector<std::string> ids;
  Hash256 chain;
  Offset expected = 0;
  auto cursor = store.NewCursor(0, head.length);
  for (; cursor->Valid(); cursor->Next()) {
    const StoredEvent& e = cursor->event();
    EXPECT_EQ(e.offset, expected);
    chain = NextChain(chain, e.event.id);
    EXPECT_EQ(e.chain, chain) << "offset " << e.offset;
    ids.push_back(e.event.id.ToHex());
    ++expected;
  }
  EXPECT_TRUE(cursor->status().ok()) << cursor->status().ToString();
  EXPECT_EQ(expected, head.length);
  EXPECT_EQ(chain, head.chain);
  // The Merkle tree the writers staged, each against the head it caught up to, is the tree of
  // the log.
  Status tree = store.log().VerifyTree(head.length);
  EXPECT_TRUE(tree.ok()) << tree.ToString();
  return ids;
}

// A subscription that records the ids it is given, in order.
struct Tail {
  std::mutex mu;
  std::vector<std::string> ids;
  EventCallback Callback() {
    return [this](const StoredEvent& e) {
      std::lock_guard<std::mutex> lock(mu);
      ids.push_back(e.event.id.ToHex());
    };
  }
};

TEST(PostgresMultiWriterTest, WriterProcessesShareOneDenseLog) {
  const size_t writers = EnvCount("STATELOG_PG_WRITERS", 4);
  const size_t per_writer = EnvCount("STATELOG_PG_APPENDS", 5000);
  const uint64_t total = writers * per_writer;
  PostgresOptions options;
  options.schema = FreshPostgresSchema("mw");
  auto store = PostgresEventStore::Open(PostgresConninfo(), options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // Two subscribers, each with its own store (own connections and listener), as two processes.
  auto tail_store1 = PostgresEventStore::Open(PostgresConninfo(), options);
  auto tail_store2 = PostgresEventStore::Open(PostgresConninfo(), options);
  ASSERT_TRUE(tail_store1.ok() && tail_store2.ok());
  Tail tail1, tail2;
  const SubscriptionId s1 = (*tail_store1)->SubscribeFrom(0, tail1.Callback());
  const SubscriptionId s2 = (*tail_store2)->SubscribeFrom(0, tail2.Callback());

  const std::string dir = TempDir();
  const auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> pids;
  for (size_t w = 0; w < writers; ++w) {
    pids.push_back(SpawnWriter(options.schema, w, per_writer, 1, dir + "/w" + std::to_string(w)));
    ASSERT_GT(pids.back(), 0) << "cannot start " << STATELOG_PG_WRITER;
  }
  for (pid_t pid : pids) EXPECT_EQ(WaitExit(pid), 0) << "a writer failed; see its stderr";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu appends by %zu processes in %.1f s (%.0f events/s)\n",
              static_cast<unsigned long long>(total), writers, seconds, total / seconds);

  ASSERT_EQ(*(*store)->Length(), total);
  const std::vector<std::string> log = VerifyLog(**store);
  // Every writer's events, each exactly once, at the offsets the writer was told.
  std::set<std::string> unique(log.begin(), log.end());
  EXPECT_EQ(unique.size(), total);
  for (size_t w = 0; w < writers; ++w) {
    const std::vector<Ack> acks = ReadAcks(dir + "/w" + std::to_string(w));
    ASSERT_EQ(acks.size(), per_writer) << "writer " << w;
    const std::vector<Event> events = ChannelEvents(1000 + w, per_writer, 1);
    for (size_t i = 0; i < acks.size(); ++i) {
      EXPECT_TRUE(acks[i].appended);
      EXPECT_EQ(acks[i].id, events[i].id.ToHex());
      ASSERT_LT(acks[i].offset, total);
      EXPECT_EQ(log[acks[i].offset], acks[i].id) << "writer " << w << " event " << i;
      if (i > 0) {
        EXPECT_LT(acks[i - 1].offset, acks[i].offset);
      }
    }
  }
  // Both tailing subscribers saw the log itself: same events, same order, no gap or duplicate.
  ASSERT_TRUE((*tail_store1)->WaitForDelivery(s1, total).ok());
  ASSERT_TRUE((*tail_store2)->WaitForDelivery(s2, total).ok());
  ASSERT_TRUE((*tail_store1)->Unsubscribe(s1).ok());
  ASSERT_TRUE((*tail_store2)->Unsubscribe(s2).ok());
  EXPECT_EQ(tail1.ids, log);
  EXPECT_EQ(tail2.ids, log);
  if (!HasFailure()) std::filesystem::remove_all(dir);  // kept for inspection on failure
}

TEST(PostgresMultiWriterTest, KilledWriterLosesNothingAcknowledged) {
  constexpr size_t kBatch = 20;  // long transactions: the kill usually lands inside one
  const size_t steady_count = EnvCount("STATELOG_PG_APPENDS", 5000) / 2;
  PostgresOptions options;
  options.schema = FreshPostgresSchema("kill");
  auto store = PostgresEventStore::Open(PostgresConninfo(), options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::string dir = TempDir();
  // The victim is killed after ~400 acknowledgements; 20,000 events keep it busy until then
  // without a long start (the writer builds its events before the first append, slow at -O0).
  const pid_t victim = SpawnWriter(options.schema, 0, 20000, kBatch, dir + "/victim");
  const pid_t steady = SpawnWriter(options.schema, 1, steady_count, 1, dir + "/steady");
  ASSERT_GT(victim, 0);
  ASSERT_GT(steady, 0);
  // Let the victim acknowledge a few hundred events, then kill it without warning.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (ReadAcks(dir + "/victim").size() < 400 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::microseconds(1500));
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  EXPECT_EQ(WaitExit(victim), 128 + SIGKILL);
  EXPECT_EQ(WaitExit(steady), 0);

  const std::vector<Ack> acked = ReadAcks(dir + "/victim");
  ASSERT_GE(acked.size(), 400u) << "the victim acknowledged too little before the deadline";
  const std::vector<std::string> log = VerifyLog(**store);
  for (const Ack& a : acked) {
    ASSERT_LT(a.offset, log.size());
    EXPECT_EQ(log[a.offset], a.id) << "acknowledged event lost or moved";
  }
  // The victim's events in the log are a prefix of its sequence (batches are atomic), at most one
  // batch beyond what it printed; the steady writer's are all there.
  const std::vector<Event> victim_events = ChannelEvents(1000, 1000000, 1);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < acked.size() + kBatch && i < victim_events.size(); ++i) {
    index[victim_events[i].id.ToHex()] = i;
  }
  size_t victim_in_log = 0, steady_in_log = 0;
  for (const std::string& id : log) {
    if (auto it = index.find(id); it != index.end()) {
      EXPECT_EQ(it->second, victim_in_log) << "victim events out of order or missing";
      ++victim_in_log;
    } else {
      ++steady_in_log;
    }
  }
  EXPECT_EQ(steady_in_log, steady_count);
  EXPECT_GE(victim_in_log, acked.size());
  EXPECT_LE(victim_in_log, acked.size() + kBatch);
  EXPECT_EQ(victim_in_log % kBatch, 0u);
  // The killed session's transaction was rolled back and its lock released: appends go on.
  auto more = (*store)->Append(ChannelEvents(7, 1, 1).front());
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_EQ(more->offset, log.size());
  if (!HasFailure()) std::filesystem::remove_all(dir);  // kept for inspection on failure
}

}  // namespace
}  // namespace statelog::test
