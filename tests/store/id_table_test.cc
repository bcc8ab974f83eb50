// The memory backend's id index: lookups, growth, and ids that share their first 8 bytes (and so
// their tag and home bucket), which only the full comparison tells apart.
#include "store/id_table.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace statelog::store_internal {
namespace {

// Ids stored by offset, as the backend's slots hold them.
class IdTableTest : public ::testing::Test {
 protected:
  bool Insert(const RecordId& id) {
    ids_.push_back(id);
    return table_.Insert(id, ids_.size() - 1, IdAt{this});
  }
  std::optional<Offset> Find(const RecordId& id) const { return table_.Find(id, IdAt{this}); }
  struct IdAt {
    const IdTableTest* test;
    const RecordId& operator()(Offset o) const { return test->ids_.at(o); }
  };

  std::vector<RecordId> ids_;
  IdTable table_;
};

RecordId RandomId(std::mt19937_64& rng) {
  RecordId id;
  for (size_t i = 0; i < id.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(id.data() + i, &v, 8);
  }
  return id;
}

// An id whose first 8 bytes are `prefix` and whose last byte is `last`.
RecordId PrefixedId(uint64_t prefix, uint8_t last) {
  RecordId id;
  std::memcpy(id.data(), &prefix, 8);
  id.data()[id.size() - 1] = last;
  return id;
}

TEST_F(IdTableTest, EmptyFindsNothing) {
  std::mt19937_64 rng(1);
  EXPECT_EQ(Find(RandomId(rng)), std::nullopt);
  EXPECT_EQ(table_.size(), 0u);
  EXPECT_EQ(table_.capacity(), 0u);
}

TEST_F(IdTableTest, FindsEveryIdAcrossGrowth) {
  std::mt19937_64 rng(2);
  constexpr size_t kIds = 100'000;
  for (size_t i = 0; i < kIds; ++i) ASSERT_TRUE(Insert(RandomId(rng)));
  EXPECT_EQ(table_.size(), kIds);
  EXPECT_EQ(table_.capacity(), size_t{1} << 17);  // 100K at most 7/8 full
  for (size_t i = 0; i < kIds; ++i) ASSERT_EQ(Find(ids_[i]), Offset{i}) << "offset " << i;
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(Find(RandomId(rng)), std::nullopt);
}

TEST_F(IdTableTest, IdsSharingTheirFirstEightBytesStayDistinct) {
  // Same tag and home bucket: each lookup must compare the whole id.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Insert(RandomId(rng)));  // other entries around
  for (uint8_t last = 0; last < 100; ++last) ASSERT_TRUE(Insert(PrefixedId(42, last)));
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Insert(RandomId(rng)));  // grows past them
  EXPECT_EQ(table_.size(), 500u);
  for (uint8_t last = 0; last < 100; ++last) {
    EXPECT_EQ(Find(PrefixedId(42, last)), Offset{200u + last}) << "last byte " << int{last};
  }
  EXPECT_EQ(Find(PrefixedId(42, 100)), std::nullopt);
  EXPECT_EQ(Find(PrefixedId(43, 0)), std::nullopt);
  for (size_t i = 0; i < ids_.size(); ++i) ASSERT_EQ(Find(ids_[i]), Offset{i});
}

TEST_F(IdTableTest, InsertingAnIdAgainKeepsItsFirstOffset) {
  ASSERT_TRUE(Insert(PrefixedId(7, 1)));
  ASSERT_TRUE(Insert(PrefixedId(7, 2)));
  EXPECT_FALSE(Insert(PrefixedId(7, 1)));  // stored at offset 2, not indexed
  EXPECT_EQ(table_.size(), 2u);
  EXPECT_EQ(Find(PrefixedId(7, 1)), Offset{0});
  EXPECT_EQ(Find(PrefixedId(7, 2)), Offset{1});
}

TEST_F(IdTableTest, HoldsTheLargestOffset) {
  std::vector<RecordId> stored = {PrefixedId(1, 1), PrefixedId(1, 2)};
  auto id_at = [&](Offset o) -> const RecordId& { return stored[o == IdTable::kMaxOffset]; };
  ASSERT_TRUE(table_.Insert(stored[0], 0, id_at));
  ASSERT_TRUE(table_.Insert(stored[1], IdTable::kMaxOffset, id_at));
  EXPECT_EQ(table_.Find(stored[0], id_at), Offset{0});
  EXPECT_EQ(table_.Find(stored[1], id_at), IdTable::kMaxOffset);
}

}  // namespace
}  // namespace statelog::store_internal
