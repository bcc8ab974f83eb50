// Fault injection over every backend of the conformance suite: for every N, the N-th backend
// operation of a realistic workload (a signed channel lifecycle through the Ledger, with reads
// after each append) fails once. Whatever fails must fail visibly (the injected IOError, never a
// wrong answer, a crash or a hang); nothing acknowledged may be lost; once the fault has cleared,
// retrying works; and the final log equals the fault-free one event for event.
#include <gtest/gtest.h>

#include "demo/scenario.h"
#include "statelog/ledger.h"
#include "statelog/reconstruct.h"
#include "statelog/tlog.h"
#include "statelog/verify.h"
#include "store/faulty_backend.h"
#include "store/store_conformance.h"

namespace statelog::test {
namespace {

using demo::Actor;
using demo::ChannelScript;
using AppendFault = FaultyBackend::AppendFault;

constexpr Timestamp kStart = 1'700'000'000'000'000;

std::vector<Event> Workload() {
  ChannelScript s(Actor::Alice(), Actor::Bob(), 77, kStart, Uint256(10));
  return s.DirectFundingLifecycle(2);
}

// The node view after each prefix of the workload, from a fault-free memory store.
std::vector<NodeView> ReferenceViews(const std::vector<Event>& events) {
  auto store = MemoryEventStore::Create();
  std::vector<NodeView> views;
  for (const Event& e : events) {
    EXPECT_TRUE(store->Append(e).ok());
    views.push_back(*Reconstructor(store.get()).FullFold(*store->Length()));
  }
  return views;
}

// An injected failure: the only error allowed, and it names the fault.
void ExpectInjected(const Status& st, const std::string& what) {
  EXPECT_EQ(st.code(), StatusCode::kIOError) << what << ": " << st.ToString();
  EXPECT_NE(st.message().find("injected fault"), std::string_view::npos)
      << what << ": " << st.ToString();
}

// Calls `op` until it succeeds; it may fail at most once (the fault fires once), and only with
// the injected error.
template <class Op>
auto Retry(const std::string& what, Op op) -> decltype(op()) {
  auto r = op();
  if (!r.ok()) {
    ExpectInjected(r.status(), what);
    r = op();
    EXPECT_TRUE(r.ok()) << what << " after the fault cleared: " << r.status().ToString();
  }
  return r;
}

struct Outcome {
  LogImage image;
  std::optional<tlog::Hash> tree_root;  // the Merkle tree's root, for a backend that keeps one
  uint64_t operations = 0;
  bool fired = false;
};

template <typename Factory>
Outcome Run(uint64_t fail_at, AppendFault mode, const std::vector<Event>& events,
            const std::vector<NodeView>& views) {
  std::shared_ptr<LogBackend> backend = Factory::MakeBackend();
  auto plan = std::make_shared<FaultyBackend::Plan>();
  plan->fail_at = fail_at;
  plan->mode = mode;
  Outcome out;
  auto store = Retry("EventStore::Open", [&] {
    return EventStore::Open(std::make_unique<FaultyBackend>(backend, plan));
  });
  if (!store.ok()) return out;
  auto snapshots = SnapshotStore::NewMemory();
  LedgerOptions options;
  options.snapshots.interval = 0;  // the views below are of the workload's events only
  auto ledger =
      Retry("Ledger::Open", [&] { return Ledger::Open(store->get(), snapshots.get(), options); });
  if (!ledger.ok()) return out;
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string what = "append " + std::to_string(i);
    auto r = Retry(what, [&] { return (*ledger)->Append(events[i]); });
    if (!r.ok()) return out;
    EXPECT_EQ(r->offset, i) << what;
    // Reads answer right or fail visibly: never a view of a shorter or different log.
    auto view = Retry("view after " + what, [&] { return (*ledger)->View(); });
    if (view.ok()) {
      EXPECT_EQ(*view, views[i]) << "view after " << what;
    }
    if (const ChannelId* c = events[i].channel()) {
      auto ch = Retry("channel after " + what,
                      [&] { return (*ledger)->Channel(*c, {.as_of = Offset{i}}); });
      if (ch.ok()) {
        EXPECT_EQ(*ch, views[i].channels.at(*c)) << "channel after " << what;
      }
    }
  }
  VerifyReport report = VerifyLog(**store);
  if (!report.status.ok()) {
    // A read fault during verification is reported, not passed: verify again.
    ExpectInjected(report.status, "verify");
    report = VerifyLog(**store);
  }
  EXPECT_TRUE(report.status.ok()) << report.status.ToString();
  out.operations = plan->ops.load();
  out.fired = plan->fired.load();
  plan->fail_at = 0;  // the comparison below is the test's, not the workload's
  out.image = Image(**store);
  if (const tlog::HashReader* tree = (*store)->log().tree()) {
    StatusOr<tlog::Hash> root = tlog::TreeHash(out.image.head.length, *tree);
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    if (root.ok()) out.tree_root = *root;
  }
  return out;
}

template <typename Factory>
class FaultInjectionTest : public ::testing::Test {};
TYPED_TEST_SUITE(FaultInjectionTest, StoreBackends, BackendName);

TYPED_TEST(FaultInjectionTest, EveryOperationFailingOnceIsVisibleAndRecoverable) {
  const std::vector<Event> events = Workload();
  const std::vector<NodeView> views = ReferenceViews(events);
  const Outcome clean = Run<TypeParam>(0, AppendFault::kBefore, events, views);
  ASSERT_FALSE(this->HasFailure());
  ASSERT_EQ(clean.image.head.length, events.size());
  ASSERT_GT(clean.operations, events.size());
  for (AppendFault mode : {AppendFault::kBefore, AppendFault::kAfter}) {
    for (uint64_t n = 1; n <= clean.operations; ++n) {
      SCOPED_TRACE("fault at operation " + std::to_string(n) +
                   (mode == AppendFault::kBefore ? " (before)" : " (after the write)"));
      const Outcome faulty = Run<TypeParam>(n, mode, events, views);
      ASSERT_FALSE(this->HasFailure());
      EXPECT_TRUE(faulty.fired) << "the workload never reached operation " << n;
      EXPECT_EQ(faulty.image, clean.image) << "the log differs from the fault-free one";
      EXPECT_EQ(faulty.tree_root, clean.tree_root) << "the tree differs from the fault-free one";
    }
  }
}

// The control: a backend that drops an acknowledged append (reports success, writes nothing)
// is caught by the same checks, so they would notice a lost event.
class DroppingBackend final : public LogBackend {
 public:
  explicit DroppingBackend(std::unique_ptr<LogBackend> inner) : inner_(std::move(inner)) {}
  bool shared() const override { return inner_->shared(); }
  bool wants_encoded() const override { return inner_->wants_encoded(); }
  bool keeps_tree() const override { return inner_->keeps_tree(); }
  bool wants_tree_hashes() const override { return inner_->wants_tree_hashes(); }
  StatusOr<ChainHead> ReadHead() const override { return inner_->ReadHead(); }
  Status ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                        std::span<tlog::Hash> out) const override {
    return inner_->ReadTreeHashes(ids, out);
  }
  Status Append(const ChainHead& expected, std::span<const StagedRecord> records) override {
    if (++appends_ == 3) return Status::OK();  // acknowledged, never written
    return inner_->Append(expected, records);
  }
  Status ReadRange(Offset b, Offset e, std::vector<StoredRecord>* out) const override {
    return inner_->ReadRange(b, e, out);
  }
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const override {
    return inner_->Find(id);
  }
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view s, Offset before) const override {
    return inner_->StreamOffsets(s, before);
  }
  StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view s,
                                                     Offset before) const override {
    return inner_->ReadStreamTail(s, before);
  }

 private:
  std::unique_ptr<LogBackend> inner_;
  int appends_ = 0;
};

TYPED_TEST(FaultInjectionTest, ControlALostAppendIsNoticed) {
  const std::vector<Event> events = Workload();
  auto store = EventStore::Open(std::make_unique<DroppingBackend>(TypeParam::MakeBackend()));
  ASSERT_TRUE(store.ok());
  bool noticed = false;
  for (const Event& e : events) {
    auto r = (*store)->Append(e);
    noticed = noticed || !r.ok();
  }
  auto length = (*store)->Length();
  noticed = noticed || !length.ok() || *length != events.size() ||
            !VerifyLog(**store).status.ok();
  EXPECT_TRUE(noticed) << "a dropped append went unnoticed";
}

}  // namespace
}  // namespace statelog::test
