// The EventStore conformance suite, part 1: appends, validation, reads, chain, indexes. Every
// backend in store_factory.h must pass it. Part 2 (subscriptions and concurrency) is
// store_concurrency_test.cc; both build into store_conformance_test (label "concurrency").
#include "store/store_conformance.h"

#include <string>
#include <vector>

namespace statelog::test {
namespace {

using ::testing::HasSubstr;

TYPED_TEST_SUITE(StoreTest, StoreBackends, BackendName);

TYPED_TEST(StoreTest, EmptyLogHasZeroHead) {
  EXPECT_EQ(this->store().Length().value(), 0u);
  EXPECT_EQ(this->store().Head().value(), (ChainHead{0, Hash256()}));
  EXPECT_TRUE(this->store().Read(0).status().IsOutOfRange());
  std::vector<StoredEvent> out(3);
  EXPECT_TRUE(this->store().ReadRange(0, 0, &out).ok());
  EXPECT_TRUE(out.empty());
  auto cursor = this->store().NewCursor(0);
  EXPECT_FALSE(cursor->Valid());
  EXPECT_TRUE(cursor->status().ok());
}

TYPED_TEST(StoreTest, AppendAssignsDenseOffsetsAndReadsBack) {
  const std::vector<Event> events = InterleavedEvents(3, 5, 1000);
  for (size_t i = 0; i < events.size(); ++i) {
    auto r = this->store().Append(events[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, (AppendResult{i, true}));
  }
  ASSERT_EQ(this->store().Length().value(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    auto r = this->store().Read(i);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->offset, i);
    EXPECT_EQ(r->event, events[i]);
  }
  std::vector<StoredEvent> range;
  ASSERT_TRUE(this->store().ReadRange(2, 7, &range).ok());
  ASSERT_EQ(range.size(), 5u);
  for (size_t i = 0; i < range.size(); ++i) EXPECT_EQ(range[i], *this->store().Read(2 + i));
}

TYPED_TEST(StoreTest, ChainIsKeccakOfPreviousChainAndId) {
  // keccak256(32 zero bytes || 32 zero bytes), a well-known constant.
  EXPECT_EQ(NextChain(Hash256(), EventId()).ToHex(),
            "0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5");
  const std::vector<Event> events = InterleavedEvents(2, 10, 5);
  this->AppendAll(events);
  Hash256 chain;  // zero before offset 0
  for (size_t i = 0; i < events.size(); ++i) {
    chain = IndependentChain(chain, events[i].id);
    auto r = this->store().Read(i);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->chain, chain) << "offset " << i;
    EXPECT_EQ(NextChain(i == 0 ? Hash256() : this->store().Read(i - 1)->chain, events[i].id),
              chain);
  }
  EXPECT_EQ(this->store().Head().value(), (ChainHead{events.size(), chain}));
}

TYPED_TEST(StoreTest, ReadPastEndIsOutOfRange) {
  this->AppendAll(ChannelEvents(0, 3, 1));
  EventStore& s = this->store();
  EXPECT_TRUE(s.Read(3).status().IsOutOfRange());
  EXPECT_THAT(s.Read(3).status().message(), HasSubstr("3"));
  EXPECT_TRUE(s.Read(UINT64_MAX).status().IsOutOfRange());
  std::vector<StoredEvent> out;
  EXPECT_TRUE(s.ReadRange(0, 4, &out).IsOutOfRange());
  EXPECT_TRUE(s.ReadRange(2, 1, &out).IsOutOfRange());
  EXPECT_TRUE(s.ReadRange(4, 4, &out).IsOutOfRange());
  auto past_end = s.NewCursor(0, 4);
  EXPECT_FALSE(past_end->Valid());
  EXPECT_TRUE(past_end->status().IsOutOfRange());
  auto begin_past_end = s.NewCursor(4);
  EXPECT_FALSE(begin_past_end->Valid());
  EXPECT_TRUE(begin_past_end->status().IsOutOfRange());
}

TYPED_TEST(StoreTest, CursorWalksItsRangeOnly) {
  const std::vector<Event> events = InterleavedEvents(4, 150, 1);  // 600: crosses read chunks
  this->AppendAll(events);
  std::vector<Offset> seen;
  for (auto c = this->store().NewCursor(10, 590); c->Valid(); c->Next()) {
    EXPECT_EQ(c->event().event, events[c->event().offset]);
    seen.push_back(c->event().offset);
  }
  EXPECT_EQ(seen, Iota(10, 590));
  // The default end is the length when the cursor was made.
  auto c = this->store().NewCursor(595);
  this->AppendAll(ChannelEvents(99, 5, 1));
  seen.clear();
  for (; c->Valid(); c->Next()) seen.push_back(c->event().offset);
  EXPECT_TRUE(c->status().ok());
  EXPECT_EQ(seen, Iota(595, 600));
}

TYPED_TEST(StoreTest, IdempotentRetryReturnsOriginalOffset) {
  const std::vector<Event> events = ChannelEvents(0, 4, 100);
  this->AppendAll(events);
  const LogImage before = Image(this->store());
  auto retry = this->store().Append(events[1]);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(*retry, (AppendResult{1, false}));
  EXPECT_EQ(this->store().Length().value(), 4u);
  EXPECT_EQ(Image(this->store()), before);

  const Event fresh = DepositEvent(0, 77, 200);
  const std::vector<Event> batch{events[2], fresh, events[0]};
  auto r = this->store().AppendBatch(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (std::vector<AppendResult>{{2, false}, {4, true}, {0, false}}));
  EXPECT_EQ(this->store().Length().value(), 5u);
}

TYPED_TEST(StoreTest, RejectsBadIdAndLeavesLogUnchanged) {
  this->AppendAll(ChannelEvents(0, 3, 100));
  const LogImage before = Image(this->store());

  Event flipped = StateSignedEvent(0, 9, 500);
  flipped.id.bytes[0] ^= 1;
  auto r = this->store().Append(flipped);
  ASSERT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr(flipped.id.ToHex()));
  EXPECT_THAT(r.status().message(),
              HasSubstr(ComputeEventId(flipped.timestamp, flipped.body).ToHex()));
  EXPECT_EQ(Image(this->store()), before);

