// `statelog verify`'s engine: changing, deleting, inserting or reordering any single event of a
// stored log is detected at the right offset; so are forged signatures and bad snapshots.
#include "statelog/verify.h"

#include <gtest/gtest.h>

#include "fold_test_util.h"
#include "statelog/keccak.h"
#include "statelog/ledger.h"
#include "statelog/snapshot.h"

namespace statelog {
namespace {

using testing::Chained;
using testing::VectorStore;

std::vector<StoredEvent> GoodLog() {
  static const std::vector<StoredEvent> log = Chained(testing::RandomHistory(3, 42, 2));
  return log;
}

// Re-chains events [from, end) after an edit, as an attacker who recomputes the chain would.
void Rechain(std::vector<StoredEvent>& log, size_t from) {
  for (size_t i = from; i < log.size(); ++i) {
    log[i].offset = i;
    log[i].chain = NextChain(i == 0 ? Hash256{} : log[i - 1].chain, log[i].event.id);
  }
}

VerifyReport Verify(std::vector<StoredEvent> log, VerifyOptions options = {}) {
  VectorStore store(std::move(log));
  return VerifyLog(store, options);
}

TEST(VerifyTest, GoodLogVerifiesOnAnyThreadCount) {
  for (unsigned threads : {1u, 2u, 8u}) {
    VerifyReport r = Verify(GoodLog(), {.threads = threads});
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_FALSE(r.first_bad_offset.has_value());
    EXPECT_EQ(r.events, GoodLog().size());
    EXPECT_GT(r.signatures, 10u);
    EXPECT_EQ(r.head.chain, GoodLog().back().chain);
  }
}

TEST(VerifyTest, DetectsEverySingleEventChange) {
  const auto good = GoodLog();
  for (size_t i = 0; i < good.size(); ++i) {
    // Content changed, id kept: the id no longer matches.
    auto log = good;
    log[i].event.timestamp += 1;
    VerifyReport r = Verify(log);
    ASSERT_EQ(r.first_bad_offset, i) << r.status.ToString();
    EXPECT_NE(r.status.message().find("the id does not match the content"), std::string::npos);
    // Content and id changed, chain kept: the chain no longer follows.
    log[i].event.id = ComputeEventId(log[i].event.timestamp, log[i].event.body);
    r = Verify(log);
    ASSERT_EQ(r.first_bad_offset, i);
    EXPECT_NE(r.status.message().find("chain value does not follow"), std::string::npos);
  }
}

TEST(VerifyTest, DetectsDeletionInsertionAndReordering) {
  const auto good = GoodLog();
  for (size_t i = 0; i + 1 < good.size(); i += 3) {
    auto deleted = good;
    deleted.erase(deleted.begin() + i);
    for (size_t k = i; k < deleted.size(); ++k) deleted[k].offset = k;
    EXPECT_EQ(Verify(deleted).first_bad_offset, i) << "delete " << i;

    auto inserted = good;
    inserted.insert(inserted.begin() + i, good[(i + 5) % good.size()]);
    for (size_t k = i; k < inserted.size(); ++k) inserted[k].offset = k;
    EXPECT_EQ(Verify(inserted).first_bad_offset, i) << "insert " << i;

    auto swapped = good;
    std::swap(swapped[i].event, swapped[i + 1].event);
    std::swap(swapped[i].chain, swapped[i + 1].chain);
    EXPECT_EQ(Verify(swapped).first_bad_offset, i) << "swap " << i;
  }
}

TEST(VerifyTest, ConsistentRewriteIsCaughtOnlyByATrustedHead) {
  const auto good = GoodLog();
  ChainHead trusted{good.size(), good.back().chain};
  // Dropping the last event leaves a consistent prefix.
  auto truncated = good;
  truncated.pop_back();
  EXPECT_TRUE(Verify(truncated).status.ok());
  VerifyReport r = Verify(truncated, {.trusted_head = trusted});
  EXPECT_EQ(r.first_bad_offset, truncated.size());
  // Reordering two events of different channels and re-chaining everything after them keeps the
  // log internally consistent (and legal), but not equal to the trusted head.
  auto rewritten = good;
  size_t i = 0;
  while (i + 1 < rewritten.size() &&
         (rewritten[i].event.channel() == nullptr || rewritten[i + 1].event.channel() == nullptr ||
          *rewritten[i].event.channel() == *rewritten[i + 1].event.channel())) {
    ++i;
  }
  ASSERT_LT(i + 1, rewritten.size());
  std::swap(rewritten[i].event, rewritten[i + 1].event);
  Rechain(rewritten, i);
  EXPECT_TRUE(Verify(rewritten).status.ok());
  r = Verify(rewritten, {.trusted_head = trusted});
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("the history was rewritten"), std::string::npos);
  // The trusted head of an earlier, shorter log still verifies a log that grew.
  ChainHead earlier{10, good[9].chain};
  EXPECT_TRUE(Verify(good, {.trusted_head = earlier}).status.ok());
  EXPECT_FALSE(Verify(good, {.trusted_head = earlier, .allow_growth = false}).status.ok());
}

TEST(VerifyTest, DetectsAForgedSignatureEvenWhenIdsAndChainAreRecomputed) {
  auto log = GoodLog();
  size_t i = 0;
  while (log[i].event.type() != EventType::kStateReceived) ++i;
  auto body = std::get<events::StateReceived>(log[i].event.body);
  body.signature.bytes[5] ^= 0x40;
  log[i].event = Event::Make(log[i].event.timestamp, body);
  Rechain(log, i);
  VerifyReport r = Verify(log);
  EXPECT_EQ(r.first_bad_offset, i);
  EXPECT_NE(r.status.message().find("signature"), std::string::npos) << r.status.ToString();
}

TEST(VerifyTest, DetectsIllegalHistoryWithValidChain) {
  auto log = GoodLog();
  // Move a channel's first event (channel_created) to the end: everything stays signed and
  // chained, but the channel's states now come before it exists.
  size_t i = 0;
  while (log[i].event.type() != EventType::kChannelCreated) ++i;
  StoredEvent created = log[i];
  log.erase(log.begin() + i);
  log.push_back(created);
  Rechain(log, i);
  VerifyReport r = Verify(log);
  ASSERT_TRUE(r.first_bad_offset.has_value());
  EXPECT_GE(*r.first_bad_offset, i);
  EXPECT_NE(r.status.message().find("does not exist"), std::string::npos) << r.status.ToString();
}

// The fold runs beside the per-event checks over the chunks they hand it: in a log of many chunks,
// whichever failure comes first in the log is reported, on any thread count; at one offset a
// failed per-event check comes before the fold's error there.
TEST(VerifyTest, FirstFailureOfEitherKindOnAnyThreadCount) {
  static const std::vector<StoredEvent> big = Chained(testing::RandomHistory(40, 9, 2));
  ASSERT_GT(big.size(), 800u);
  // `illegal`: a second channel_created of the first channel (re-chained: only the fold sees it).
  const size_t illegal = big.size() - 100, forged = big.size() / 2;
  auto make_illegal = [&](std::vector<StoredEvent>& log, size_t at) {
    size_t first_created = 0;
    while (log[first_created].event.type() != EventType::kChannelCreated) ++first_created;
    log[at].event = log[first_created].event;
    Rechain(log, at);
  };
  auto make_forged = [&](std::vector<StoredEvent>& log, size_t at) {
    while (log[at].event.type() != EventType::kStateReceived &&
           log[at].event.type() != EventType::kStateSigned) {
      ++at;
    }
    log[at].event.timestamp += 1;  // the id no longer matches
    return at;
  };
  for (unsigned threads : {1u, 2u, 8u}) {
    SCOPED_TRACE(threads);
    auto only_illegal = big;
    make_illegal(only_illegal, illegal);
    VerifyReport r = Verify(only_illegal, {.threads = threads});
    EXPECT_EQ(r.first_bad_offset, illegal) << r.status.ToString();
    EXPECT_NE(r.status.message().find("already exists"), std::string::npos) << r.status.ToString();

    auto both = only_illegal;
    const size_t bad_id = make_forged(both, forged);
    ASSERT_LT(bad_id, illegal);
    r = Verify(both, {.threads = threads});
    EXPECT_EQ(r.first_bad_offset, bad_id) << r.status.ToString();
    EXPECT_NE(r.status.message().find("the id does not match"), std::string::npos)
        << r.status.ToString();

    // Both kinds at one offset: the re-chained illegal event with its id broken too.
    auto same = only_illegal;
    same[illegal].event.timestamp += 1;
    r = Verify(same, {.threads = threads});
    EXPECT_EQ(r.first_bad_offset, illegal) << r.status.ToString();
    EXPECT_NE(r.status.message().find("the id does not match"), std::string::npos)
        << r.status.ToString();
  }
}

TEST(VerifyTest, ChecksSnapshotsAgainstTheLogAndTheFold) {
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  auto ledger = Ledger::Open(store.get(), snaps.get(), {.snapshots = {.interval = 10}});
  ASSERT_TRUE(ledger.ok());
  for (const Event& e : testing::RandomHistory(3, 9)) ASSERT_TRUE((*ledger)->Append(e).ok());
  VerifyReport r = VerifyLog(*store, {.snapshots = snaps.get()});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GE(r.snapshots, 3u);

  // A snapshot whose view differs from the fold (same header, altered holdings).
  uint64_t covers = snaps->List().value()[1];
  Snapshot s = *snaps->LatestAtOrBefore(covers).value();
  Hash256 chain;
  NodeView v = *DecodeNodeView(s.data, &chain);
  ASSERT_FALSE(v.channels.empty());
  v.channels.begin()->second.paid = Uint256(999);
  s.data = EncodeNodeView(v, chain);
  ASSERT_TRUE(snaps->Put(s).ok());
  r = VerifyLog(*store, {.snapshots = snaps.get()});
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(r.first_bad_offset, covers - 1);
  EXPECT_NE(r.status.message().find("differs from the fold"), std::string::npos)
      << r.status.ToString();
}

}  // namespace
}  // namespace statelog
