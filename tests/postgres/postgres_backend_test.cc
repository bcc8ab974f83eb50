// PostgresBackend against a real server: the conditional append (Conflict when another writer
// moved the head, nothing written), reads of streams and ids, and every read returning an error,
// never an answer, while the database cannot be used, then working again once it can.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "postgres/backend.h"
#include "postgres/pg_admin.h"
#include "statelog/postgres_store.h"
#include "statelog/tlog.h"
#include "store/event_record.h"
#include "store/postgres_factory.h"
#include "store/test_events.h"

namespace statelog::test {
namespace {

using pg::PostgresBackend;
using ::testing::HasSubstr;

std::unique_ptr<PostgresBackend> OpenBackend(const std::string& schema,
                                             const std::string& extra = "") {
  PostgresOptions options;
  options.schema = schema;
  auto backend = PostgresBackend::Open(PostgresConninfo() + extra, options, &EventRecordFormat());
  EXPECT_TRUE(backend.ok()) << backend.status().ToString();
  return backend.ok() ? std::move(backend).value() : nullptr;
}

// Stages `records` after `head` as the core would: offsets, chain values, encodings and stream
// versions (each stream's continue from `versions`). The staged records point into `records` and
// `encoded`, whose buffers stay put when a Staging is moved.
// The Merkle tree's stored hashes too, from `edge`, the tree's right edge at `head` (`edge` of
// the Staging whose `after` is `head`).
struct Staging {
  std::vector<Record> records;
  std::vector<std::string> encoded;
  std::vector<StagedRecord> staged;
  ChainHead after;
  tlog::RightEdge edge;                // after the records
  std::vector<tlog::StoredHash> tree;  // what the records complete
};

Staging Stage(const ChainHead& head, std::vector<Record> records,
              std::map<std::string, uint64_t>* versions, const tlog::RightEdge& edge = {}) {
  Staging s;
  s.records = std::move(records);
  for (const Record& r : s.records) s.encoded.push_back(r.payload->Encode());
  s.after = head;
  s.edge = edge;
  std::vector<size_t> tree_end;
  for (size_t i = 0; i < s.records.size(); ++i) {
    StagedRecord st;
    st.offset = s.after.length;
    st.chain = NextChain(s.after.chain, s.records[i].id);
    st.record = &s.records[i];
    st.encoded = s.encoded[i];
    for (const std::string& stream : s.records[i].streams) {
      st.streams.push_back(StreamEntry{stream, ++(*versions)[stream]});
    }
    s.edge.Append(tlog::LeafHash(s.encoded[i]), &s.tree);
    tree_end.push_back(s.tree.size());
    s.after = ChainHead{s.after.length + 1, st.chain};
    s.staged.push_back(std::move(st));
  }
  for (size_t i = 0, begin = 0; i < s.staged.size(); begin = tree_end[i++]) {
    s.staged[i].tree = std::span(s.tree).subspan(begin, tree_end[i] - begin);
  }
  return s;
}

std::vector<Record> Records(const std::vector<Event>& events) {
  std::vector<Record> out;
  for (const Event& e : events) out.push_back(store_internal::ToRecord(e));
  return out;
}

TEST(PostgresBackendTest, AppendIsConditionalOnTheHead) {
  const std::string schema = FreshPostgresSchema();
  auto a = OpenBackend(schema), b = OpenBackend(schema);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->shared());
  EXPECT_TRUE(a->wants_encoded());
  const std::vector<Record> records = Records(ChannelEvents(0, 4, 10));
  std::map<std::string, uint64_t> versions_a, versions_b;

  const ChainHead empty;
  Staging first = Stage(empty, {records[0], records[1]}, &versions_a);
  ASSERT_TRUE(a->Append(empty, first.staged).ok());
  EXPECT_EQ(*b->ReadHead(), first.after);

  // b decided against the empty log: refused, nothing written.
  Staging late = Stage(empty, {records[2]}, &versions_b);
  Status s = b->Append(empty, late.staged);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("2:" + first.after.chain.ToHex()));
  EXPECT_THAT(s.message(), HasSubstr("0:" + Hash256().ToHex()));
  EXPECT_EQ(*a->ReadHead(), first.after);
  EXPECT_EQ(*a->Find(records[2].id), std::nullopt);

