// The upgrade of a format-1 store (statelog 0.1) at Open, through format 2 to the current one, on
// the committed fixture tests/fixtures/format1/rocksdb-store.tar.gz: every event, the head, the
// stream offsets and the snapshots read back unchanged, the marker says 3 and the Merkle tree is
// there, the store reopens and takes appends. An
// interrupted upgrade leaves a format-1 store and is redone at the next open.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/rocksdb_test_util.h"
#include "statelog/codec.h"
#include "statelog/tlog.h"
#include "store/test_events.h"

namespace statelog::test {
namespace {

namespace fmt = rocksdb_format;

constexpr const char* kFixtureDir = STATELOG_FIXTURES_DIR "/format1";
constexpr uint64_t kFixtureLength = 58;
constexpr const char* kFixtureChain =
    "0x509f386d9d4bfa2dd8eb84e912e0617b6a1d704ed73b44b6d168acb65bdb6f39";

// Extracts the format-1 store into `parent` and returns its directory.
std::string ExtractFormat1Store(const std::string& parent) {
  const std::string command =
      std::string("tar xzf '") + kFixtureDir + "/rocksdb-store.tar.gz' -C '" + parent + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return parent + "/rocks";
}

// The fixture's events, from its export.
std::vector<Event> ExportedEvents() {
  std::ifstream in(std::string(kFixtureDir) + "/rocksdb-export.jsonl");
  EXPECT_TRUE(in.good());
  std::vector<Event> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto event = DecodeEvent(line);
    EXPECT_TRUE(event.ok()) << "line " << out.size() + 1 << ": " << event.status().ToString();
    if (event.ok()) out.push_back(std::move(*event));
  }
  return out;
}

// Reads the format marker and counts the keys of each prefix byte, with RocksDB directly.
struct RawView {
  uint32_t version = 0;
  std::map<char, size_t> keys;
};

RawView ReadRaw(const std::string& dir) {
  RawView view;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::Options(), dir, &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return view;
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  s = db->Get(rocksdb::ReadOptions(), fmt::kFormatKey, &value);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (value.size() == fmt::kMagic.size() + 4) {
    for (size_t i = fmt::kMagic.size(); i < value.size(); ++i) {
      view.version = (view.version << 8) | static_cast<uint8_t>(value[i]);
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++view.keys[it->key()[0]];
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return view;
}

// Every channel's and objective's offsets below `before`, computed from `events`.
struct Offsets {
  std::map<ChannelId, std::vector<Offset>> channels;
  std::map<ObjectiveId, std::vector<Offset>> objectives;
};

Offsets ExpectedOffsets(const std::vector<Event>& events, Offset before) {
  Offsets out;
  for (Offset o = 0; o < events.size(); ++o) {
    const Event& e = events[o];
    if (const ChannelId* c = e.channel()) {
      auto& list = out.channels[*c];
      if (o < before) list.push_back(o);
    }
    if (const ObjectiveId* ob = e.objective()) {
      auto& list = out.objectives[*ob];
      if (o < before) list.push_back(o);
    }
  }
  return out;
}

void ExpectOffsets(const EventStore& store, const std::vector<Event>& events) {
  for (Offset before : {Offset{0}, Offset{17}, Offset{40}, kFixtureLength, Offset{1000}}) {
    SCOPED_TRACE("before " + std::to_string(before));
    const Offsets expected = ExpectedOffsets(events, before);
    for (const auto& [id, offsets] : expected.channels) {
      EXPECT_EQ(ValueOrFail(store.ChannelOffsets(id, before)), offsets) << id.ToHex();
    }
    for (const auto& [id, offsets] : expected.objectives) {
      EXPECT_EQ(ValueOrFail(store.ObjectiveOffsets(id, before)), offsets);
    }
  }
}

// Opens the upgraded store and checks everything against the export.
void ExpectFixtureContent(const EventStore& store, const std::vector<Event>& events) {
  const ChainHead head = HeadOf(store);
  EXPECT_EQ(head.length, kFixtureLength);
  EXPECT_EQ(head.chain.ToHex(), kFixtureChain);
  // The Merkle tree the upgrade computed is the tree of the stored events.
  EXPECT_TRUE(store.log().VerifyTree(head.length).ok());
  const std::vector<StoredEvent> log = CheckLog(store);
  ASSERT_EQ(log.size(), events.size());
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].event, events[i]) << "offset " << i;
    EXPECT_EQ(ValueOrFail(store.Find(events[i].id)), std::optional<Offset>(i));
  }
  ExpectOffsets(store, events);
}

