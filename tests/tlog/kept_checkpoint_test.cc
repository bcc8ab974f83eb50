// Signing and keeping a log's checkpoints (statelog/kept_checkpoint.h) over the memory store:
// numbered from 0, each extending the one before, and refused, keeping nothing, when the log's
// tree does not extend the latest kept one (another origin, a log rewritten after it).
#include "statelog/kept_checkpoint.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "statelog/memory_store.h"
#include "statelog/nitro.h"
#include "store/test_events.h"

namespace statelog::tlog {
namespace {

const Bytes32 kIreneKey =
    Bytes32::FromHex("0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781").value();
const Address kIrene = nitro::AddressFromPrivateKey(kIreneKey).value();

class KeptCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signers.push_back(NoteSigner::Eip191(DefaultOrigin(kIrene), kIreneKey).value());
    known.push_back(signers[0].verifier());
  }
  void AppendTo(EventStore& store, const std::vector<Event>& events) {
    for (const Event& e : events) ASSERT_TRUE(store.Append(e).ok());
  }
  StatusOr<KeptCheckpoint> SignAndKeep(EventStore& store) {
    return SignAndKeepCheckpoint(store.log(), DefaultOrigin(kIrene), signers);
  }

  std::vector<NoteSigner> signers;
  std::vector<NoteVerifier> known;
};

TEST(DefaultOriginTest, IsTheNodesAddress) {
  EXPECT_EQ(DefaultOrigin(kIrene), "statelog/0x111a00868581f73ab42feef67d235ca09ca1e8db");
  EXPECT_TRUE(CheckKeyName(DefaultOrigin(kIrene)).ok());
}

TEST_F(KeptCheckpointTest, NumberedEachExtendingTheOneBefore) {
  auto store = MemoryEventStore::Create();
  ASSERT_TRUE(store->log().keeps_checkpoints());
  EXPECT_EQ(store->log().LatestCheckpoint().value(), std::nullopt);
  const std::vector<Event> events = test::InterleavedEvents(2, 10, 1000);
  ASSERT_GE(events.size(), 20u);
  AppendTo(*store, std::vector<Event>(events.begin(), events.begin() + 7));
  StatusOr<KeptCheckpoint> first = SignAndKeep(*store);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->number, 0u);
  EXPECT_EQ(first->size, 7u);
  StatusOr<Checkpoint> opened = OpenCheckpoint(first->note, known);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->size, 7u);
  EXPECT_EQ(opened->chain, store->Head().value().chain);
  EXPECT_EQ(ParseKeptCheckpoint(*first).value(), *opened);

  AppendTo(*store, std::vector<Event>(events.begin() + 7, events.end()));
  StatusOr<KeptCheckpoint> second = SignAndKeep(*store);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->number, 1u);
  EXPECT_EQ(second->size, events.size());
  EXPECT_EQ(store->log().LatestCheckpoint().value(), *second);
  // The second extends the first: its consistency proof from the stored tree checks.
  StatusOr<ConsistencyProofFile> proof =
      ProveExtension(*opened, second->note, *store->log().tree());
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_TRUE(CheckConsistencyProofFile(proof->Encode(), *opened, known).ok());
  // At the same size again: allowed, a third checkpoint of the same tree.
  EXPECT_EQ(SignAndKeep(*store).value().number, 2u);
}

