// Snapshots are only a cache: snapshot + tail equals a full fold, and deleting them changes
// nothing. A snapshot that does not match the log is refused.
#include "statelog/snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>

#include "crypto/crc32c.h"
#include "fold/snapshot_manager.h"
#include "fold_test_util.h"
#include "statelog/keccak.h"
#include "statelog/ledger.h"
#include "statelog/reconstruct.h"

namespace statelog {
namespace {

TEST(SnapshotCodecTest, RoundTripsAFullView) {
  auto store = MemoryEventStore::Create();
  testing::AppendAll(*store, testing::RandomHistory(4, 11));
  auto view = Reconstructor(store.get()).View();
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->channels.size(), 4u);
  Hash256 chain = store->Head()->chain;
  std::string data = EncodeNodeView(*view, chain);
  Hash256 back_chain;
  auto back = DecodeNodeView(data, &back_chain);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *view);
  EXPECT_EQ(back_chain, chain);
  EXPECT_EQ(EncodeNodeView(*back, chain), data) << "the encoding is canonical";
}

TEST(SnapshotCodecTest, Crc32cIsTheCastagnoliChecksum) {
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);  // the standard check value
  EXPECT_EQ(Crc32c(""), 0u);
}

// Re-seals `data` (format 2) after its body was edited: the checksum over everything before it.
std::string Reseal(std::string data) {
  data.resize(data.size() - 4);
  uint32_t crc = Crc32c(data);
  for (int i = 0; i < 4; ++i) data.push_back(static_cast<char>(crc >> (8 * i)));
  return data;
}

TEST(SnapshotCodecTest, RejectsDamage) {
  NodeView empty;
  std::string data = EncodeNodeView(empty, Hash256{});
  // magic (8), format (1), prefix chain (32), length (1), identity (the rule set's name, 11, and
  // an absent node, 1), objective and channel counts (1 each), CRC.
  ASSERT_EQ(data.size(), 8u + 1 + 32 + 1 + 12 + 2 + 4);
  EXPECT_EQ(data.substr(0, 8), std::string_view("\x89SLSNAP\n", 8));
  Hash256 chain;
  EXPECT_TRUE(DecodeNodeView(data, &chain).ok());
  std::string newer = data;
  newer[8] = 4;
  EXPECT_EQ(DecodeNodeView(newer, &chain).status().ToString(),
            "NotSupported: snapshot format 4 is newer than this statelog (3)");
  std::string one = data;
  one[8] = 1;
  EXPECT_EQ(DecodeNodeView(one, &chain).status().ToString(),
            "InvalidArgument: snapshot: binary snapshots are format 3, this one says 1");
  for (size_t n = 0; n < data.size(); ++n) {
    EXPECT_FALSE(DecodeNodeView(data.substr(0, n), &chain).ok()) << n;
  }
  std::string flipped = data;
  flipped[20] ^= 1;
  EXPECT_EQ(
      DecodeNodeView(flipped, &chain).status().message(),
      "snapshot: checksum 0x" +
          [&] {
            char buf[9];
            std::snprintf(buf, sizeof(buf), "%08x", Crc32c(data.substr(0, data.size() - 4)));
            return std::string(buf);
          }() +
          ", the data's is 0x" +
          [&] {
            char buf[9];
            std::snprintf(buf, sizeof(buf), "%08x", Crc32c(flipped.substr(0, flipped.size() - 4)));
            return std::string(buf);
          }());
  // Sealed but malformed: the error names the byte and the field.
  std::string trailing = data;
  trailing.insert(trailing.size() - 4, 1, '\0');
  EXPECT_EQ(DecodeNodeView(Reseal(trailing), &chain).status().message(),
            "snapshot: at byte 56: trailing bytes");
  std::string cut = data.substr(0, 41) + data.substr(data.size() - 4);
  EXPECT_EQ(DecodeNodeView(Reseal(cut), &chain).status().message(),
            "snapshot: at byte 41 (view.length): truncated");
  std::string overlong = data;
  overlong.replace(41, 1, "\x80\x00", 2);  // length 0 in two bytes
  EXPECT_EQ(DecodeNodeView(Reseal(overlong), &chain).status().message(),
            "snapshot: at byte 43 (view.length): integer with a redundant byte");
  EXPECT_EQ(DecodeNodeView("[1]", &chain).status().message(),
            "snapshot: neither binary (formats 2 and 3, begin with 0x89 \"SLSNAP\") nor format 1 "
            "(JSON)");
}

