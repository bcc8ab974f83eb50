// Four processes, each with its own Ledger, race conflicting events on one PostgreSQL log
// (tests/testing/race.h: approve against reject of one objective, two states for one turn,
// vouchers). Afterwards the log verifies, exactly one side of each conflict is in it, every
// winner's event is in the log and every loser got a Conflict or a legality error, and at most
// one snapshot was taken per interval. Several rounds, each on a fresh log.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "statelog/ledger.h"
#include "statelog/postgres_store.h"
#include "statelog/verify.h"
#include "store/postgres_factory.h"
#include "testing/race.h"

extern char** environ;

namespace statelog::test {
namespace {

constexpr int kWriters = 4;
constexpr int kContests = 8;
constexpr int kRounds = 3;
constexpr uint64_t kSnapshotInterval = 8;

pid_t Spawn(const std::vector<std::string>& args, const std::string& out_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

TEST(PostgresRaceTest, FourProcessesOneSideOfEachConflictWins) {
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    PostgresOptions options;
    options.schema = FreshPostgresSchema("race");
    auto store = PostgresEventStore::Open(PostgresConninfo(), options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const uint64_t nonce = 70000 + 100 * round;
    const testing::Race race = testing::MakeRace(kWriters, kContests, nonce);
    {
      auto setup = Ledger::Open(store->get(), (*store)->snapshots());
      ASSERT_TRUE(setup.ok()) << setup.status().ToString();
      ASSERT_TRUE((*setup)->AppendBatch(race.setup).ok());
    }
    const auto start = std::chrono::system_clock::now() + std::chrono::milliseconds(1500);
    const std::string start_us = std::to_string(
        std::chrono::duration_cast<std::chrono::microseconds>(start.time_since_epoch()).count());
    std::vector<pid_t> pids;
    std::vector<std::string> outputs;
    const std::string dir = ::testing::TempDir();
    for (int w = 0; w < kWriters; ++w) {
      outputs.push_back(dir + "/race_" + options.schema + "_" + std::to_string(w));
      pids.push_back(Spawn({STATELOG_PG_RACE_WRITER, options.schema, std::to_string(w),
                            std::to_string(kWriters), std::to_string(kContests),
                            std::to_string(nonce), start_us},
                           outputs.back()));
      ASSERT_GT(pids.back(), 0);
    }
    for (int w = 0; w < kWriters; ++w) {
      int status = 0;
      ASSERT_EQ(waitpid(pids[w], &status, 0), pids[w]);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer " << w;
    }
    size_t won = 0, lost = 0;
    for (int w = 0; w < kWriters; ++w) {
      std::ifstream in(outputs[w]);
      size_t index;
      int code;
      size_t lines = 0;
      while (in >> index >> code) {
        ++lines;
        ASSERT_LT(index, race.by_writer[w].size());
        auto found = (*store)->Find(race.by_writer[w][index].id);
        ASSERT_TRUE(found.ok()) << found.status().ToString();
        if (code == 0) {
          ++won;
          EXPECT_TRUE(found->has_value()) << "writer " << w << " event " << index
                                          << " acknowledged, absent";
        } else {
          ++lost;
          EXPECT_TRUE(code == static_cast<int>(StatusCode::kConflict) ||
                      code == static_cast<int>(StatusCode::kFailedPrecondition))
              << "writer " << w << " event " << index << " code " << code;
          EXPECT_FALSE(found->has_value()) << "writer " << w << " event " << index
                                           << " refused, present";
        }
      }
      EXPECT_EQ(lines, race.by_writer[w].size()) << "writer " << w;
    }
    EXPECT_GT(lost, 0u) << "the writers never conflicted: the race tested nothing";
    EXPECT_GE(won, static_cast<size_t>(2 * kContests));
    for (const std::string& p : testing::CheckRaceOutcome(**store, race)) ADD_FAILURE() << p;
    VerifyReport report = VerifyLog(**store, {.snapshots = (*store)->snapshots()});
    EXPECT_TRUE(report.status.ok()) << report.status.ToString();
    std::optional<uint64_t> last_interval;
    for (auto c = (*store)->NewCursor(0); c->Valid(); c->Next()) {
      const auto* created = std::get_if<events::SnapshotCreated>(&c->event().event.body);
      if (created == nullptr) continue;
      const uint64_t interval = created->covers / kSnapshotInterval;
      if (last_interval) EXPECT_GT(interval, *last_interval) << "two snapshots in one interval";
      last_interval = interval;
    }
    EXPECT_TRUE(last_interval.has_value()) << "no snapshot was taken";
  }
}

}  // namespace
}  // namespace statelog::test