  // Against the current head it goes through.
  versions_b = versions_a;
  Staging next = Stage(first.after, {records[2], records[3]}, &versions_b, first.edge);
  ASSERT_TRUE(b->Append(first.after, next.staged).ok());
  EXPECT_EQ(*a->ReadHead(), next.after);

  // A record whose id is stored already, staged at the right head (a writer that skipped the
  // core's checks): the unique index refuses it as a Conflict, and nothing is written.
  Staging dup = Stage(next.after, {records[0]}, &versions_b, next.edge);
  s = a->Append(next.after, dup.staged);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(*a->ReadHead(), next.after);

  std::vector<StoredRecord> stored;
  ASSERT_TRUE(b->ReadRange(0, 4, &stored).ok());
  ASSERT_EQ(stored.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(stored[i].offset, i);
    EXPECT_EQ(stored[i].record.id, records[i].id);
    EXPECT_EQ(stored[i].record.timestamp, records[i].timestamp);
    EXPECT_EQ(stored[i].record.streams, records[i].streams);
    EXPECT_EQ(*b->Find(records[i].id), std::optional<Offset>(i));
  }
  EXPECT_EQ(stored[3].chain, next.after.chain);

  // Records 1..3 are the channel's; record 0 (ObjectiveCreated) is only its objective's.
  const std::string channel = ChannelStream(TestChannel(0));
  EXPECT_EQ(*a->StreamOffsets(channel, 100), (std::vector<Offset>{1, 2, 3}));
  EXPECT_EQ(*a->StreamOffsets(channel, 2), (std::vector<Offset>{1}));
  EXPECT_EQ(*a->ReadStreamTail(channel, 100), (StreamTail{3, 3, records[3].timestamp}));
  EXPECT_EQ(*a->ReadStreamTail(channel, 2), (StreamTail{1, 1, records[1].timestamp}));
  EXPECT_EQ(*a->ReadStreamTail(channel, 1), std::nullopt);
  EXPECT_EQ(*a->StreamOffsets(ObjectiveStream(TestObjective(0)), 100), (std::vector<Offset>{0}));
  EXPECT_EQ(*a->ReadStreamTail("no such stream", 100), std::nullopt);
  EXPECT_TRUE(a->StreamOffsets("no such stream", 100)->empty());
}

// A backend whose append found the head moved keeps the lock for its second attempt: another
// writer that comes meanwhile waits, and finds the head moved in turn.
TEST(PostgresBackendTest, ConflictKeepsTheLockForTheSecondAttempt) {
  using Clock = std::chrono::steady_clock;
  const std::string schema = FreshPostgresSchema();
  auto a = OpenBackend(schema), b = OpenBackend(schema);
  ASSERT_TRUE(a && b);
  const std::vector<Record> records = Records(ChannelEvents(0, 3, 10));
  std::map<std::string, uint64_t> va, vb, vb2;
  const ChainHead empty;
  Staging first = Stage(empty, {records[0]}, &va);
  ASSERT_TRUE(a->Append(empty, first.staged).ok());

  Staging stale = Stage(empty, {records[1]}, &vb);
  ASSERT_TRUE(b->Append(empty, stale.staged).IsConflict());
  const auto conflict_at = Clock::now();
  // b now holds the lock at first.after. a tries to append at that head from another thread.
  vb2 = va;  // the versions after records[0], for b's second staging
  Staging mine = Stage(first.after, {records[2]}, &va, first.edge);
  Status a_status;
  std::thread other([&] { a_status = a->Append(first.after, mine.staged); });
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  Staging again = Stage(first.after, {records[1]}, &vb2, first.edge);
  const bool in_time = Clock::now() - conflict_at < std::chrono::milliseconds(15);
  const Status b_status = b->Append(first.after, again.staged);
  other.join();
  // Exactly one of the two appends at first.after went through.
  EXPECT_NE(b_status.ok(), a_status.ok()) << b_status.ToString() << " / " << a_status.ToString();
  if (in_time) {  // b came back well within the hold: it cannot have been overtaken
    EXPECT_TRUE(b_status.ok()) << b_status.ToString();
    EXPECT_TRUE(a_status.IsConflict()) << a_status.ToString();
  }
  EXPECT_EQ(b->ReadHead()->length, 2u);
}

