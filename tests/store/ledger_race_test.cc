// Checked appends stay correct with many writers: four writers, each with its own Ledger (its own
// cache, as separate processes would have), race conflicting events on the same objectives and
// channels over one store of every backend. Afterwards the log verifies, exactly one side of each
// conflict is in it, every loser got a Conflict or a legality error, and at most one snapshot was
// taken per interval.
#include <gtest/gtest.h>

#include <thread>

#include "statelog/ledger.h"
#include "statelog/verify.h"
#include "store/store_conformance.h"
#include "testing/race.h"

namespace statelog::test {
namespace {

constexpr int kWriters = 4;
constexpr int kContests = 6;
constexpr uint64_t kSnapshotInterval = 8;

template <typename Factory>
class LedgerRaceTest : public ::testing::Test {};
TYPED_TEST_SUITE(LedgerRaceTest, StoreBackends, BackendName);

TYPED_TEST(LedgerRaceTest, ExactlyOneSideOfEachConflictWins) {
  std::unique_ptr<EventStore> store = TypeParam::Make();
  std::unique_ptr<SnapshotStore> snapshots = SnapshotStore::NewMemory();
  const testing::Race race = testing::MakeRace(kWriters, kContests, 9000);
  LedgerOptions options;
  options.snapshots.interval = kSnapshotInterval;
  {
    auto setup = Ledger::Open(store.get(), snapshots.get(), options);
    ASSERT_TRUE(setup.ok()) << setup.status().ToString();
    auto r = (*setup)->AppendBatch(race.setup);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::vector<std::vector<Status>> results(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto ledger = Ledger::Open(store.get(), snapshots.get(), options);
      ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
      for (const Event& e : race.by_writer[w]) {
        results[w].push_back((*ledger)->Append(e).status());
      }
    });
  }
  for (auto& t : writers) t.join();

  size_t won = 0;
  for (int w = 0; w < kWriters; ++w) {
    for (size_t i = 0; i < results[w].size(); ++i) {
      const Status& s = results[w][i];
      if (s.ok()) {
        ++won;
        auto at = store->Find(race.by_writer[w][i].id);
        ASSERT_TRUE(at.ok());
        EXPECT_TRUE(at->has_value()) << "writer " << w << " event " << i << " acknowledged, absent";
      } else {
        EXPECT_TRUE(testing::IsLoserError(s)) << "writer " << w << " event " << i << ": "
                                              << s.ToString();
        auto at = store->Find(race.by_writer[w][i].id);
        ASSERT_TRUE(at.ok());
        EXPECT_FALSE(at->has_value()) << "writer " << w << " event " << i << " refused (" << s.ToString() << "), present";
      }
    }
  }
  EXPECT_GE(won, static_cast<size_t>(2 * kContests)) << "someone must win each contest";
  for (const std::string& p : testing::CheckRaceOutcome(*store, race)) ADD_FAILURE() << p;
  VerifyReport report = VerifyLog(*store, {.snapshots = snapshots.get()});
  EXPECT_TRUE(report.status.ok()) << report.status.ToString();

  // At most one snapshot per interval, however many writers found one due.
  std::optional<uint64_t> last_interval;
  for (auto c = store->NewCursor(0); c->Valid(); c->Next()) {
    const auto* created = std::get_if<events::SnapshotCreated>(&c->event().event.body);
    if (created == nullptr) continue;
    const uint64_t interval = created->covers / kSnapshotInterval;
    if (last_interval) {
      EXPECT_GT(interval, *last_interval) << "two snapshots in one interval, offset "
                                          << c->event().offset;
    }
    last_interval = interval;
  }
  EXPECT_TRUE(last_interval.has_value()) << "no snapshot was taken at all";
}

}  // namespace
}  // namespace statelog::test