TEST(RocksDbUpgradeTest, Format1StoreIsUpgradedAtOpen) {
  TempDir tmp;
  const std::string dir = ExtractFormat1Store(tmp.path());
  const std::vector<Event> events = ExportedEvents();
  ASSERT_EQ(events.size(), kFixtureLength);
  {
    const RawView before = ReadRaw(dir);
    ASSERT_EQ(before.version, 1u) << "the fixture is a format-1 store";
    ASSERT_GT(before.keys.count(fmt::kFormat1ChannelPrefix), 0u);
    ASSERT_EQ(before.keys.count(fmt::kStreamPrefix), 0u);
  }
  {
    auto store = RocksDbEventStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ExpectFixtureContent(**store, events);
    EXPECT_EQ(ValueOrFail((*store)->snapshots()->List()), (std::vector<uint64_t>{20, 40}));
    auto snapshot = (*store)->snapshots()->LatestAtOrBefore(39);
    ASSERT_TRUE(snapshot.ok() && snapshot->has_value()) << snapshot.status().ToString();
    EXPECT_EQ((*snapshot)->covers, 20u);
    EXPECT_EQ((*snapshot)->prefix_chain, CheckLog(**store)[19].chain);
  }
  const RawView after = ReadRaw(dir);
  EXPECT_EQ(after.version, RocksDbEventStore::kFormatVersion);
  EXPECT_EQ(after.version, 3u);
  EXPECT_EQ(after.keys.count(fmt::kFormat1ChannelPrefix), 0u) << "format-1 indexes are removed";
  EXPECT_EQ(after.keys.at(fmt::kTreePrefix), tlog::StoredHashCount(kFixtureLength));
  EXPECT_EQ(after.keys.count(fmt::kFormat1ObjectivePrefix), 0u);
  EXPECT_GT(after.keys.count(fmt::kStreamPrefix), 0u);
  EXPECT_EQ(after.keys.at(fmt::kRecordPrefix), kFixtureLength);
  EXPECT_EQ(after.keys.at(fmt::kIdPrefix), kFixtureLength);

  // Reopening finds a format-2 store with the same content; appends continue the log.
  auto store = RocksDbEventStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectFixtureContent(**store, events);
  EXPECT_EQ(ValueOrFail((*store)->snapshots()->List()), (std::vector<uint64_t>{20, 40}));

  // The upgraded index carries each stream's last timestamp: an event of a fixture channel
  // earlier than that channel's last event is refused, a later one is appended.
  Offset last = kFixtureLength;
  for (Offset o = 0; o < kFixtureLength; ++o) {
    if (events[o].channel()) last = o;
  }
  ASSERT_LT(last, kFixtureLength);
  const Event& tail = events[last];
  auto early = (*store)->Append(Event::Make(tail.timestamp - 1, tail.body));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition) << early.status().ToString();
  const Event later = Event::Make(tail.timestamp + 1, tail.body);
  auto appended = (*store)->Append(later);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(*appended, (AppendResult{kFixtureLength, true}));
  std::vector<Offset> channel_offsets =
      ExpectedOffsets(events, kFixtureLength).channels.at(*tail.channel());
  channel_offsets.push_back(kFixtureLength);
  EXPECT_EQ(ValueOrFail((*store)->ChannelOffsets(*tail.channel(), 1000)), channel_offsets);
  auto fresh = (*store)->Append(StateSignedEvent(7, 0, tail.timestamp));
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->offset, kFixtureLength + 1);
  EXPECT_EQ(ValueOrFail((*store)->ChannelOffsets(TestChannel(7), 1000)),
            (std::vector<Offset>{kFixtureLength + 1}));
  EXPECT_EQ(CheckLog(**store).size(), kFixtureLength + 2);
}

TEST(RocksDbUpgradeTest, InterruptedUpgradeLeavesFormat1AndIsRedone) {
  TempDir tmp;
  const std::string dir = ExtractFormat1Store(tmp.path());
  const std::vector<Event> events = ExportedEvents();
  rocksdb_internal::TestHooks hooks;
  hooks.interrupt_upgrade = true;
  auto interrupted = rocksdb_internal::OpenWithHooks(dir, {}, hooks);
  ASSERT_FALSE(interrupted.ok());
  EXPECT_EQ(interrupted.status().code(), StatusCode::kAborted) << interrupted.status().ToString();
  {
    // Still format 1 with its indexes; the new index entries written so far are ignored.
    const RawView raw = ReadRaw(dir);
    EXPECT_EQ(raw.version, 1u);
    EXPECT_GT(raw.keys.count(fmt::kFormat1ChannelPrefix), 0u);
    EXPECT_GT(raw.keys.count(fmt::kStreamPrefix), 0u);
  }
  auto store = RocksDbEventStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectFixtureContent(**store, events);
  store->reset();
  const RawView raw = ReadRaw(dir);
  EXPECT_EQ(raw.version, 3u);
  EXPECT_EQ(raw.keys.count(fmt::kFormat1ChannelPrefix), 0u);
}

TEST(RocksDbUpgradeTest, ReadOnlyOpenRefusesToUpgradeAndChangesNothing) {
  TempDir tmp;
  const std::string dir = ExtractFormat1Store(tmp.path());
  RocksDbOptions read_only;
  read_only.read_only = true;
  auto store = RocksDbEventStore::Open(dir, read_only);
  ASSERT_EQ(store.status().code(), StatusCode::kFailedPrecondition) << store.status().ToString();
  EXPECT_EQ(store.status().message(),
            dir +
                ": format version 1 must be upgraded, which a read-only open cannot do: open the "
                "store for writing once");
  EXPECT_EQ(ReadRaw(dir).version, 1u);
  // Control: a writable open upgrades it, and then a read-only open works.
  ASSERT_TRUE(RocksDbEventStore::Open(dir).ok());
  auto reader = RocksDbEventStore::Open(dir, read_only);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ExpectFixtureContent(**reader, ExportedEvents());
}

TEST(RocksDbUpgradeTest, UpgradeStopsAtAnUndecodableRecordAndChangesNothing) {
  TempDir tmp;
  const std::string dir = ExtractFormat1Store(tmp.path());
  {
    // Replace the payload of offset 5 by bytes that are not an event (same chain value).
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), fmt::RecordKey(5), &value).ok());
    value.resize(32);
    value += "{\"not\":\"an event\"}";
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), fmt::RecordKey(5), value).ok());
  }
  auto store = RocksDbEventStore::Open(dir);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
  EXPECT_NE(store.status().message().find("offset 5"), std::string_view::npos)
      << store.status().ToString();
  const RawView raw = ReadRaw(dir);
  EXPECT_EQ(raw.version, 1u);
  EXPECT_GT(raw.keys.count(fmt::kFormat1ChannelPrefix), 0u);
}

}  // namespace
}  // namespace statelog::test