// A kept lock that no second attempt uses is released at its deadline: other writers go on.
TEST(PostgresBackendTest, AnUnusedKeptLockIsReleased) {
  const std::string schema = FreshPostgresSchema();
  auto a = OpenBackend(schema), b = OpenBackend(schema);
  ASSERT_TRUE(a && b);
  const std::vector<Record> records = Records(ChannelEvents(0, 3, 10));
  std::map<std::string, uint64_t> va, vb;
  const ChainHead empty;
  Staging first = Stage(empty, {records[0]}, &va);
  ASSERT_TRUE(a->Append(empty, first.staged).ok());
  Staging stale = Stage(empty, {records[1]}, &vb);
  ASSERT_TRUE(b->Append(empty, stale.staged).IsConflict());
  // b never comes back; a appends at the head b locked once b lets go.
  const auto start = std::chrono::steady_clock::now();
  Staging next = Stage(first.after, {records[2]}, &va, first.edge);
  ASSERT_TRUE(a->Append(first.after, next.staged).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(*b->ReadHead(), next.after);
  // b's next append, staged against the new head, goes through on a fresh transaction.
  vb = va;
  const std::vector<Record> more = Records(ChannelEvents(1, 1, 100));
  Staging late = Stage(next.after, {more[0]}, &vb, next.edge);
  ASSERT_TRUE(b->Append(next.after, late.staged).ok());
  EXPECT_EQ(a->ReadHead()->length, 3u);
}

// Asserts that every read of `store` and of `backend` fails with `code`.
// `unreachable`: whether each error says the database could not be reached (Status::unreachable(),
// which subscriptions retry) rather than that it refused the statement.
void ExpectEveryReadFails(PostgresEventStore* store, PostgresBackend* backend, const Event& known,
                          StatusCode code, const std::string& text, bool unreachable) {
  auto expect = [&](const Status& s, const char* what) {
    EXPECT_EQ(s.code(), code) << what << ": " << s.ToString();
    EXPECT_THAT(std::string(s.message()), HasSubstr(text)) << what;
    EXPECT_EQ(s.unreachable(), unreachable) << what << ": " << s.ToString();
  };
  expect(store->Head().status(), "Head");
  expect(store->Length().status(), "Length");
  expect(store->Read(0).status(), "Read");
  std::vector<StoredEvent> events;
  expect(store->ReadRange(0, 2, &events), "ReadRange");
  expect(store->NewCursor(0)->status(), "NewCursor");
  expect(store->NewCursor(0, 2)->status(), "NewCursor(0, 2)");
  expect(store->Find(known.id).status(), "Find (an id in the log)");
  expect(store->Find(Keccak256("absent")).status(), "Find (an absent id)");
  expect(store->ChannelOffsets(TestChannel(0), 100).status(), "ChannelOffsets");
  expect(store->ObjectiveOffsets(TestObjective(0), 100).status(), "ObjectiveOffsets");
  expect(store->log().StreamVersion(ChannelStream(TestChannel(0))).status(), "StreamVersion");
  expect(store->Subscribe([](const StoredEvent&) {}).status(), "Subscribe");
  expect(store->snapshots()->List().status(), "snapshots List");
  expect(store->snapshots()->LatestAtOrBefore(100).status(), "snapshots LatestAtOrBefore");
  expect(store->Append(DepositEvent(0, 99, 1000)).status(), "Append");

  expect(backend->ReadHead().status(), "backend ReadHead");
  std::vector<StoredRecord> records;
  expect(backend->ReadRange(0, 2, &records), "backend ReadRange");
  EXPECT_TRUE(records.empty());
  expect(backend->Find(known.id).status(), "backend Find");
  expect(backend->StreamOffsets(ChannelStream(TestChannel(0)), 100).status(),
         "backend StreamOffsets");
  expect(backend->ReadStreamTail(ChannelStream(TestChannel(0)), 100).status(),
         "backend ReadStreamTail");
}

// Asserts that the reads of `store` and `backend` answer again, with what the log holds.
void ExpectReadsWork(PostgresEventStore* store, PostgresBackend* backend,
                     const std::vector<Event>& events) {
  auto head = store->Head();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->length, events.size());
  EXPECT_EQ(*backend->ReadHead(), *head);
  EXPECT_EQ(store->Read(1)->event, events[1]);
  std::vector<StoredEvent> stored;
  ASSERT_TRUE(store->ReadRange(0, events.size(), &stored).ok());
  EXPECT_EQ(stored.back().event, events.back());
  EXPECT_EQ(*store->Find(events[1].id), std::optional<Offset>(1));
  EXPECT_EQ(*store->Find(Keccak256("absent")), std::nullopt);
  // Every event but the first (ObjectiveCreated) is the channel's.
  const size_t channel_events = events.size() - 1;
  EXPECT_EQ(store->ChannelOffsets(TestChannel(0), 100)->size(), channel_events);
  EXPECT_EQ(*store->log().StreamVersion(ChannelStream(TestChannel(0))), channel_events);
  EXPECT_EQ(*store->snapshots()->List(), (std::vector<uint64_t>{2}));
  EXPECT_EQ((*store->snapshots()->LatestAtOrBefore(100))->covers, 2u);
  EXPECT_EQ(*backend->Find(events[0].id), std::optional<Offset>(0));
  EXPECT_EQ(backend->StreamOffsets(ChannelStream(TestChannel(0)), 100)->size(), channel_events);
  EXPECT_EQ((*backend->ReadStreamTail(ChannelStream(TestChannel(0)), 100))->version,
            channel_events);
}

