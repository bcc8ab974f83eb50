// Proof verification, RFC 9162 sections 2.1.3.2 and 2.1.4.2 (iterative: no tree, no recursion).
#include <string>

#include "statelog/tlog.h"

namespace statelog::tlog {
namespace {

std::string Leaves(uint64_t n) { return std::to_string(n) + (n == 1 ? " leaf" : " leaves"); }

Status WrongLength(std::string_view what, size_t got, size_t want) {
  return Status::InvalidArgument(std::string(what) + " has " + std::to_string(got) +
                                 " hashes; it needs " + std::to_string(want));
}

// Unreachable once the length is checked; kept so that no path reads past the proof.
Status Shapeless(std::string_view what) {
  return Status::InvalidArgument(std::string(what) + " does not fit the tree's shape");
}

}  // namespace

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return Status::InvalidArgument("leaf " + std::to_string(index) + " is not in a tree of " +
                                   Leaves(size));
  }
  const std::string what =
      "the inclusion proof of leaf " + std::to_string(index) + " in a tree of " + Leaves(size);
  if (size_t want = InclusionProofSize(index, size); proof.size() != want) {
    return WrongLength(what, proof.size(), want);
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Shapeless(what);
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Shapeless(what);
  if (r != root) {
    return Status::Corruption(what + " leads to root " + HashToBase64(r) + ", not " +
                              HashToBase64(root));
  }
  return Status::OK();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof) {
  if (old_size > new_size) {
    return Status::InvalidArgument("a tree of " + Leaves(old_size) +
                                   " cannot be a prefix of a tree of " + Leaves(new_size));
  }
  const std::string what = "the consistency proof from size " + std::to_string(old_size) +
                           " to size " + std::to_string(new_size);
  if (size_t want = ConsistencyProofSize(old_size, new_size); proof.size() != want) {
    return WrongLength(what, proof.size(), want);
  }
  if (old_size == 0) {
    if (old_root != EmptyTreeHash()) {
      return Status::Corruption("a tree of 0 leaves has root " + HashToBase64(EmptyTreeHash()) +
                                ", not " + HashToBase64(old_root));
    }
    return Status::OK();
  }
  if (old_size == new_size) {
    if (old_root != new_root) {
      return Status::Corruption("two trees of " + Leaves(old_size) + " with different roots " +
                                HashToBase64(old_root) + " and " + HashToBase64(new_root));
    }
    return Status::OK();
  }
  // When the old tree is a complete subtree, its root is the proof's implicit first hash.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if ((old_size & (old_size - 1)) == 0) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Shapeless(what);
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Shapeless(what);
  if (fr != old_root) {
    return Status::Corruption(what + " leads to old root " + HashToBase64(fr) + ", not " +
                              HashToBase64(old_root));
  }
  if (sr != new_root) {
    return Status::Corruption(what + " leads to new root " + HashToBase64(sr) + ", not " +
                              HashToBase64(new_root));
  }
  return Status::OK();
}

}  // namespace statelog::tlog
