// The tree's hashes, its stored hashes and proof generation (docs/tlog-format.md). A proof is a
// list of ranges [lo, hi) of leaves whose tree hashes it carries; each range is the union of a
// few complete subtrees, whose stored hashes are read in one HashReader call.
#include <crypto++/sha.h>

#include <bit>
#include <cstring>

#include "base/base64.h"
#include "statelog/tlog.h"
#include "tlog/tree_math.h"

namespace statelog::tlog {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// Appends the proof ranges of PATH(m, D[lo:hi]) (RFC 9162 2.1.3.1), leaf to root.
void InclusionRanges(uint64_t m, uint64_t lo, uint64_t hi, std::vector<LeafRange>* out) {
  if (hi - lo == 1) return;
  const uint64_t k = LargestPowerOfTwoBelow(hi - lo);
  if (m < lo + k) {
    InclusionRanges(m, lo, lo + k, out);
    out->push_back({lo + k, hi});
  } else {
    InclusionRanges(m, lo + k, hi, out);
    out->push_back({lo, lo + k});
  }
}

// Appends the proof ranges of SUBPROOF(m, D[lo:hi], whole) (RFC 9162 2.1.4.1), where `m` counts
// leaves from 0, not from lo.
void ConsistencyRanges(uint64_t m, uint64_t lo, uint64_t hi, bool whole,
                       std::vector<LeafRange>* out) {
  if (m == hi) {
    if (!whole) out->push_back({lo, hi});
    return;
  }
  const uint64_t k = LargestPowerOfTwoBelow(hi - lo);
  if (m <= lo + k) {
    ConsistencyRanges(m, lo, lo + k, whole, out);
    out->push_back({lo + k, hi});
  } else {
    ConsistencyRanges(m, lo + k, hi, false, out);
    out->push_back({lo, lo + k});
  }
}

// Appends the complete subtrees that make up [lo, hi), left to right. REQUIRES: lo is a multiple
// of the smallest power of two >= hi - lo (true of every range RFC 9162's recursions produce).
void AppendSubtrees(const LeafRange& range, std::vector<StoredHashId>* out) {
  for (uint64_t lo = range.lo; lo < range.hi;) {
    const int level = std::bit_width(range.hi - lo) - 1;
    out->push_back({level, lo >> level});
    lo += uint64_t{1} << level;
  }
}

// Returns the tree hash of each range, reading every subtree hash in one call.
StatusOr<std::vector<Hash>> RangeHashes(std::span<const LeafRange> ranges,
                                        const HashReader& reader) {
  std::vector<StoredHashId> ids;
  std::vector<size_t> ends;  // ids of ranges[i] end at ends[i]
  ends.reserve(ranges.size());
  for (const LeafRange& r : ranges) {
    AppendSubtrees(r, &ids);
    ends.push_back(ids.size());
  }
  std::vector<Hash> stored(ids.size());
  STATELOG_RETURN_IF_ERROR(reader.ReadHashes(ids, stored));
  std::vector<Hash> out;
  out.reserve(ranges.size());
  size_t begin = 0;
  for (size_t end : ends) {
    // MTH of a range: the node hash of its first subtree and the rest, right to left.
    Hash h = stored[end - 1];
    for (size_t j = end - 1; j > begin; --j) h = NodeHash(stored[j - 1], h);
    out.push_back(h);
    begin = end;
  }
  return out;
}

}  // namespace

uint64_t LargestPowerOfTwoBelow(uint64_t n) { return uint64_t{1} << (std::bit_width(n - 1) - 1); }

Hash Sha256(std::span<const uint8_t> data) {
  Hash out;
  CryptoPP::SHA256().CalculateDigest(out.data(), data.data(), data.size());
  return out;
}