  Event edited = DepositEvent(0, 9, 500);
  edited.timestamp += 1;  // content changed, id not recomputed
  EXPECT_TRUE(this->store().Append(edited).status().IsInvalidArgument());
  EXPECT_EQ(Image(this->store()), before);
  EXPECT_FALSE(this->store().Find(edited.id)->has_value());
}

TYPED_TEST(StoreTest, RejectsDecreasingTimestampWithinChannel) {
  this->AppendAll({StateSignedEvent(0, 0, 100), StateSignedEvent(0, 1, 200)});
  const LogImage before = Image(this->store());
  auto r = this->store().Append(DepositEvent(0, 5, 150));
  ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr("channel " + TestChannel(0).ToHex()));
  EXPECT_THAT(r.status().message(), HasSubstr("timestamp 200"));
  EXPECT_THAT(r.status().message(), HasSubstr("offset 1"));
  EXPECT_EQ(Image(this->store()), before);
  // An equal timestamp is fine; so is an earlier one for another channel (no global clock).
  EXPECT_TRUE(this->store().Append(DepositEvent(0, 5, 200)).ok());
  EXPECT_TRUE(this->store().Append(DepositEvent(1, 5, 50)).ok());
  EXPECT_EQ(this->store().Length().value(), 4u);
}

TYPED_TEST(StoreTest, RejectsDecreasingTimestampWithinObjective) {
  this->AppendAll({ObjectiveCreatedEvent(3, 100), StateSignedEvent(3, 0, 300)});
  const LogImage before = Image(this->store());
  auto r = this->store().Append(ObjectiveApprovedEvent(3, 90));
  ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr("objective " + TestObjective(3).ToString()));
  EXPECT_THAT(r.status().message(), HasSubstr("timestamp 100"));
  EXPECT_THAT(r.status().message(), HasSubstr("offset 0"));
  EXPECT_EQ(Image(this->store()), before);
  // The objective's clock is its own: 150 < 300 (the channel's last event) is accepted.
  EXPECT_TRUE(this->store().Append(ObjectiveApprovedEvent(3, 150)).ok());
}

