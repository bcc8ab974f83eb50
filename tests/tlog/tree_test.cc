// The tree against RFC 9162's worked example and a naive recursive MTH: tree hashes at every
// size, every inclusion proof and every consistency proof of trees of 1 to 300 leaves, proof
// sizes, stored-hash numbering and the number of reads a proof costs.
#include <gtest/gtest.h>

#include <bit>
#include <map>
#include <string>
#include <vector>

#include "statelog/tlog.h"
#include "tlog/memory_hash_store.h"

namespace statelog::tlog {
namespace {

using testing::MemoryHashStore;

std::string LeafBytes(uint64_t i) { return "leaf " + std::to_string(i); }

// The 300 leaves of the property tests, in one array that never moves (NaiveMth's memo keys on
// positions in it).
const std::vector<std::string>& Leaves300() {
  static const std::vector<std::string> leaves = [] {
    std::vector<std::string> v;
    for (uint64_t i = 0; i < 300; ++i) v.push_back(LeafBytes(i));
    return v;
  }();
  return leaves;
}

// RFC 9162 2.1.1, written as the RFC writes it: the reference the stored hashes must match.
// Memoized for spans of Leaves300(), so that every proof of trees up to 300 leaves stays cheap.
Hash NaiveMth(std::span<const std::string> leaves) {
  static std::map<std::pair<const std::string*, size_t>, Hash> memo;
  if (leaves.empty()) return EmptyTreeHash();
  const std::string* all = Leaves300().data();
  const bool memoize = leaves.data() >= all && leaves.data() < all + 300;
  const auto key = std::make_pair(leaves.data(), leaves.size());
  if (auto it = memo.find(key); memoize && it != memo.end()) return it->second;
  Hash h;
  if (leaves.size() == 1) {
    h = LeafHash(leaves[0]);
  } else {
    size_t k = 1;
    while (k * 2 < leaves.size()) k *= 2;
    h = NodeHash(NaiveMth(leaves.subspan(0, k)), NaiveMth(leaves.subspan(k)));
  }
  if (memoize) memo.emplace(key, h);
  return h;
}

// RFC 9162 2.1.3.1 PATH(m, D[n]), recursively.
std::vector<Hash> NaivePath(size_t m, std::span<const std::string> d) {
  if (d.size() == 1) return {};
  size_t k = 1;
  while (k * 2 < d.size()) k *= 2;
  std::vector<Hash> out;
  if (m < k) {
    out = NaivePath(m, d.subspan(0, k));
    out.push_back(NaiveMth(d.subspan(k)));
  } else {
    out = NaivePath(m - k, d.subspan(k));
    out.push_back(NaiveMth(d.subspan(0, k)));
  }
  return out;
}

// RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b), recursively.
std::vector<Hash> NaiveSubproof(size_t m, std::span<const std::string> d, bool b) {
  if (m == d.size()) return b ? std::vector<Hash>{} : std::vector<Hash>{NaiveMth(d)};
  size_t k = 1;
  while (k * 2 < d.size()) k *= 2;
  std::vector<Hash> out;
  if (m <= k) {
    out = NaiveSubproof(m, d.subspan(0, k), b);
    out.push_back(NaiveMth(d.subspan(k)));
  } else {
    out = NaiveSubproof(m - k, d.subspan(k), false);
    out.push_back(NaiveMth(d.subspan(0, k)));
  }
  return out;
}

TEST(TlogHashTest, PrefixesAndEmptyTree) {
  // SHA-256("") and SHA-256("abc") (FIPS 180-2 test vectors).
  EXPECT_EQ(HashToBase64(EmptyTreeHash()), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(Sha256("abc").ToHex(),
            "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(LeafHash("abc"), Sha256(std::string("\0abc", 4)));
  Hash l = Sha256("l"), r = Sha256("r");
  std::string node = "\x01";
  node.append(reinterpret_cast<const char*>(l.data()), 32);
  node.append(reinterpret_cast<const char*>(r.data()), 32);
  EXPECT_EQ(NodeHash(l, r), Sha256(node));
  EXPECT_NE(NodeHash(l, r), NodeHash(r, l));
}

// RFC 9162 2.1.5: the tree of seven leaves d0..d6 and its named nodes.
class RfcExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d = {"d0", "d1", "d2", "d3", "d4", "d5", "d6"};
    for (const std::string& leaf : d) store.AppendLeaf(leaf);
    a = LeafHash(d[0]), b = LeafHash(d[1]), c = LeafHash(d[2]), dd = LeafHash(d[3]);
    e = LeafHash(d[4]), f = LeafHash(d[5]), j = LeafHash(d[6]);
    g = NodeHash(a, b), h = NodeHash(c, dd), i = NodeHash(e, f);
    k = NodeHash(g, h), l = NodeHash(i, j);
    root = NodeHash(k, l);
  }
  std::vector<Hash> Path(uint64_t m) { return ProveInclusion(m, 7, store).value(); }
  std::vector<Hash> Proof(uint64_t m) { return ProveConsistency(m, 7, store).value(); }

  std::vector<std::string> d;
  MemoryHashStore store;
  Hash a, b, c, dd, e, f, g, h, i, j, k, l, root;
};

TEST_F(RfcExampleTest, TreeHash) {
  EXPECT_EQ(TreeHash(7, store).value(), root);
  EXPECT_EQ(HashToBase64(root), "c6WQ+yZrgVVwQLFGudR54qG1hJsSUWdkL1tkhm8dXH0=");  // tlog-format.md
  EXPECT_EQ(TreeHash(3, store).value(), NodeHash(g, c));                          // hash0
  EXPECT_EQ(TreeHash(4, store).value(), k);                                       // hash1
  EXPECT_EQ(TreeHash(6, store).value(), NodeHash(k, i));                          // hash2
}

TEST_F(RfcExampleTest, AuditPaths) {
  EXPECT_EQ(Path(0), (std::vector<Hash>{b, h, l}));
  EXPECT_EQ(Path(3), (std::vector<Hash>{c, g, l}));
  EXPECT_EQ(Path(4), (std::vector<Hash>{f, j, k}));
  EXPECT_EQ(Path(6), (std::vector<Hash>{i, k}));
  for (uint64_t m = 0; m < 7; ++m) {
    EXPECT_TRUE(VerifyInclusion(m, 7, LeafHash(d[m]), Path(m), root).ok()) << m;
  }
}

TEST_F(RfcExampleTest, ConsistencyProofs) {
  EXPECT_EQ(Proof(3), (std::vector<Hash>{c, dd, g, l}));
  EXPECT_EQ(Proof(4), (std::vector<Hash>{l}));
  EXPECT_EQ(Proof(6), (std::vector<Hash>{i, j, k}));
  EXPECT_TRUE(VerifyConsistency(3, 7, NodeHash(g, c), root, Proof(3)).ok());
  EXPECT_TRUE(VerifyConsistency(4, 7, k, root, Proof(4)).ok());
  EXPECT_TRUE(VerifyConsistency(6, 7, NodeHash(k, i), root, Proof(6)).ok());
  // The control: the same proofs against another old root fail.
  EXPECT_TRUE(VerifyConsistency(4, 7, h, root, Proof(4)).IsCorruption());
}

TEST(TlogTreeTest, MatchesNaiveMthAtEverySizeUpTo300) {
  MemoryHashStore store;
  const std::vector<std::string>& leaves = Leaves300();
  for (uint64_t n = 1; n <= 300; ++n) {
    store.AppendLeaf(leaves[n - 1]);
    ASSERT_EQ(store.edge().Root(), NaiveMth(std::span(leaves).first(n))) << n;
  }
  EXPECT_EQ(TreeHash(0, store).value(), EmptyTreeHash());
  for (uint64_t n = 1; n <= 300; ++n) {
    StatusOr<Hash> th = TreeHash(n, store);
    ASSERT_TRUE(th.ok()) << th.status().ToString();
    ASSERT_EQ(*th, NaiveMth(std::span(leaves).first(n))) << n;
    StatusOr<RightEdge> edge = RightEdge::Read(n, store);
    ASSERT_TRUE(edge.ok());
    EXPECT_EQ(edge->size(), n);
    EXPECT_EQ(edge->roots().size(), static_cast<size_t>(std::popcount(n)));
  }
}

TEST(TlogTreeTest, EveryInclusionProofUpTo300MatchesTheRfcAndVerifies) {
  MemoryHashStore store;
  const std::vector<std::string>& leaves = Leaves300();
  for (const std::string& leaf : leaves) store.AppendLeaf(leaf);
  for (uint64_t n = 1; n <= 300; ++n) {
    const std::span<const std::string> d = std::span(leaves).first(n);
    const Hash root = NaiveMth(d);
    for (uint64_t m = 0; m < n; ++m) {
      StatusOr<std::vector<Hash>> p = ProveInclusion(m, n, store);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      ASSERT_EQ(*p, NaivePath(m, d)) << m << " of " << n;
      ASSERT_EQ(p->size(), InclusionProofSize(m, n));
      ASSERT_LE(p->size(), static_cast<size_t>(std::bit_width(n - 1)));  // ceil(log2 n)
      Status ok = VerifyInclusion(m, n, LeafHash(leaves[m]), *p, root);
      ASSERT_TRUE(ok.ok()) << m << " of " << n << ": " << ok.ToString();
      // The control: another leaf's hash at the same place fails.
      ASSERT_FALSE(VerifyInclusion(m, n, LeafHash(leaves[(m + 1) % 300]), *p, root).ok());
    }
  }
}

TEST(TlogTreeTest, EveryConsistencyProofUpTo300MatchesTheRfcAndVerifies) {
  MemoryHashStore store;
  const std::vector<std::string>& leaves = Leaves300();
  std::vector<Hash> roots = {EmptyTreeHash()};
  for (const std::string& leaf : leaves) {
    store.AppendLeaf(leaf);
    roots.push_back(store.edge().Root());
  }
  for (uint64_t n = 1; n <= 300; ++n) {
    for (uint64_t m = 0; m <= n; ++m) {
      StatusOr<std::vector<Hash>> p = ProveConsistency(m, n, store);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      if (m > 0 && m < n) {
        ASSERT_EQ(*p, NaiveSubproof(m, std::span(leaves).first(n), true)) << m << " to " << n;
      } else {
        ASSERT_TRUE(p->empty());
      }
      ASSERT_EQ(p->size(), ConsistencyProofSize(m, n));
      ASSERT_LE(p->size(), static_cast<size_t>(std::bit_width(n - 1)) + 1);
      Status ok = VerifyConsistency(m, n, roots[m], roots[n], *p);
      ASSERT_TRUE(ok.ok()) << m << " to " << n << ": " << ok.ToString();
      // The control: a root of another size as the old root fails.
      if (m < n) {
        ASSERT_FALSE(VerifyConsistency(m, n, roots[m + 1], roots[n], *p).ok());
      }
    }
  }
}

TEST(TlogTreeTest, StoredHashesAreNumberedAsTheyAreCompleted) {
  MemoryHashStore store;
  uint64_t next = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    store.AppendLeaf(LeafBytes(i));
    ASSERT_EQ(store.added().size(), 1u + std::countr_one(i)) << i;
    for (const StoredHash& s : store.added()) {
      ASSERT_EQ(StoredHashIndex(s.id.level, s.id.n), next) << ToString(s.id);
      ++next;
    }
    ASSERT_EQ(StoredHashCount(i + 1), next);
  }
  EXPECT_EQ(StoredHashCount(0), 0u);
  EXPECT_EQ(StoredHashCount(7), 11u);  // 7 leaves, g h i, k: 2 * 7 - 3
}

TEST(TlogTreeTest, ProofsReadLogarithmicallyManyHashesInOneCall) {
  MemoryHashStore store;
  constexpr uint64_t kSize = 100'003;
  for (uint64_t i = 0; i < kSize; ++i) store.AppendLeafHash(Sha256(LeafBytes(i)));
  const uint64_t log2 = std::bit_width(kSize);  // 17
  for (uint64_t m : {uint64_t{0}, uint64_t{1}, uint64_t{65'535}, uint64_t{99'999}, kSize - 1}) {
    store.ResetCounts();
    ASSERT_TRUE(ProveInclusion(m, kSize, store).ok());
    EXPECT_EQ(store.calls(), 1u);
    EXPECT_LE(store.reads(), 2 * log2) << m;
    store.ResetCounts();
    ASSERT_TRUE(ProveConsistency(m + 1, kSize, store).ok());
    EXPECT_LE(store.calls(), 1u);
    EXPECT_LE(store.reads(), 2 * log2) << m;
  }
  store.ResetCounts();
  ASSERT_TRUE(TreeHash(kSize, store).ok());
  EXPECT_EQ(store.reads(), static_cast<uint64_t>(std::popcount(kSize)));
}

TEST(TlogTreeTest, BadArgumentsAndReaderErrors) {
  MemoryHashStore store;
  for (int i = 0; i < 5; ++i) store.AppendLeaf(LeafBytes(i));
  EXPECT_TRUE(ProveInclusion(5, 5, store).status().IsInvalidArgument());
  EXPECT_TRUE(ProveConsistency(6, 5, store).status().IsInvalidArgument());
  // A tree larger than what the store holds: the reader's error comes back as it is.
  Status missing = ProveInclusion(0, 9, store).status();
  EXPECT_TRUE(missing.IsNotFound()) << missing.ToString();
  EXPECT_NE(missing.message().find("(level 2, n 1)"), std::string::npos) << missing.ToString();
  EXPECT_TRUE(VerifyInclusion(3, 3, Hash{}, {}, Hash{}).IsInvalidArgument());
  EXPECT_TRUE(VerifyConsistency(4, 3, Hash{}, Hash{}, {}).IsInvalidArgument());
}

TEST(TlogTreeTest, HashBase64) {
  const Hash h = Sha256("x");
  EXPECT_EQ(HashFromBase64(HashToBase64(h)).value(), h);
  EXPECT_TRUE(HashFromBase64("AAAA").status().IsInvalidArgument());
  EXPECT_TRUE(HashFromBase64("not base64!").status().IsInvalidArgument());
}

}  // namespace
}  // namespace statelog::tlog
