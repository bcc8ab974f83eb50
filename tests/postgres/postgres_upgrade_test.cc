// Schema versions: a log written by statelog 0.1 (schema version 1, the committed dump
// tests/fixtures/format1/postgres-schema.sql) is upgraded in place by Open and reads back
// unchanged; an upgrade that fails changes nothing; concurrent Opens of an old schema agree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "postgres/pg_admin.h"
#include "statelog/codec.h"
#include "statelog/postgres_store.h"
#include "statelog/tlog.h"
#include "store/postgres_factory.h"

namespace statelog::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kFixtureHead =
    "58:0xc1cb318a7e2c8df0f61c8ad108a08e7c41fa467a7cfeffbf8dcd046c15d5d40a";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at)) {
    text->replace(at, from.size(), to);
    at += to.size();
  }
}

// Loads the format-1 dump into a new schema named `schema` (the dump's "statelog" renamed), with
// psql as an operator would restore it.
void LoadFormat1Schema(const std::string& schema) {
  std::string sql = ReadFile(STATELOG_FIXTURES_DIR "/postgres-schema.sql");
  ASSERT_FALSE(sql.empty()) << "cannot read the fixture";
  ReplaceAll(&sql, "SCHEMA statelog;", "SCHEMA " + schema + ";");
  ReplaceAll(&sql, "statelog.", schema + ".");
  char path[] = "/tmp/statelog-pg-dump-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, sql.data(), sql.size()), static_cast<ssize_t>(sql.size()));
  close(fd);
  const std::string cmd = std::string(STATELOG_PSQL) + " -X -q -v ON_ERROR_STOP=1 -d '" +
                          PostgresConninfo() + "' -f " + path + " >/dev/null";
  const int rc = std::system(cmd.c_str());
  std::remove(path);
  ASSERT_EQ(rc, 0) << cmd;
}