// A bad batch appends nothing and names the record at fault (Status::index()). A batch that
// repeats an id is refused at the first record (in batch order) whose id an earlier record has,
// naming the earliest record with that id; a record that fails its own check before that point
// is reported instead.
TYPED_TEST(StoreTest, BadBatchAppendsNothing) {
  this->AppendAll(ChannelEvents(0, 4, 100));  // channel 0 at 100..103
  const LogImage before = Image(this->store());
  const Event good1 = DepositEvent(1, 1, 10);
  const Event good2 = DepositEvent(2, 1, 10);
  const Event good3 = DepositEvent(3, 1, 10);
  Event bad_id = DepositEvent(4, 1, 10);
  bad_id.id.bytes[31] ^= 0x80;
  const std::string earlier = "is earlier than timestamp";
  auto same_id = [](size_t first, size_t repeat, const Event& e) {
    return "records " + std::to_string(first) + " and " + std::to_string(repeat) +
           " have the same id " + e.id.ToHex();
  };

  struct Case {
    const char* name;
    std::vector<Event> batch;
    StatusCode code;
    uint64_t index;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"bad id", {good1, bad_id, good2}, StatusCode::kInvalidArgument, 1, "does not match"},
      {"duplicate inside",
       {good1, good2, good1},
       StatusCode::kInvalidArgument,
       2,
       same_id(0, 2, good1)},
      {"good2 repeats first",
       {good1, good2, good3, good2, good1},
       StatusCode::kInvalidArgument,
       3,
       same_id(1, 3, good2)},
      {"three of good1",
       {good1, good1, good2, good1},
       StatusCode::kInvalidArgument,
       1,
       same_id(0, 1, good1)},
      {"good1's third copy",
       {good2, good1, good3, good1, good1},
       StatusCode::kInvalidArgument,
       3,
       same_id(1, 3, good1)},
      {"bad id before the repeat",
       {good1, bad_id, good2, good1},
       StatusCode::kInvalidArgument,
       1,
       "does not match"},
      {"bad id after the repeat",
       {good1, good2, good1, bad_id},
       StatusCode::kInvalidArgument,
       2,
       same_id(0, 2, good1)},
      {"decreasing in batch",
       {good1, DepositEvent(1, 2, 9), good2},
       StatusCode::kFailedPrecondition,
       1,
       earlier},
      {"decreasing vs log",
       {good1, good2, DepositEvent(0, 9, 99)},
       StatusCode::kFailedPrecondition,
       2,
       earlier},
      {"objective decreasing",
       {ObjectiveCreatedEvent(5, 50), ObjectiveApprovedEvent(5, 40)},
       StatusCode::kFailedPrecondition,
       1,
       earlier},
  };
  for (const Case& c : cases) {
    auto r = this->store().AppendBatch(c.batch);
    EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status().ToString();
    EXPECT_EQ(r.status().index(), c.index) << c.name << ": " << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr(c.text)) << c.name;
    EXPECT_EQ(Image(this->store()), before) << c.name;
    EXPECT_FALSE(this->store().Find(good1.id)->has_value()) << c.name;
  }
  auto ok = this->store().AppendBatch(std::vector<Event>{good1, good2});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, (std::vector<AppendResult>{{4, true}, {5, true}}));
  EXPECT_TRUE(this->store().AppendBatch({}).ok());
  EXPECT_EQ(this->store().Length().value(), 6u);
}