Hash Sha256(std::string_view data) {
  return Sha256(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Hash LeafHash(std::span<const uint8_t> leaf) {
  CryptoPP::SHA256 h;
  h.Update(&kLeafPrefix, 1);
  h.Update(leaf.data(), leaf.size());
  Hash out;
  h.Final(out.data());
  return out;
}

Hash LeafHash(std::string_view leaf) {
  return LeafHash(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(leaf.data()), leaf.size()));
}

Hash NodeHash(const Hash& left, const Hash& right) {
  uint8_t buf[1 + 2 * Hash::kSize];
  buf[0] = kNodePrefix;
  std::memcpy(buf + 1, left.data(), Hash::kSize);
  std::memcpy(buf + 1 + Hash::kSize, right.data(), Hash::kSize);
  return Sha256(buf);
}

Hash EmptyTreeHash() { return Sha256(std::string_view()); }

std::string ToString(const StoredHashId& id) {
  return "(level " + std::to_string(id.level) + ", n " + std::to_string(id.n) + ")";
}

uint64_t StoredHashCount(uint64_t size) { return 2 * size - std::popcount(size); }

uint64_t StoredHashIndex(int level, uint64_t n) {
  // The hashes of leaves [0, last) come first, then those of leaf `last` below `level`.
  const uint64_t last = ((n + 1) << level) - 1;
  return StoredHashCount(last) + static_cast<uint64_t>(level);
}

StatusOr<RightEdge> RightEdge::Read(uint64_t size, const HashReader& reader) {
  std::vector<StoredHashId> ids;
  for (uint64_t lo = 0; lo < size;) {
    const int level = std::bit_width(size - lo) - 1;
    ids.push_back({level, lo >> level});
    lo += uint64_t{1} << level;
  }
  RightEdge edge;
  edge.roots_.resize(ids.size());
  STATELOG_RETURN_IF_ERROR(reader.ReadHashes(ids, edge.roots_));
  edge.size_ = size;
  return edge;
}

void RightEdge::Append(const Hash& leaf_hash, std::vector<StoredHash>* out) {
  Hash h = leaf_hash;
  uint64_t n = size_;
  int level = 0;
  out->push_back({{0, n}, h});
  // Each trailing one-bit of the index closes a subtree with the root on the edge to its left.
  while (n & 1) {
    h = NodeHash(roots_.back(), h);
    roots_.pop_back();
    n >>= 1;
    ++level;
    out->push_back({{level, n}, h});
  }
  roots_.push_back(h);
  ++size_;
}

Hash RightEdge::Root() const {
  if (roots_.empty()) return EmptyTreeHash();
  Hash h = roots_.back();
  for (size_t j = roots_.size() - 1; j > 0; --j) h = NodeHash(roots_[j - 1], h);
  return h;
}

StatusOr<Hash> TreeHash(uint64_t size, const HashReader& reader) {
  STATELOG_ASSIGN_OR_RETURN(RightEdge edge, RightEdge::Read(size, reader));
  return edge.Root();
}

StatusOr<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t size,
                                           const HashReader& reader) {
  if (index >= size) {
    return Status::InvalidArgument("no inclusion proof of leaf " + std::to_string(index) +
                                   " in a tree of " + std::to_string(size) + " leaves");
  }
  std::vector<LeafRange> ranges;
  InclusionRanges(index, 0, size, &ranges);
  return RangeHashes(ranges, reader);
}

StatusOr<std::vector<Hash>> ProveConsistency(uint64_t old_size, uint64_t new_size,
                                             const HashReader& reader) {
  if (old_size > new_size) {
    return Status::InvalidArgument("no consistency proof from size " + std::to_string(old_size) +
                                   " to the smaller size " + std::to_string(new_size));
  }
  if (old_size == 0 || old_size == new_size) return std::vector<Hash>{};
  std::vector<LeafRange> ranges;
  ConsistencyRanges(old_size, 0, new_size, true, &ranges);
  return RangeHashes(ranges, reader);
}

size_t InclusionProofSize(uint64_t index, uint64_t size) {
  size_t count = 0;
  for (uint64_t lo = 0, hi = size; hi - lo > 1; ++count) {
    const uint64_t k = LargestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      hi = lo + k;
    } else {
      lo += k;
    }
  }
  return count;
}

size_t ConsistencyProofSize(uint64_t old_size, uint64_t new_size) {
  if (old_size == 0 || old_size == new_size) return 0;
  size_t count = 0;
  uint64_t lo = 0, hi = new_size;
  bool whole = true;
  while (old_size != hi) {
    const uint64_t k = LargestPowerOfTwoBelow(hi - lo);
    if (old_size <= lo + k) {
      hi = lo + k;
    } else {
      lo += k;
      whole = false;
    }
    ++count;
  }
  return count + (whole ? 0 : 1);
}

std::string HashToBase64(const Hash& hash) {
  std::string out;
  AppendBase64(hash.span(), &out);
  return out;
}

StatusOr<Hash> HashFromBase64(std::string_view text) {
  Bytes bytes;
  STATELOG_RETURN_IF_ERROR(DecodeBase64(text, &bytes));
  if (bytes.size() != Hash::kSize) {
    return Status::InvalidArgument("a hash is 32 bytes, this base64 holds " +
                                   std::to_string(bytes.size()));
  }
  return Hash::FromSpan(bytes);
}

}  // namespace statelog::tlog