// Every byte of a snapshot is covered: flipping any bit of it is refused, never read as another
// view.
TEST(SnapshotCodecTest, RefusesABitFlipAtEveryOffset) {
  auto store = MemoryEventStore::Create();
  testing::AppendAll(*store, testing::RandomHistory(3, 12));
  auto view = Reconstructor(store.get()).View();
  ASSERT_TRUE(view.ok());
  std::string data = EncodeNodeView(*view, store->Head()->chain);
  Hash256 chain;
  for (size_t i = 0; i < data.size(); ++i) {
    std::string bad = data;
    bad[i] ^= static_cast<char>(1 << (i % 8));
    EXPECT_FALSE(DecodeNodeView(bad, &chain).ok()) << "offset " << i;
  }
}

// Format 1 (canonical JSON, every signed turn) is still read; its superseded turns are dropped,
// as the fold drops them.
TEST(SnapshotCodecTest, ReadsFormat1AndDropsSupersededTurns) {
  const std::string state0 =
      R"({"state":{"app_data":"0x","outcome":[],"turn_num":0,"is_final":false},)"
      R"("state_hash":"0x)" +
      std::string(64, '1') + R"(","signatures":[]})";
  const std::string state1 =
      R"({"state":{"app_data":"0x","outcome":[],"turn_num":1,"is_final":false},)"
      R"("state_hash":"0x)" +
      std::string(64, '2') + R"(","signatures":[]})";
  const std::string id = "0x" + std::string(64, 'c');
  const std::string doc =
      R"({"format":1,"prefix_chain":"0x)" + std::string(64, '0') +
      R"(","view":{"length":3,)"
      R"("objectives":[],"channels":[[")" +
      id + R"(",{"id":")" + id +
      R"(","fixed":)"
      R"({"participants":["0x)" +
      std::string(40, 'a') +
      R"("],"channel_nonce":1,)"
      R"("app_definition":"0x)" +
      std::string(40, '0') +
      R"(","challenge_duration":60},)"
      R"("states":[[0,)" +
      state0 + "],[1," + state1 +
      R"(]],"latest_supported":1,)"
      R"("holdings":[],"challenge":"None","challenge_turn":0,"challenge_finalizes_at":0,)"
      R"("concluded":false,"finalized_at":0,"paid":"0","received":"0","event_count":3,)"
      R"("first_offset":0,"last_offset":2}]]}})";
  Hash256 chain;
  auto view = DecodeNodeView(doc, &chain);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_EQ(view->channels.size(), 1u);
  const ChannelState& c = view->channels.begin()->second;
  EXPECT_EQ(c.latest_supported, 1u);
  ASSERT_EQ(c.states.size(), 1u);
  EXPECT_EQ(c.states.begin()->first, 1u);
  std::string newer = doc;
  newer.replace(newer.find("\"format\":1"), 10, "\"format\":4");
  EXPECT_EQ(DecodeNodeView(newer, &chain).status().ToString(),
            "NotSupported: snapshot format 4 is newer than this statelog (3)");
  std::string two = doc;
  two.replace(two.find("\"format\":1"), 10, "\"format\":2");
  EXPECT_EQ(DecodeNodeView(two, &chain).status().ToString(),
            "InvalidArgument: snapshot: JSON snapshots are format 1, this one says 2");
  std::string extra = doc;
  extra.insert(extra.size() - 1, ",\"x\":1");
  EXPECT_EQ(DecodeNodeView(extra, &chain).status().message(), "snapshot: unknown field \"x\"");
}