TYPED_TEST(StoreTest, BatchAndSingleAppendsGiveIdenticalLogs) {
  const std::vector<Event> events = InterleavedEvents(3, 40, 7);
  this->AppendAll(events);
  auto other = TypeParam::Make();
  auto r = other->AppendBatch(events);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Image(*other), Image(this->store()));
}

TYPED_TEST(StoreTest, FindsEventsAndEntityOffsets) {
  const std::vector<Event> events = InterleavedEvents(3, 6, 1);  // channel c at c, c+3, ...
  this->AppendAll(events);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(*this->store().Find(events[i].id), i);
  EXPECT_FALSE(this->store().Find(Keccak256("nope"))->has_value());
  // Event 0 of each channel is ObjectiveCreated (objective only); the rest are channel events.
  EXPECT_EQ(*this->store().ChannelOffsets(TestChannel(1), 100),
            (std::vector<Offset>{4, 7, 10, 13, 16}));
  EXPECT_EQ(*this->store().ChannelOffsets(TestChannel(1), 10), (std::vector<Offset>{4, 7}));
  EXPECT_TRUE(this->store().ChannelOffsets(TestChannel(42), 100)->empty());
  EXPECT_EQ(*this->store().ObjectiveOffsets(TestObjective(2), 100), (std::vector<Offset>{2}));
  EXPECT_TRUE(this->store().ObjectiveOffsets(TestObjective(2), 2)->empty());
}

// A batch large enough for a backend to sort its index entries on several threads (RocksDB from
// 4,096 records, through table files on RocksDbBulk): every event is found by its id and every
// channel and objective lists exactly its own offsets.
TYPED_TEST(StoreTest, LargeBatchIndexesEveryEvent) {
  constexpr uint64_t kChannels = 16;
  constexpr size_t kPerChannel = 300;
  const std::vector<Event> events = InterleavedEvents(kChannels, kPerChannel, 1);
  auto appended = this->store().AppendBatch(events);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  ASSERT_EQ(appended->size(), events.size());
  std::vector<EventId> ids;
  std::vector<std::optional<Offset>> expected_offsets;
  for (size_t i = 0; i < events.size(); ++i) {
    ids.push_back(events[i].id);
    expected_offsets.push_back(i);
  }
  EXPECT_EQ(*this->store().FindMany(ids), expected_offsets);
  for (uint64_t c = 0; c < kChannels; ++c) {
    std::vector<Offset> expected;  // event 0 of a channel is its ObjectiveCreated
    for (size_t k = 1; k < kPerChannel; ++k) expected.push_back(c + k * kChannels);
    EXPECT_EQ(*this->store().ChannelOffsets(TestChannel(c), events.size()), expected) << c;
    EXPECT_EQ(*this->store().ObjectiveOffsets(TestObjective(c), events.size()),
              std::vector<Offset>{c})
        << c;
  }
}

// More ids than one batched lookup takes on any backend (RocksDB 512, PostgreSQL 1000), in an
// order unlike the log's, with ids absent and ids repeated: each answered at its own index.
TYPED_TEST(StoreTest, FindManyAnswersEachIdInOrder) {
  const std::vector<Event> events = InterleavedEvents(3, 250, 1);
  this->AppendAll(events);
  std::vector<EventId> ids;
  std::vector<std::optional<Offset>> expected;
  for (size_t i = events.size(); i-- > 0;) {
    ids.push_back(events[i].id);
    expected.push_back(i);
    if (i % 3 == 0) {
      ids.push_back(Keccak256("absent " + std::to_string(i)));
      expected.push_back(std::nullopt);
    }
    if (i % 5 == 0) {
      ids.push_back(events[i].id);
      expected.push_back(i);
    }
  }
  ASSERT_GT(ids.size(), 1000u);
  auto found = this->store().FindMany(ids);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, expected);
  EXPECT_TRUE(this->store().FindMany({})->empty());
}

}  // namespace
}  // namespace statelog::test