// A store and a backend opened as an application role with the documented privileges.
struct AppLog {
  std::string schema = FreshPostgresSchema();
  std::string role = schema + "_r";
  std::unique_ptr<PostgresEventStore> store;
  std::unique_ptr<PostgresBackend> backend;
  std::vector<Event> events = ChannelEvents(0, 4, 1);

  void Open() {
    ASSERT_TRUE(OpenSchema(schema).ok());
    CreateAppRole(role, schema);
    auto s = OpenSchema(schema, " user=" + role, /*create=*/false);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(s).value();
    backend = OpenBackend(schema, " user=" + role);
    ASSERT_TRUE(backend);
    ASSERT_TRUE(store->AppendBatch(events).ok());
    ASSERT_TRUE(store->snapshots()->Put(Snapshot{2, store->Read(1)->chain, "view"}).ok());
  }
};

// The database refuses the role's connections and ends the ones it has (as when the server is
// down or unreachable): every read returns an IOError, none answers "absent", "empty" or an old
// head. Once connections are allowed again, the next calls work.
TEST(PostgresBackendTest, ReadsFailWhileTheDatabaseIsUnreachableThenRecover) {
  AppLog app;
  ASSERT_NO_FATAL_FAILURE(app.Open());
  ExpectReadsWork(app.store.get(), app.backend.get(), app.events);

  Admin("ALTER ROLE " + app.role + " NOLOGIN");
  Admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + app.role +
        "'");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ExpectEveryReadFails(app.store.get(), app.backend.get(), app.events[0], StatusCode::kIOError,
                       "not permitted to log in", /*unreachable=*/true);

  Admin("ALTER ROLE " + app.role + " LOGIN");
  ExpectReadsWork(app.store.get(), app.backend.get(), app.events);
  auto more = app.store->Append(DepositEvent(0, 99, 1000));
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_EQ(more->offset, app.events.size());
}

// The role loses its privileges while its connections stay open: every statement fails on the
// server, and every read returns that error. Granted again, everything works.
TEST(PostgresBackendTest, ReadsFailWhilePrivilegesAreRevokedThenRecover) {
  AppLog app;
  ASSERT_NO_FATAL_FAILURE(app.Open());
  const std::string tables = app.schema + ".head, " + app.schema + ".events, " + app.schema +
                             ".stream_entries, " + app.schema + ".snapshots";
  Admin("REVOKE SELECT ON " + tables + " FROM " + app.role);
  ExpectEveryReadFails(app.store.get(), app.backend.get(), app.events[0], StatusCode::kIOError,
                       "permission denied", /*unreachable=*/false);
  Admin("GRANT SELECT ON " + tables + " TO " + app.role);
  ExpectReadsWork(app.store.get(), app.backend.get(), app.events);
}

}  // namespace
}  // namespace statelog::test