std::vector<Event> ExportedEvents() {
  std::vector<Event> events;
  std::istringstream lines(ReadFile(STATELOG_FIXTURES_DIR "/postgres-export.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    auto e = DecodeEvent(line);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (e.ok()) events.push_back(*e);
  }
  return events;
}

std::string HeadText(const ChainHead& head) {
  return std::to_string(head.length) + ":" + head.chain.ToHex();
}

std::string SchemaVersion(const std::string& schema) {
  const auto rows = Admin("SELECT value FROM " + schema + ".meta WHERE key = 'schema_version'");
  return rows.size() == 1 ? rows[0] : "(none)";
}

std::vector<std::string> EventColumns(const std::string& schema) {
  return Admin("SELECT column_name FROM information_schema.columns WHERE table_schema = '" +
               schema + "' AND table_name = 'events' ORDER BY ordinal_position");
}

TEST(PostgresUpgradeTest, Format1SchemaIsUpgradedAndReadsBackUnchanged) {
  const std::string schema = FreshPostgresSchema("v1");
  LoadFormat1Schema(schema);
  ASSERT_EQ(SchemaVersion(schema), "1");
  const std::vector<Event> exported = ExportedEvents();
  ASSERT_EQ(exported.size(), 58u);

  auto store = OpenSchema(schema, "", /*create=*/false);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(SchemaVersion(schema), "4");
  EXPECT_EQ(EventColumns(schema), (std::vector<std::string>{"pos", "event_id", "chain", "body"}));
  // Through version 2 to 3: the Merkle tree computed from the stored bodies; 3 to 4: the table of
  // kept checkpoints, empty.
  EXPECT_EQ(Admin("SELECT count(*) FROM " + schema + ".tree_hashes"),
            std::vector<std::string>{std::to_string(tlog::StoredHashCount(58))});
  EXPECT_EQ(Admin("SELECT count(*) FROM " + schema + ".checkpoints"),
            std::vector<std::string>{"0"});
  EXPECT_TRUE((*store)->log().VerifyTree(58).ok());
  EXPECT_THAT(Admin("SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema + "'"),
              ::testing::Not(::testing::Contains(HasSubstr("_pos"))));

  auto head = (*store)->Head();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(HeadText(*head), kFixtureHead);
  std::vector<StoredEvent> stored;
  ASSERT_TRUE((*store)->ReadRange(0, 58, &stored).ok());
  ASSERT_EQ(stored.size(), exported.size());
  Hash256 chain;
  for (size_t i = 0; i < exported.size(); ++i) {
    EXPECT_EQ(stored[i].event, exported[i]) << "offset " << i;
    chain = NextChain(chain, exported[i].id);
    EXPECT_EQ(stored[i].chain, chain) << "offset " << i;
    EXPECT_EQ(*(*store)->Find(exported[i].id), std::optional<Offset>(i));
  }

  // Every channel's and objective's offsets, and stream versions, as computed from the export.
  std::map<ChannelId, std::vector<Offset>> channels;
  std::map<std::string, std::pair<ObjectiveId, std::vector<Offset>>> objectives;
  for (size_t i = 0; i < exported.size(); ++i) {
    if (const ChannelId* c = exported[i].channel()) channels[*c].push_back(i);
    if (const ObjectiveId* o = exported[i].objective()) {
      auto& entry = objectives[o->ToString()];
      entry.first = *o;
      entry.second.push_back(i);
    }
  }
  ASSERT_FALSE(channels.empty());
  ASSERT_FALSE(objectives.empty());
  for (const Offset before : {Offset{0}, Offset{20}, Offset{41}, Offset{58}, Offset{1000}}) {
    for (const auto& [id, offsets] : channels) {
      std::vector<Offset> want;
      for (Offset o : offsets) {
        if (o < before) want.push_back(o);
      }
      EXPECT_EQ(*(*store)->ChannelOffsets(id, before), want) << id.ToHex() << " before " << before;
    }
    for (const auto& [name, entry] : objectives) {
      std::vector<Offset> want;
      for (Offset o : entry.second) {
        if (o < before) want.push_back(o);
      }
      EXPECT_EQ(*(*store)->ObjectiveOffsets(entry.first, before), want)
          << name << " before " << before;
    }
  }
  for (const auto& [id, offsets] : channels) {
    EXPECT_EQ(*(*store)->log().StreamVersion(ChannelStream(id)), offsets.size());
  }
  for (const auto& [name, entry] : objectives) {
    EXPECT_EQ(*(*store)->log().StreamVersion(ObjectiveStream(entry.first)), entry.second.size())
        << name;
  }

  EXPECT_EQ(*(*store)->snapshots()->List(), (std::vector<uint64_t>{20, 40}));
  auto snap = (*store)->snapshots()->LatestAtOrBefore(57);
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_EQ((*snap)->covers, 40u);
  EXPECT_EQ((*snap)->prefix_chain, stored[39].chain);

  // Appending goes on where the old log ended, with the versions the upgrade computed: an
  // objective's next event states its version; a wrong one is a Conflict.
  const auto& [name, entry] = *objectives.begin();
  const Timestamp last = exported.back().timestamp;
  const Event next = Event::Make(last + 1, events::ObjectiveRejected{entry.first, "upgraded"});
  AppendOptions stale;
  stale.expected_streams = {{ObjectiveStream(entry.first), entry.second.size() - 1}};
  auto refused = (*store)->Append(next, stale);
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  AppendOptions expect;
  expect.expected_length = 58;
  expect.expected_streams = {{ObjectiveStream(entry.first), entry.second.size()}};
  auto appended = (*store)->Append(next, expect);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(appended->offset, 58u);
  EXPECT_TRUE(appended->appended);
  EXPECT_EQ((*store)->ObjectiveOffsets(entry.first, 100)->back(), 58u) << name;
  EXPECT_EQ((*store)->Head()->chain, NextChain(head->chain, next.id));

  // Reopening a current schema changes nothing.
  store->reset();
  auto again = OpenSchema(schema, "", /*create=*/false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*(*again)->Length(), 59u);
  EXPECT_EQ(SchemaVersion(schema), "4");
}

// Several processes open the same version-1 schema at once: one upgrades, the others wait for it
// and find the schema current; all see the same log.
TEST(PostgresUpgradeTest, ConcurrentOpensOfAnOldSchemaAgree) {
  const std::string schema = FreshPostgresSchema("v1");
  LoadFormat1Schema(schema);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto s = OpenSchema(schema, "", /*create=*/false);
      if (!s.ok()) {
        ADD_FAILURE() << s.status().ToString();
        return;
      }
      auto head = (*s)->Head();
      if (head.ok() && HeadText(*head) == kFixtureHead) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(SchemaVersion(schema), "4");
  // One entry per (stream, event), written once.
  size_t memberships = 0;
  for (const Event& e : ExportedEvents()) memberships += EventStreams(e).size();
  EXPECT_EQ(Admin("SELECT count(*) FROM " + schema + ".stream_entries"),
            std::vector<std::string>{std::to_string(memberships)});
}

// An upgrade that cannot finish (here a payload that does not decode) leaves the schema exactly
// as it was: still version 1, old columns and indexes in place, no stream_entries table.
TEST(PostgresUpgradeTest, FailedUpgradeChangesNothing) {
  const std::string schema = FreshPostgresSchema("v1");
  LoadFormat1Schema(schema);
  const auto columns = EventColumns(schema);
  Admin("UPDATE " + schema +
        ".events SET body = convert_to('{\"not\": \"an event\"}', 'UTF8') "
        "WHERE pos = 30");
  auto store = OpenSchema(schema, "", /*create=*/false);
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
  EXPECT_THAT(store.status().message(), HasSubstr("offset 30"));
  EXPECT_THAT(store.status().message(), HasSubstr("from version 1 to 2"));
  EXPECT_EQ(SchemaVersion(schema), "1");
  EXPECT_EQ(EventColumns(schema), columns);
  EXPECT_EQ(Admin("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema +
                  "' AND tablename = 'stream_entries'"),
            std::vector<std::string>{"0"});
  EXPECT_EQ(Admin("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema +
                  "' AND indexname LIKE 'events_%_pos'"),
            std::vector<std::string>{"2"});
}

// A schema written by a newer statelog is refused, and left alone.
TEST(PostgresUpgradeTest, NewerVersionIsRefused) {
  const std::string schema = FreshPostgresSchema("v5");
  LoadFormat1Schema(schema);
  Admin("UPDATE " + schema + ".meta SET value = '5' WHERE key = 'schema_version'");
  auto store = OpenSchema(schema, "", /*create=*/false);
  EXPECT_EQ(store.status().code(), StatusCode::kNotSupported) << store.status().ToString();
  EXPECT_THAT(store.status().message(), HasSubstr("version 5"));
  EXPECT_EQ(SchemaVersion(schema), "5");
  EXPECT_EQ(EventColumns(schema).size(), 7u);
}

}  // namespace
}  // namespace statelog::test