TEST_F(KeptCheckpointTest, ProvesRecordsAgainstTheLatestKept) {
  auto store = MemoryEventStore::Create();
  const std::vector<Event> events = test::InterleavedEvents(2, 10, 1000);
  AppendTo(*store, std::vector<Event>(events.begin(), events.begin() + 9));
  EXPECT_EQ(RequireLatestCheckpoint(store->log()).status(),
            Status::FailedPrecondition("the store keeps no checkpoint yet: run `statelog "
                                       "checkpoint --key-file FILE` first"));
  StatusOr<KeptCheckpoint> kept = SignAndKeep(*store);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  AppendTo(*store, std::vector<Event>(events.begin() + 9, events.end()));
  StatusOr<KeptCheckpoint> latest = RequireLatestCheckpoint(store->log());
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(*latest, *kept);
  for (Offset offset = 0; offset < 9; ++offset) {
    StatusOr<InclusionProofFile> file = ProveRecord(store->log(), offset, *latest);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_EQ(file->index, offset);
    EXPECT_EQ(file->extra, store->log().Read(offset).value().record.payload->Encode());
    EXPECT_EQ(file->checkpoint, kept->note);
    StatusOr<CheckedInclusion> checked = CheckInclusionProofFile(file->Encode(), known);
    ASSERT_TRUE(checked.ok()) << checked.status().ToString();
    EXPECT_EQ(checked->index, offset);
  }
  // An event appended after the checkpoint is not in it.
  EXPECT_EQ(ProveRecord(store->log(), 9, *latest).status(),
            Status::OutOfRange("offset 9 is not in the latest kept checkpoint, of 9 events: run "
                               "`statelog checkpoint` to sign a newer one"));
}

TEST_F(KeptCheckpointTest, RefusesWhatDoesNotExtendTheLatestKept) {
  const std::vector<Event> events = test::InterleavedEvents(2, 10, 1000);
  const std::vector<Event> others = test::InterleavedEvents(3, 10, 5000);
  auto store = MemoryEventStore::Create();
  AppendTo(*store, std::vector<Event>(events.begin(), events.begin() + 12));
  const KeptCheckpoint kept = SignAndKeep(*store).value();
  // Another history of the same node (a log rewritten after its checkpoint) holding that
  // checkpoint as its latest kept one: it must not sign its own tree.
  auto rewritten = MemoryEventStore::Create();
  AppendTo(*rewritten, std::vector<Event>(others.begin(), others.begin() + 15));
  ASSERT_TRUE(rewritten->log().KeepCheckpoint(kept).ok());
  Status refused = SignAndKeep(*rewritten).status();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_TRUE(refused.message().starts_with(
      "refusing to sign the checkpoint of size 15: it is not consistent with the checkpoint of "
      "size 12 signed before: "))
      << refused.ToString();
  EXPECT_EQ(rewritten->log().LatestCheckpoint().value(), kept);  // nothing kept
  // A checkpoint beyond the log's length is not kept.
  auto shorter = MemoryEventStore::Create();
  AppendTo(*shorter, std::vector<Event>(events.begin(), events.begin() + 5));
  EXPECT_TRUE(shorter->log().KeepCheckpoint(kept).IsInvalidArgument());
  // Another origin than the latest kept one's.
  std::vector<NoteSigner> other = {NoteSigner::Eip191("example.com/other", kIreneKey).value()};
  refused = SignAndKeepCheckpoint(store->log(), "example.com/other", other).status();
  EXPECT_EQ(refused.message(),
            "refusing to sign the checkpoint of size 12: the last checkpoint signed is of " +
                DefaultOrigin(kIrene) + ", not example.com/other");
}

TEST_F(KeptCheckpointTest, KeepIsConditionalOnTheNumber) {
  auto store = MemoryEventStore::Create();
  AppendTo(*store, test::InterleavedEvents(1, 4, 1000));
  const KeptCheckpoint kept = SignAndKeep(*store).value();
  KeptCheckpoint again = kept;
  EXPECT_TRUE(store->log().KeepCheckpoint(again).IsConflict());  // number 0 is taken
  again.number = 5;
  EXPECT_TRUE(store->log().KeepCheckpoint(again).IsConflict());  // not the next number
  again.number = 1;
  EXPECT_TRUE(store->log().KeepCheckpoint(again).ok());
}

TEST_F(KeptCheckpointTest, ConcurrentSignersKeepOneEach) {
  auto store = MemoryEventStore::Create();
  AppendTo(*store, test::InterleavedEvents(2, 6, 1000));
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = SignAndKeep(*store).status(); });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(store->log().LatestCheckpoint().value()->number, results.size() - 1);
}

TEST(ParseKeptCheckpointTest, NamesTheNumber) {
  KeptCheckpoint bad{3, 7, "not a note"};
  Status s = ParseKeptCheckpoint(bad).status();
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(s.message().starts_with("kept checkpoint 3: ")) << s.ToString();
}

}  // namespace
}  // namespace statelog::tlog
