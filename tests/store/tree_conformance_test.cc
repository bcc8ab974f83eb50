// The EventStore conformance suite, part 3: the Merkle tree a backend keeps beside the log
// (docs/adr/0016-merkle-tree-and-checkpoints.md) agrees with the log. Leaf i is the canonical
// encoding of the event at offset i; every tree hash, inclusion proof and consistency proof read
// through the log's tree is checked against a tree built here from the events read back. A
// refused batch leaves the tree as it was; a retry adds nothing.
#include <string>
#include <vector>

#include "statelog/codec.h"
#include "statelog/tlog.h"
#include "store/store_conformance.h"

namespace statelog::test {
namespace {

template <typename Factory>
class StoreTreeTest : public StoreTest<Factory> {};
TYPED_TEST_SUITE(StoreTreeTest, StoreBackends, BackendName);

// The RFC 9162 tree hash of `leaves`, recursively, as the RFC defines it.
tlog::Hash Mth(std::span<const std::string> leaves) {
  if (leaves.empty()) return tlog::EmptyTreeHash();
  if (leaves.size() == 1) return tlog::LeafHash(leaves[0]);
  size_t k = 1;
  while (k * 2 < leaves.size()) k *= 2;
  return tlog::NodeHash(Mth(leaves.first(k)), Mth(leaves.subspan(k)));
}

// Checks the log's tree against its events at every size; returns the leaves.
std::vector<std::string> CheckTree(const EventStore& store) {
  const LogImage image = Image(store);
  const tlog::HashReader* tree = store.log().tree();
  EXPECT_NE(tree, nullptr);
  if (tree == nullptr) return {};
  std::vector<tlog::Hash> roots = {tlog::EmptyTreeHash()};
  for (uint64_t n = 1; n <= image.encoded.size(); ++n) {
    roots.push_back(Mth(std::span(image.encoded).first(n)));
    StatusOr<tlog::Hash> th = tlog::TreeHash(n, *tree);
    EXPECT_TRUE(th.ok()) << th.status().ToString();
    if (!th.ok() || *th != roots.back()) {
      ADD_FAILURE() << "tree hash at size " << n << " differs from the events' tree";
      return image.encoded;
    }
  }
  const uint64_t size = image.encoded.size();
  for (uint64_t m = 0; m < size; ++m) {
    StatusOr<std::vector<tlog::Hash>> p = tlog::ProveInclusion(m, size, *tree);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) break;
    EXPECT_TRUE(
        tlog::VerifyInclusion(m, size, tlog::LeafHash(image.encoded[m]), *p, roots[size]).ok())
        << "offset " << m;
    StatusOr<std::vector<tlog::Hash>> c = tlog::ProveConsistency(m + 1, size, *tree);
    EXPECT_TRUE(c.ok() && tlog::VerifyConsistency(m + 1, size, roots[m + 1], roots[size], *c).ok())
        << "from " << m + 1;
  }
  // Nothing past the head is readable through the log's tree.
  EXPECT_FALSE(tlog::TreeHash(size + 1, *tree).ok());
  return image.encoded;
}

TYPED_TEST(StoreTreeTest, TreeAgreesWithTheLog) {
  if (this->store().log().tree() == nullptr) GTEST_SKIP() << "this backend keeps no tree yet";
  EXPECT_EQ(tlog::TreeHash(0, *this->store().log().tree()).value(), tlog::EmptyTreeHash());
  const std::vector<Event> events = InterleavedEvents(3, 12, 1000);
  // One at a time, then batches of several sizes, with retries between them.
  size_t i = 0;
  for (; i < 5; ++i) ASSERT_TRUE(this->store().Append(events[i]).ok());
  for (size_t batch : {1, 2, 3, 7, 11}) {
    std::vector<Event> b(events.begin() + i, events.begin() + i + batch);
    ASSERT_TRUE(this->store().AppendBatch(b).ok());
    ASSERT_TRUE(this->store().AppendBatch(b).ok());  // a retry appends nothing
    i += batch;
  }
  for (; i < events.size(); ++i) ASSERT_TRUE(this->store().Append(events[i]).ok());
  const std::vector<std::string> leaves = CheckTree(this->store());
  ASSERT_EQ(leaves.size(), events.size());
  // The control: one changed byte of an event fails its proof.
  const tlog::HashReader& tree = *this->store().log().tree();
  std::string changed = leaves[9];
  changed[changed.size() / 2] ^= 1;
  EXPECT_TRUE(tlog::VerifyInclusion(9, leaves.size(), tlog::LeafHash(changed),
                                    tlog::ProveInclusion(9, leaves.size(), tree).value(),
                                    Mth(leaves))
                  .IsCorruption());
}

TYPED_TEST(StoreTreeTest, RefusedBatchLeavesTheTreeAsItWas) {
  if (this->store().log().tree() == nullptr) GTEST_SKIP() << "this backend keeps no tree yet";
  this->AppendAll(ChannelEvents(0, 5, 100));
  const tlog::Hash before = tlog::TreeHash(5, *this->store().log().tree()).value();
  // The second record goes back in time for channel 0: nothing of the batch is appended.
  auto r =
      this->store().AppendBatch(std::vector<Event>{DepositEvent(1, 1, 10), DepositEvent(0, 9, 99)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(tlog::TreeHash(5, *this->store().log().tree()).value(), before);
  EXPECT_FALSE(tlog::TreeHash(6, *this->store().log().tree()).ok());
  // The next append extends the tree from where it was.
  this->AppendAll({DepositEvent(1, 1, 10), DepositEvent(2, 1, 10)});
  CheckTree(this->store());
}

}  // namespace
}  // namespace statelog::test
