// Tiles of the stored hashes (statelog/tlog.h, C2SP tlog-tiles).
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "statelog/tlog.h"

namespace statelog::tlog {
namespace {

// The largest tile level a path may name (tlog-tiles: 0 to 63).
constexpr int kMaxTileLevel = 63;
// N has at most 20 decimal digits (uint64_t): 7 elements of 3.
constexpr size_t kMaxIndexElements = 7;

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// A decimal without leading zeros ("0" itself allowed), at most `max`.
bool ParseSmall(std::string_view s, uint64_t max, uint64_t* out) {
  if (!AllDigits(s) || (s.size() > 1 && s[0] == '0') || s.size() > 3) return false;
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v > max) return false;
  *out = v;
  return true;
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t slash = s.find('/', start);
    out.push_back(s.substr(start, slash == std::string_view::npos ? s.npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

Status Bad(std::string_view why) {
  return Status::InvalidArgument("not a tile path (tile/<L>/<N>[.p/<W>]): " + std::string(why));
}

}  // namespace

StatusOr<Tile> ParseTilePath(std::string_view path) {
  std::vector<std::string_view> e = Split(path);
  if (e[0] != "tile") return Bad("it must start with tile/");
  if (e.size() < 3) return Bad("it needs a level and an index after tile/");
  Tile tile;
  uint64_t level = 0;
  if (!ParseSmall(e[1], kMaxTileLevel, &level)) {
    return Bad("the level must be a decimal from 0 to 63 without leading zeros");
  }
  tile.level = static_cast<int>(level);
  // The index elements: e[2 .. end), the last one possibly "NNN.p" followed by the width.
  size_t end = e.size();
  bool partial = false;
  if (end >= 4 && e[end - 2].ends_with(".p")) {
    partial = true;
    if (!ParseSmall(e[end - 1], kTileWidth - 1, &tile.width) || tile.width == 0) {
      return Bad("the width of a partial tile must be a decimal from 1 to 255");
    }
    end -= 1;
  }
  if (end - 2 > kMaxIndexElements) return Bad("the index has too many elements");
  uint64_t n = 0;
  for (size_t i = 2; i < end; ++i) {
    std::string_view digits = e[i];
    const bool last = i + 1 == end;
    if (last && partial) digits.remove_suffix(2);
    if (!last) {
      if (!digits.starts_with("x")) {
        return Bad("every index element but the last must be x and 3 digits");
      }
      digits.remove_prefix(1);
    }
    if (digits.size() != 3 || !AllDigits(digits)) {
      return Bad("the index must be written in elements of 3 digits (x001/x234/067)");
    }
    if (i == 2 && !last && digits == "000") return Bad("the index has a leading x000 element");
    const uint64_t group =
        static_cast<uint64_t>((digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0'));
    if (n > (UINT64_MAX - group) / 1000) return Bad("the index is larger than 2^64 - 1");
    n = n * 1000 + group;
  }
  tile.n = n;
  return tile;
}

std::string TilePath(const Tile& tile) {
  std::string digits = std::to_string(tile.n);
  digits.insert(0, (3 - digits.size() % 3) % 3, '0');
  std::string path = "tile/" + std::to_string(tile.level) + "/";
  for (size_t i = 0; i < digits.size(); i += 3) {
    if (i + 3 < digits.size()) path += "x";
    path += digits.substr(i, 3);
    path += i + 3 < digits.size() ? "/" : "";
  }
  if (tile.width < kTileWidth) path += ".p/" + std::to_string(tile.width);
  return path;
}

uint64_t TileLevelHashes(int level, uint64_t size) {
  if (level < 0 || level * kTileHeight >= 64) return 0;
  return size >> (level * kTileHeight);
}

StatusOr<std::string> ReadTile(const Tile& tile, uint64_t size, const HashReader& reader) {
  const uint64_t count = TileLevelHashes(tile.level, size);
  if (tile.width == 0 || tile.width > kTileWidth || tile.n > count / kTileWidth ||
      tile.width > count - tile.n * kTileWidth) {
    return Status::NotFound(TilePath(tile) + " is beyond the tree of " + std::to_string(size) +
                            " leaves (" + std::to_string(count) + " hashes at level " +
                            std::to_string(tile.level) + ")");
  }
  std::vector<StoredHashId> ids(tile.width);
  for (uint64_t i = 0; i < tile.width; ++i) {
    ids[i] = StoredHashId{tile.level * kTileHeight, tile.n * kTileWidth + i};
  }
  std::vector<Hash> hashes(tile.width);
  STATELOG_RETURN_IF_ERROR(reader.ReadHashes(ids, hashes));
  std::string out;
  out.reserve(hashes.size() * 32);
  for (const Hash& h : hashes) out.append(reinterpret_cast<const char*>(h.data()), 32);
  return out;
}

}  // namespace statelog::tlog
