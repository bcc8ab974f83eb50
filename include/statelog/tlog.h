// The log's Merkle tree (RFC 9162 section 2.1, SHA-256): leaf and node hashes, the stored hashes
// of every complete subtree, the tree hash at any size, inclusion and consistency proofs and their
// verification. docs/tlog-format.md defines every value;
// docs/adr/0016-merkle-tree-and-checkpoints.md says why the tree is stored this way.
//
// Nothing here knows the log: the hashes come through a HashReader, which a store implements over
// what it keeps. Every proof and tree hash costs O(log n) stored-hash reads, in one ReadHashes
// call.
//
// Errors: a proof that does not verify is Corruption, naming what differs; malformed input (an
// index beyond the tree, a proof of the wrong length) is InvalidArgument; a HashReader's errors
// are returned as they are.
//
// Thread safety: every function is thread-safe; a RightEdge is a value (one writer at a time).
#ifndef STATELOG_TLOG_H_
#define STATELOG_TLOG_H_

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/bytes.h"
#include "statelog/status.h"

namespace statelog::tlog {

// A SHA-256 value: a leaf, node or tree hash.
using Hash = FixedBytes<32>;

// Returns SHA-256(data).
Hash Sha256(std::span<const uint8_t> data);
Hash Sha256(std::string_view data);
// Returns SHA-256(0x00 || leaf).
Hash LeafHash(std::span<const uint8_t> leaf);
Hash LeafHash(std::string_view leaf);
// Returns SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// Returns SHA-256() (no input): the hash of the empty tree.
Hash EmptyTreeHash();

// The complete subtree of 2^level leaves [n * 2^level, (n + 1) * 2^level). Level 0 is a leaf.
struct StoredHashId {
  int level = 0;
  uint64_t n = 0;
  friend auto operator<=>(const StoredHashId&, const StoredHashId&) = default;
};
// Returns "(level L, n N)" for messages.
std::string ToString(const StoredHashId& id);

struct StoredHash {
  StoredHashId id;
  Hash hash;
  friend bool operator==(const StoredHash&, const StoredHash&) = default;
};

// The number of stored hashes a tree of `size` leaves has: 2 * size - popcount(size).
uint64_t StoredHashCount(uint64_t size);
// The position of stored(level, n) in the order the hashes are completed (leaves appended in
// order, each leaf's level-0 hash first): Go's sumdb/tlog StoredHashIndex.
uint64_t StoredHashIndex(int level, uint64_t n);

// Reads stored hashes. Implemented by each store over what it keeps, and by tests.
class HashReader {
 public:
  virtual ~HashReader() = default;
  // Sets out[i] to the stored hash ids[i], for every i (out.size() == ids.size()). A hash that is
  // not stored is an error naming it (Corruption for a store that should hold it).
  virtual Status ReadHashes(std::span<const StoredHashId> ids, std::span<Hash> out) const = 0;
};

// The right edge of a tree: the roots of the complete subtrees that make up its size, one per
// set bit of the size, largest first. What appending needs: a leaf's new stored hashes are node
// hashes of these roots and the leaf's hash. At most 64 hashes.
class RightEdge {
 public:
  // The empty tree.
  RightEdge() = default;
  // Reads the right edge of a tree of `size` leaves: popcount(size) stored hashes, one call.
  static StatusOr<RightEdge> Read(uint64_t size, const HashReader& reader);