// fuzz/corpus-snapshot/one-channel was written from the format's documentation alone
// (fuzz/make_snapshot_seeds.py): statelog decodes it to the view it describes and encodes that
// view to the same bytes.
TEST(SnapshotCodecTest, MatchesAnEncodingWrittenFromTheSpec) {
  std::ifstream in(std::string(STATELOG_SNAPSHOT_SEEDS) + "/one-channel", std::ios::binary);
  std::string seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(seed.size(), 1u);
  std::string data = Reseal(std::string("\x89SLSNAP\n\x02", 9) + seed.substr(1) + "0000");
  Hash256 chain;
  auto view = DecodeNodeView(data, &chain);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  std::string tens;
  for (int i = 0; i < 32; ++i) tens += "0a";
  EXPECT_EQ(chain.ToHex(), "0x" + tens);
  EXPECT_EQ(view->length, 10u);
  ASSERT_EQ(view->objectives.size(), 1u);
  const ObjectiveState& o = view->objectives.begin()->second;
  EXPECT_EQ(o.id.kind, ObjectiveKind::kDirectFunding);
  EXPECT_EQ(o.status, ObjectiveStatus::kApproved);
  EXPECT_EQ(o.waiting_for, ObjectiveStep::kMyTurnToFund);
  EXPECT_EQ(o.last_offset, 9u);
  ASSERT_EQ(view->channels.size(), 1u);
  const ChannelState& c = view->channels.begin()->second;
  EXPECT_EQ(c.fixed.participants.size(), 2u);
  EXPECT_EQ(c.fixed.channel_nonce, 42u);
  EXPECT_EQ(c.fixed.challenge_duration, 3600u);
  ASSERT_EQ(c.states.size(), 1u);
  const KnownState& k = c.states.at(1);
  ASSERT_EQ(k.state.outcome.size(), 1u);
  ASSERT_EQ(k.state.outcome[0].allocations.size(), 2u);
  EXPECT_EQ(k.state.outcome[0].allocations[0].amount, Uint256(60));
  EXPECT_EQ(k.signatures.size(), 2u);
  EXPECT_EQ(c.latest_supported, 1u);
  EXPECT_EQ(c.holdings.at(Address{}), Uint256(100));
  EXPECT_EQ(c.received, Uint256(5));
  EXPECT_EQ(c.last_offset, 8u);
  // Format 2 carries none of rule set 2's fields: the view keeps their defaults, which is what a
  // log of rule set statelog-1 (the only logs format 2 was written for) folds to.
  EXPECT_EQ(view->identity, LogIdentity{});
  EXPECT_FALSE(c.prefund_outcome.has_value());
  EXPECT_EQ(c.last_block, 0u);
  // Written again, it is format 3, and reads back as the same view.
  std::string again = EncodeNodeView(*view, chain);
  EXPECT_EQ(again[8], 3);
  Hash256 again_chain;
  auto reread = DecodeNodeView(again, &again_chain);
  ASSERT_TRUE(reread.ok()) << reread.status().ToString();
  EXPECT_EQ(*reread, *view);
}

// fuzz/corpus-snapshot/one-channel-format3, also written from the documentation alone, is the
// same channel in format 3: a log of node 0x11.. under nitro-2, the channel's prefund outcome
// recorded and its latest chain event at block 12. It decodes to that view and encodes back to
// the same bytes.
TEST(SnapshotCodecTest, MatchesAFormat3EncodingWrittenFromTheSpec) {
  std::ifstream in(std::string(STATELOG_SNAPSHOT_SEEDS) + "/one-channel-format3", std::ios::binary);
  std::string seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(seed.size(), 1u);
  std::string data = Reseal(std::string("\x89SLSNAP\n\x03", 9) + seed.substr(1) + "0000");
  Hash256 chain;
  auto view = DecodeNodeView(data, &chain);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->identity.rules, RuleSet::kNitro2);
  ASSERT_TRUE(view->identity.node.has_value());
  EXPECT_EQ(view->identity.node->ToHex(), "0x" + std::string(40, '1'));
  ASSERT_EQ(view->channels.size(), 1u);
  const ChannelState& c = view->channels.begin()->second;
  ASSERT_TRUE(c.prefund_outcome.has_value());
  ASSERT_EQ(c.prefund_outcome->size(), 1u);
  EXPECT_EQ((*c.prefund_outcome)[0].allocations.at(1).amount, Uint256(40));
  EXPECT_EQ(c.last_block, 12u);
  EXPECT_EQ(c.received, Uint256(5));
  EXPECT_EQ(c.last_offset, 8u);
  EXPECT_EQ(EncodeNodeView(*view, chain), data);
}

