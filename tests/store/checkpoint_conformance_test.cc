// The EventStore conformance suite, part 4: the signed checkpoints a backend keeps
// (LogBackend::keeps_checkpoints, docs/adr/0016-merkle-tree-and-checkpoints.md). Numbered 0, 1,
// 2, ... with no gap; a keep is conditional on the latest number (Conflict otherwise, keeping
// nothing); the latest reads back byte for byte; a checkpoint beyond the log is refused; signers
// racing keep one checkpoint each, each extending the one before.
#include <string>
#include <thread>
#include <vector>

#include "statelog/kept_checkpoint.h"
#include "statelog/nitro.h"
#include "store/store_conformance.h"

namespace statelog::test {
namespace {

template <typename Factory>
class StoreCheckpointTest : public StoreTest<Factory> {
 protected:
  void SetUp() override {
    StoreTest<Factory>::SetUp();
    if (!this->store().log().keeps_checkpoints()) GTEST_SKIP() << "keeps no checkpoints yet";
  }
};
TYPED_TEST_SUITE(StoreCheckpointTest, StoreBackends, BackendName);

const Bytes32 kNodeKey =
    Bytes32::FromHex("0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781").value();

std::string Origin() { return tlog::DefaultOrigin(nitro::AddressFromPrivateKey(kNodeKey).value()); }

std::vector<tlog::NoteSigner> Signers() {
  return {tlog::NoteSigner::Eip191(Origin(), kNodeKey).value()};
}

TYPED_TEST(StoreCheckpointTest, KeptByNumberConditionally) {
  Log& log = this->store().log();
  EXPECT_EQ(log.LatestCheckpoint().value(), std::nullopt);
  this->AppendAll(InterleavedEvents(2, 4, 1000));
  // Notes are kept as they are: the backend checks only the number.
  const KeptCheckpoint first{0, 3, "first note\n\n— x y\n"};
  EXPECT_TRUE(log.KeepCheckpoint({1, 3, "not the next"}).IsConflict());
  EXPECT_EQ(log.LatestCheckpoint().value(), std::nullopt);
  ASSERT_TRUE(log.KeepCheckpoint(first).ok());
  EXPECT_EQ(log.LatestCheckpoint().value(), first);
  EXPECT_TRUE(log.KeepCheckpoint({0, 8, "number 0 again"}).IsConflict());
  EXPECT_TRUE(log.KeepCheckpoint({2, 8, "a gap"}).IsConflict());
  const KeptCheckpoint second{1, 8, std::string("second note \xe2\x80\x94 with UTF-8\n")};
  ASSERT_TRUE(log.KeepCheckpoint(second).ok());
  EXPECT_EQ(log.LatestCheckpoint().value(), second);
  // Beyond the log's 8 records.
  EXPECT_TRUE(log.KeepCheckpoint({2, 9, "too long"}).IsInvalidArgument());
  EXPECT_EQ(log.LatestCheckpoint().value(), second);
}

TYPED_TEST(StoreCheckpointTest, SignedCheckpointsExtendEachOther) {
  Log& log = this->store().log();
  const std::vector<Event> events = InterleavedEvents(3, 6, 1000);
  this->AppendAll(std::vector<Event>(events.begin(), events.begin() + 5));
  const std::vector<tlog::NoteSigner> signers = Signers();
  const KeptCheckpoint first = tlog::SignAndKeepCheckpoint(log, Origin(), signers).value();
  this->AppendAll(std::vector<Event>(events.begin() + 5, events.end()));
  const KeptCheckpoint second = tlog::SignAndKeepCheckpoint(log, Origin(), signers).value();
  EXPECT_EQ(first.number, 0u);
  EXPECT_EQ(second.number, 1u);
  EXPECT_EQ(second.size, events.size());
  EXPECT_EQ(log.LatestCheckpoint().value(), second);
  const std::vector<tlog::NoteVerifier> known = {signers[0].verifier()};
  const tlog::Checkpoint older = tlog::OpenCheckpoint(first.note, known).value();
  const tlog::ConsistencyProofFile proof =
      tlog::ProveExtension(older, second.note, *log.tree()).value();
  EXPECT_TRUE(tlog::CheckConsistencyProofFile(proof.Encode(), older, known).ok());
}

TYPED_TEST(StoreCheckpointTest, RacingSignersKeepOneEach) {
  Log& log = this->store().log();
  this->AppendAll(InterleavedEvents(2, 5, 1000));
  const std::vector<tlog::NoteSigner> signers = Signers();
  constexpr size_t kThreads = 4;
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < kThreads; ++i) {
    threads.emplace_back(
        [&, i] { results[i] = tlog::SignAndKeepCheckpoint(log, Origin(), signers).status(); });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(log.LatestCheckpoint().value()->number, kThreads - 1);
}

}  // namespace
}  // namespace statelog::test
