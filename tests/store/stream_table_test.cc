// The memory backend's stream index: keys of every size, streams that grow one offset at a time
// (each growth copies the key and the offsets), and a table that grows past many streams.
#include "store/stream_table.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace statelog::store_internal {
namespace {

std::vector<uint32_t> OffsetsOf(const StreamTable& table, std::string_view stream) {
  std::span<const uint32_t> s = table.Offsets(stream);
  return std::vector<uint32_t>(s.begin(), s.end());
}

// "c" and the decimal digits of i.
std::string Key(uint32_t i) {
  std::string key = "c";
  key += std::to_string(i);
  return key;
}

TEST(StreamTableTest, EmptyHasNoStreams) {
  StreamTable table;
  EXPECT_TRUE(table.Offsets("c").empty());
  EXPECT_EQ(table.size(), 0u);
}

TEST(StreamTableTest, KeepsEveryOffsetInOrderAsAStreamGrows) {
  StreamTable table;
  std::vector<uint32_t> expected;
  for (uint32_t o = 0; o < 10'000; ++o) {
    table.Add("channel", o * 3);
    expected.push_back(o * 3);
    if (o < 40) {
      ASSERT_EQ(OffsetsOf(table, "channel"), expected) << "after " << o + 1;
    }
  }
  EXPECT_EQ(OffsetsOf(table, "channel"), expected);
  EXPECT_EQ(table.size(), 1u);
}

TEST(StreamTableTest, TellsApartKeysThatDifferInOneByteOrInLength) {
  // Binary keys as the Nitro layer makes them, of every length it allows, and prefixes of each
  // other: a lookup must compare the whole key, its length included.
  StreamTable table;
  std::map<std::string, std::vector<uint32_t>> expected;
  uint32_t offset = 0;
  for (size_t len = 1; len <= StreamTable::kMaxKeySize; ++len) {
    for (char last : {'\0', '\x01', '\xff'}) {
      std::string key(len, 'k');
      key.back() = last;
      for (int i = 0; i < 1 + static_cast<int>(len % 7); ++i) {
        table.Add(key, offset);
        expected[key].push_back(offset++);
      }
    }
  }
  EXPECT_EQ(table.size(), expected.size());
  for (const auto& [key, offsets] : expected) {
    ASSERT_EQ(OffsetsOf(table, key), offsets) << "key of " << key.size() << " bytes";
  }
  // Not added: the stored keys' first bytes, and keys one byte longer than stored ones.
  EXPECT_TRUE(table.Offsets("k").empty());
  EXPECT_TRUE(table.Offsets("kk").empty());
  EXPECT_TRUE(table.Offsets(std::string("k\0", 2) + "k").empty());
  EXPECT_TRUE(table.Offsets("x").empty());
}

TEST(StreamTableTest, FindsEveryStreamAcrossTableGrowth) {
  StreamTable table;
  constexpr uint32_t kStreams = 20'000;
  for (uint32_t round = 0; round < 3; ++round) {
    for (uint32_t i = 0; i < kStreams; ++i) {
      table.Add(Key(i), round * kStreams + i);
    }
  }
  EXPECT_EQ(table.size(), kStreams);
  for (uint32_t i = 0; i < kStreams; ++i) {
    ASSERT_EQ(OffsetsOf(table, Key(i)), (std::vector<uint32_t>{i, kStreams + i, 2 * kStreams + i}))
        << "stream " << i;
  }
  EXPECT_TRUE(table.Offsets(Key(kStreams)).empty());
}

}  // namespace
}  // namespace statelog::store_internal