  uint64_t size() const { return size_; }
  // Appends one leaf whose leaf hash is `leaf_hash`, and appends to *out the stored hashes it
  // completes, level 0 first (1 + the number of trailing one-bits of the leaf's index). Reads
  // nothing.
  void Append(const Hash& leaf_hash, std::vector<StoredHash>* out);
  // The tree hash at size(): EmptyTreeHash() for an empty tree.
  Hash Root() const;
  // The roots, largest subtree first.
  std::span<const Hash> roots() const { return roots_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> roots_;
};

// Returns the tree hash of the first `size` leaves (RFC 9162 MTH): popcount(size) reads.
StatusOr<Hash> TreeHash(uint64_t size, const HashReader& reader);

// Returns RFC 9162's inclusion proof PATH(index, D[size]), leaf to root: at most
// ceil(log2 size) hashes, at most 2 log2(size) reads in one call. InvalidArgument unless
// index < size.
StatusOr<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t size, const HashReader& reader);
// Returns RFC 9162's consistency proof PROOF(old_size, D[new_size]): at most
// ceil(log2 new_size) + 1 hashes. Empty when old_size is 0 or equal to new_size.
// InvalidArgument unless old_size <= new_size.
StatusOr<std::vector<Hash>> ProveConsistency(uint64_t old_size, uint64_t new_size,
                                             const HashReader& reader);

// The number of hashes ProveInclusion(index, size) returns. REQUIRES: index < size.
size_t InclusionProofSize(uint64_t index, uint64_t size);
// The number of hashes ProveConsistency(old_size, new_size) returns.
// REQUIRES: old_size <= new_size.
size_t ConsistencyProofSize(uint64_t old_size, uint64_t new_size);

// RFC 9162 section 2.1.3.2: OK when `proof` shows that the leaf with `leaf_hash` is leaf `index`
// of the tree of `size` leaves whose hash is `root`. InvalidArgument when index >= size or the
// proof has the wrong number of hashes for (index, size); Corruption when the root it leads to is
// not `root`.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);
// RFC 9162 section 2.1.4.2: OK when `proof` shows that the tree of `old_size` leaves with hash
// `old_root` is a prefix of the tree of `new_size` leaves with hash `new_root`. From size 0 the
// proof must be empty and `old_root` the empty tree's hash; at equal sizes, empty with equal
// roots. InvalidArgument for sizes out of order or a proof of the wrong length; Corruption when a
// root differs.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof);

// ---- Tiles (C2SP tlog-tiles): the stored hashes served in blocks of 256, so that a client
// computes every tree hash and proof itself.

// The height of a tile: a tile of level L holds stored hashes of tree level L * 8.
inline constexpr int kTileHeight = 8;
// The hashes in a full tile.
inline constexpr uint64_t kTileWidth = uint64_t{1} << kTileHeight;

// Tile N of level L: the stored hashes (L * 8, N * 256 + i) for i < width, in order. A tile of
// width 256 is full; a narrower one is partial.
struct Tile {
  int level = 0;
  uint64_t n = 0;
  uint64_t width = kTileWidth;
  friend bool operator==(const Tile&, const Tile&) = default;
};

// Parses a tile path of tlog-tiles, without the leading slash: "tile/<L>/<N>" or
// "tile/<L>/<N>.p/<W>", L a decimal from 0 to 63, N in 3-digit elements all but the last
// prefixed with "x" (1234067 is "x001/x234/067"), W from 1 to 255; no leading zeros in L or W.
// InvalidArgument saying what is wrong otherwise ("entries" tiles are not hash tiles).
StatusOr<Tile> ParseTilePath(std::string_view path);
// The path of `tile`, as ParseTilePath reads it.
std::string TilePath(const Tile& tile);
// The hashes of tree level `level` a tree of `size` leaves has: size >> (level * 8) per tile
// level, i.e. the complete subtrees of 2^(level * 8) leaves.
uint64_t TileLevelHashes(int level, uint64_t size);
// Returns `tile`'s bytes in a tree of `size` leaves read through `reader`: its hashes (32 bytes
// each) concatenated, read in one call. NotFound when the tree has fewer hashes at its level than
// the tile holds: a tile beyond the tree. A partial tile narrower than the tree's is served (its
// hashes never change), as is the prefix of a full one.
StatusOr<std::string> ReadTile(const Tile& tile, uint64_t size, const HashReader& reader);

// Base64 of a hash (44 characters), as checkpoints and proof files write it.
std::string HashToBase64(const Hash& hash);
// Parses HashToBase64's form; InvalidArgument naming the problem otherwise.
StatusOr<Hash> HashFromBase64(std::string_view text);

}  // namespace statelog::tlog

#endif  // STATELOG_TLOG_H_