// Format 3 carries the log's identity and the fields of rule set 2 (a log of node 0x11.. whose
// channel recorded its prefund outcome and a chain event of block 9).
TEST(SnapshotCodecTest, Format3CarriesTheRuleSetTwoFields) {
  NodeView view;
  view.length = 4;
  view.identity = {RuleSet::kNitro2, Address::FromHex("0x" + std::string(40, '1')).value()};
  ChannelState c;
  c.id = Hash256::FromHex("0x" + std::string(64, 'c')).value();
  c.fixed.participants = {*view.identity.node};
  c.prefund_outcome = Exit{SingleAssetExit{}};
  c.last_block = 9;
  view.channels.emplace(c.id, c);
  Hash256 chain;
  std::string data = EncodeNodeView(view, chain);
  auto back = DecodeNodeView(data, &chain);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, view);
  EXPECT_NE(data.find("nitro-2"), std::string::npos);
}

TEST(SnapshotTest, LedgerSnapshotsEveryNEventsAndRecordsThem) {
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  auto ledger = Ledger::Open(store.get(), snaps.get(), {.snapshots = {.interval = 20}});
  ASSERT_TRUE(ledger.ok());
  for (const Event& e : testing::RandomHistory(5, 21)) ASSERT_TRUE((*ledger)->Append(e).ok());
  EXPECT_TRUE((*ledger)->snapshot_status().ok());
  std::vector<uint64_t> covers = snaps->List().value();
  ASSERT_GE(covers.size(), 4u);
  for (uint64_t c : covers) {
    auto snap = snaps->LatestAtOrBefore(c);
    ASSERT_TRUE(snap.ok() && snap->has_value());
    EXPECT_TRUE(SnapshotManager(store.get(), snaps.get()).Check(**snap).ok());
    // The snapshot_created event right after it records the snapshot's digest.
    auto e = store->Read(c);
    ASSERT_TRUE(e.ok());
    const auto* created = std::get_if<events::SnapshotCreated>(&e->event.body);
    ASSERT_NE(created, nullptr) << "offset " << c;
    EXPECT_EQ(created->covers, c);
    EXPECT_EQ(created->snapshot_digest, Keccak256((*snap)->data));
    EXPECT_EQ(created->prefix_chain, (*snap)->prefix_chain);
  }
}

// The randomized check of the issue: for random logs and random offsets, snapshot + tail equals
// a full fold, and deleting every snapshot changes no answer.
TEST(SnapshotTest, SnapshotPlusTailEqualsFullFold) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 6; ++round) {
    auto store = MemoryEventStore::Create();
    auto snaps = SnapshotStore::NewMemory();
    uint64_t interval = 5 + rng() % 30;
    auto ledger = Ledger::Open(store.get(), snaps.get(), {.snapshots = {.interval = interval}});
    ASSERT_TRUE(ledger.ok());
    for (const Event& e : testing::RandomHistory(2 + round, 100 + round)) {
      ASSERT_TRUE((*ledger)->Append(e).ok());
    }
    ASSERT_FALSE(snaps->List()->empty());
    SnapshotManager manager(store.get(), snaps.get());
    Reconstructor with(store.get(), &manager), without(store.get());
    std::vector<std::pair<Offset, NodeView>> answers;
    for (int probe = 0; probe < 25; ++probe) {
      Offset at = rng() % *store->Length();
      auto a = with.View(at);
      auto b = without.FullFold(at + 1);
      ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
      EXPECT_EQ(*a, *b) << "round " << round << " offset " << at;
      answers.emplace_back(at, *a);
    }
    const std::vector<uint64_t> listed = snaps->List().value();
    for (uint64_t c : listed) ASSERT_TRUE(snaps->Delete(c).ok());
    for (const auto& [at, view] : answers) EXPECT_EQ(*with.View(at), view);
  }
}

// The covers of every snapshot_created event in the log, oldest first.
std::vector<uint64_t> LoggedCovers(const EventStore& store) {
  std::vector<uint64_t> out;
  for (Offset o = 0; o < *store.Length(); ++o) {
    auto e = store.Read(o);
    if (const auto* c = std::get_if<events::SnapshotCreated>(&e->event.body)) {
      out.push_back(c->covers);
    }
  }
  return out;
}

