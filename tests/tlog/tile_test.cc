// Tiles (C2SP tlog-tiles): paths parsed and written as the spec writes them, round trips, refusals
// naming what is wrong, and tile bytes equal to the stored hashes, including beyond-the-tree
// refusals and tiles of level 1.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "statelog/tlog.h"
#include "tlog/memory_hash_store.h"

namespace statelog::tlog {
namespace {

using testing::MemoryHashStore;

TEST(TilePathTest, WritesAndParsesTheSpecsForm) {
  EXPECT_EQ(TilePath({0, 0, 256}), "tile/0/000");
  EXPECT_EQ(TilePath({0, 1234067, 256}), "tile/0/x001/x234/067");
  EXPECT_EQ(TilePath({1, 999, 7}), "tile/1/999.p/7");
  EXPECT_EQ(TilePath({2, 1000, 255}), "tile/2/x001/000.p/255");
  for (const Tile& t : {Tile{0, 0, 256}, Tile{0, 1234067, 256}, Tile{63, 5, 1}, Tile{1, 1000, 128},
                        Tile{0, UINT64_MAX, 256}}) {
    auto parsed = ParseTilePath(TilePath(t));
    ASSERT_TRUE(parsed.ok()) << TilePath(t) << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, t) << TilePath(t);
  }
}

TEST(TilePathTest, RefusesMalformedPaths) {
  const std::string bad = "not a tile path (tile/<L>/<N>[.p/<W>]): ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tile/0", "it needs a level and an index after tile/"},
      {"tile", "it needs a level and an index after tile/"},
      {"tiles/0/000", "it must start with tile/"},
      {"tile/64/000", "the level must be a decimal from 0 to 63 without leading zeros"},
      {"tile/00/000", "the level must be a decimal from 0 to 63 without leading zeros"},
      {"tile/entries/000", "the level must be a decimal from 0 to 63 without leading zeros"},
      {"tile/0/12", "the index must be written in elements of 3 digits (x001/x234/067)"},
      {"tile/0/x12/000", "the index must be written in elements of 3 digits (x001/x234/067)"},
      {"tile/0/001/000", "every index element but the last must be x and 3 digits"},
      {"tile/0/x000/000", "the index has a leading x000 element"},
      {"tile/0/x018/x446/x744/x073/x709/x551/616", "the index is larger than 2^64 - 1"},
      {"tile/0/000.p/0", "the width of a partial tile must be a decimal from 1 to 255"},
      {"tile/0/000.p/256", "the width of a partial tile must be a decimal from 1 to 255"},
      {"tile/0/000.p/007", "the width of a partial tile must be a decimal from 1 to 255"},
  };
  for (const auto& [path, why] : cases) {
    auto parsed = ParseTilePath(path);
    ASSERT_FALSE(parsed.ok()) << path;
    EXPECT_EQ(parsed.status(), Status::InvalidArgument(bad + why)) << path;
  }
  // 2^64 - 1 itself is an index.
  EXPECT_TRUE(ParseTilePath("tile/0/x018/x446/x744/x073/x709/x551/615").ok());
}

TEST(ReadTileTest, ServesTheStoredHashesAndNothingBeyondTheTree) {
  MemoryHashStore tree;
  for (int i = 0; i < 600; ++i) tree.AppendLeaf("leaf " + std::to_string(i));
  auto hashes_of = [&](int level, uint64_t from, uint64_t count) {
    std::string out;
    for (uint64_t n = from; n < from + count; ++n) {
      Hash h;
      StoredHashId id{level, n};
      EXPECT_TRUE(tree.ReadHashes(std::span(&id, 1), std::span(&h, 1)).ok());
      out.append(reinterpret_cast<const char*>(h.data()), 32);
    }
    return out;
  };
  EXPECT_EQ(*ReadTile({0, 0, 256}, 600, tree), hashes_of(0, 0, 256));
  EXPECT_EQ(*ReadTile({0, 1, 256}, 600, tree), hashes_of(0, 256, 256));
  EXPECT_EQ(*ReadTile({0, 2, 88}, 600, tree), hashes_of(0, 512, 88));
  EXPECT_EQ(*ReadTile({0, 2, 3}, 600, tree), hashes_of(0, 512, 3));
  EXPECT_EQ(*ReadTile({1, 0, 2}, 600, tree), hashes_of(8, 0, 2));
  // A smaller tree's tiles are still served from the larger one's hashes.
  EXPECT_EQ(*ReadTile({0, 1, 44}, 300, tree), hashes_of(0, 256, 44));
  EXPECT_EQ(
      ReadTile({0, 2, 89}, 600, tree).status(),
      Status::NotFound("tile/0/002.p/89 is beyond the tree of 600 leaves (600 hashes at level 0)"));
  EXPECT_TRUE(ReadTile({0, 2, 256}, 600, tree).status().IsNotFound());
  EXPECT_TRUE(ReadTile({0, 3, 1}, 600, tree).status().IsNotFound());
  EXPECT_TRUE(ReadTile({1, 0, 3}, 600, tree).status().IsNotFound());
  EXPECT_TRUE(ReadTile({2, 0, 1}, 600, tree).status().IsNotFound());
  EXPECT_TRUE(ReadTile({63, 0, 1}, 600, tree).status().IsNotFound());
  EXPECT_TRUE(ReadTile({0, UINT64_MAX, 256}, 600, tree).status().IsNotFound());
  EXPECT_TRUE(ReadTile({0, 0, 1}, 0, tree).status().IsNotFound());
  EXPECT_EQ(TileLevelHashes(1, 600), 2u);
  EXPECT_EQ(TileLevelHashes(8, UINT64_MAX), 0u);
}

}  // namespace
}  // namespace statelog::tlog
