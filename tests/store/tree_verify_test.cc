// VerifyLog recomputes the Merkle tree a store keeps (ADR-0016): a damaged stored hash, a leaf's
// or a node's, is Corruption at the first offset it covers; the untouched log verifies.
#include <gtest/gtest.h>

#include "demo/scenario.h"
#include "statelog/ledger.h"
#include "statelog/verify.h"
#include "store/staged_tree_backend.h"

namespace statelog::test {
namespace {

class TreeVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto backend = std::make_unique<StagedTreeBackend>();
    backend_ = backend.get();
    store_ = EventStore::Open(std::move(backend)).value();
    demo::ChannelScript s(demo::Actor::Alice(), demo::Actor::Bob(), 5, 1'700'000'000'000'000,
                          Uint256(10));
    events_ = s.DirectFundingLifecycle(3);
    for (const Event& e : events_) ASSERT_TRUE(store_->Append(e).ok());
    ASSERT_GE(events_.size(), 12u);
  }
  StagedTreeBackend* backend_ = nullptr;
  std::unique_ptr<EventStore> store_;
  std::vector<Event> events_;
};

TEST_F(TreeVerifyTest, ControlTheUntouchedLogVerifies) {
  VerifyReport report = VerifyLog(*store_);
  EXPECT_TRUE(report.status.ok()) << report.status.ToString();
  EXPECT_TRUE(store_->log().VerifyTree(events_.size()).ok());
}

TEST_F(TreeVerifyTest, DamagedLeafHashIsFoundAtItsOffset) {
  backend_->Tamper({0, 7}, tlog::Sha256("damage"));
  VerifyReport report = VerifyLog(*store_);
  EXPECT_TRUE(report.status.IsCorruption()) << report.status.ToString();
  EXPECT_EQ(report.first_bad_offset, Offset{7});
  EXPECT_NE(report.status.message().find("stored hash (level 0, n 7)"), std::string::npos)
      << report.status.ToString();
}

TEST_F(TreeVerifyTest, DamagedNodeHashIsFoundAtTheFirstRecordItCovers) {
  backend_->Tamper({2, 1}, tlog::Sha256("damage"));  // records 4 to 7
  Offset bad = 0;
  Status s = store_->log().VerifyTree(events_.size(), &bad);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(bad, 4u);
  EXPECT_NE(s.message().find("(records 4 to 7)"), std::string::npos) << s.ToString();
  EXPECT_EQ(VerifyLog(*store_).first_bad_offset, Offset{4});
}

}  // namespace
}  // namespace statelog::test