TEST(SnapshotTest, KeepsTheNewestSnapshotsAndFoldsOlderReadsWithoutThem) {
  for (uint64_t keep : {uint64_t{0}, uint64_t{1}, uint64_t{3}}) {
    auto store = MemoryEventStore::Create();
    auto snaps = SnapshotStore::NewMemory();
    auto ledger =
        Ledger::Open(store.get(), snaps.get(), {.snapshots = {.interval = 10, .keep = keep}});
    ASSERT_TRUE(ledger.ok());
    for (const Event& e : testing::RandomHistory(4, 31)) ASSERT_TRUE((*ledger)->Append(e).ok());
    EXPECT_TRUE((*ledger)->snapshot_status().ok()) << (*ledger)->snapshot_status().ToString();
    const std::vector<uint64_t> logged = LoggedCovers(*store);
    ASSERT_GT(logged.size(), 4u) << "the history is too short to show retention";
    // keep 0 (the control): every snapshot the log records is stored; otherwise the newest keep.
    const size_t kept = keep == 0 ? logged.size() : keep;
    std::vector<uint64_t> listed = snaps->List().value();
    std::sort(listed.begin(), listed.end());
    EXPECT_EQ(listed, std::vector<uint64_t>(logged.end() - kept, logged.end())) << "keep " << keep;
    // A read before the oldest kept snapshot folds without it, and equals the full fold.
    SnapshotManager manager(store.get(), snaps.get());
    Reconstructor with(store.get(), &manager), without(store.get());
    for (Offset at : {logged.front(), logged.front() + 3, listed.front() - 1, listed.front()}) {
      auto a = with.View(at);
      auto b = without.FullFold(at + 1);
      ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
      EXPECT_EQ(*a, *b) << "keep " << keep << " offset " << at;
    }
  }
}

TEST(SnapshotTest, MismatchedSnapshotIsRefused) {
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  testing::AppendAll(*store, testing::RandomHistory(2, 8));
  SnapshotManager manager(store.get(), snaps.get());
  auto view = Reconstructor(store.get()).FullFold(10);
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(manager.Create(*view, 1).ok());
  auto good = snaps->LatestAtOrBefore(10);
  ASSERT_TRUE(good.ok() && good->has_value());
  EXPECT_TRUE(manager.Check(**good).ok());

  // A snapshot claiming a prefix the log does not have.
  Snapshot forged = **good;
  forged.prefix_chain.bytes[0] ^= 1;
  ASSERT_TRUE(snaps->Put(forged).ok());
  auto restored = manager.LatestView(*store->Length());
  ASSERT_FALSE(restored.ok());
  EXPECT_TRUE(restored.status().IsCorruption());
  EXPECT_NE(restored.status().message().find("snapshot covering 10 events does not match the log"),
            std::string_view::npos);
  // A refused snapshot is only a cache miss: the view is folded from the log and stays right,
  // and the refusal is reported.
  auto full = Reconstructor(store.get()).FullFold(*store->Length());
  auto via_snapshots = Reconstructor(store.get(), &manager).View();
  ASSERT_TRUE(via_snapshots.ok()) << via_snapshots.status().ToString();
  EXPECT_EQ(*via_snapshots, *full);
  EXPECT_TRUE(manager.last_refusal().IsCorruption());
  auto ledger = Ledger::Open(store.get(), snaps.get());
  ASSERT_TRUE(ledger.ok()) << "a bad snapshot must not block the store";
  EXPECT_TRUE((*ledger)->snapshot_status().IsCorruption());
  EXPECT_EQ(*(*ledger)->View(), *full);

  // A snapshot whose data was altered (a channel's holdings) without changing its header.
  Snapshot altered = **good;
  Hash256 chain;
  NodeView v = *DecodeNodeView(altered.data, &chain);
  v.length = 9;
  altered.data = EncodeNodeView(v, chain);
  ASSERT_TRUE(snaps->Put(altered).ok());
  EXPECT_EQ(manager.Check(altered).message(),
            "snapshot covering 10 events: its data does not match its header");
  // Longer than the log.
  Snapshot too_long = **good;
  too_long.covers = *store->Length() + 5;
  EXPECT_TRUE(manager.Check(too_long).IsCorruption());
}

}  // namespace
}  // namespace statelog
