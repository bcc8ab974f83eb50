// Tests specific to the memory backend: stable At() references and segment boundaries.
#include "statelog/memory_store.h"

#include <gtest/gtest.h>

#include <vector>

#include "store/test_events.h"

namespace statelog::test {
namespace {

constexpr Offset kSeg = MemoryEventStore::kSegmentSize;

void AppendOrDie(MemoryEventStore& store, const Event& e) {
  auto r = store.Append(e);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->appended);
}

TEST(MemoryStoreTest, ReferencesStayValidAcrossOneMillionAppends) {
  const uint64_t total = kUnderTsan ? 100'000 : 1'000'000;
  auto store = MemoryEventStore::Create();
  constexpr uint64_t kChannels = 16;
  uint64_t n = 0;
  auto next_event = [&] {
    const uint64_t i = n++;
    return DepositEvent(i % kChannels, i, static_cast<Timestamp>(i));
  };
  while (n < kSeg + 1) AppendOrDie(*store, next_event());

  const std::vector<Offset> watched = {0, kSeg - 1, kSeg};
  std::vector<const Event*> refs;
  std::vector<Event> copies;
  for (Offset o : watched) {
    const Event& ref = store->At(o);
    refs.push_back(&ref);
    copies.push_back(ref);
  }
  while (n < total) AppendOrDie(*store, next_event());

  ASSERT_EQ(*store->Length(), total);
  for (size_t i = 0; i < watched.size(); ++i) {
    EXPECT_EQ(&store->At(watched[i]), refs[i]) << "offset " << watched[i] << " moved";
    EXPECT_EQ(*refs[i], copies[i]) << "offset " << watched[i] << " changed";
    EXPECT_EQ(refs[i]->id, store->Read(watched[i])->event.id);
    EXPECT_TRUE(refs[i]->HasValidId());
  }
  EXPECT_EQ(store->At(total - 1),
            DepositEvent((total - 1) % kChannels, total - 1, static_cast<Timestamp>(total - 1)));
}

TEST(MemoryStoreTest, SegmentBoundaries) {
  auto store = MemoryEventStore::Create();
  const std::vector<Event> events = InterleavedEvents(8, (3 * kSeg + 8) / 8, 1);  // 3 segs + 8
  for (const Event& e : events) AppendOrDie(*store, e);
  ASSERT_EQ(*store->Length(), events.size());

  for (Offset o : {Offset{0}, kSeg - 1, kSeg, kSeg + 1, 2 * kSeg - 1, 2 * kSeg, 3 * kSeg,
                   Offset{events.size() - 1}}) {
    const Event& ref = store->At(o);
    EXPECT_EQ(ref, events[o]);
    EXPECT_EQ(ref, store->Read(o)->event);
    EXPECT_EQ(store->Read(o)->offset, o);
  }

  std::vector<StoredEvent> range;
  ASSERT_TRUE(store->ReadRange(kSeg - 5, 2 * kSeg + 5, &range).ok());
  ASSERT_EQ(range.size(), kSeg + 10);
  for (size_t i = 0; i < range.size(); ++i) EXPECT_EQ(range[i].offset, kSeg - 5 + i);

  Offset expected = kSeg - 3;
  for (auto c = store->NewCursor(kSeg - 3, kSeg + 3); c->Valid(); c->Next(), ++expected) {
    EXPECT_EQ(c->event().event, store->At(expected));
    EXPECT_EQ(c->event().offset, expected);
  }
  EXPECT_EQ(expected, kSeg + 3);
}

TEST(MemoryStoreTest, BatchAcrossSegmentBoundary) {
  auto store = MemoryEventStore::Create();
  const std::vector<Event> first = ChannelEvents(0, kSeg - 2, 1);
  ASSERT_TRUE(store->AppendBatch(first).ok());
  const std::vector<Event> second = ChannelEvents(1, 5, 1);
  auto r = store->AppendBatch(second);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (size_t i = 0; i < second.size(); ++i) {
    EXPECT_EQ((*r)[i].offset, kSeg - 2 + i);
    EXPECT_EQ(store->At(kSeg - 2 + i), second[i]);
  }
}

}  // namespace
}  // namespace statelog::test
