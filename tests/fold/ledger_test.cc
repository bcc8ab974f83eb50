// The Ledger's checked append path: Nitro proofs and legality, all or nothing, idempotent retries,
// and a cache that is never stale under concurrent appends.
#include "statelog/ledger.h"

#include <gtest/gtest.h>

#include <thread>

#include "fold_test_util.h"
#include "statelog/nitro.h"
#include "statelog/reconstruct.h"
#include "statelog/verify.h"

namespace statelog {
namespace {

using demo::Actor;
using demo::ChannelScript;

constexpr Timestamp kStart = 1'700'000'000'000'000;

struct Fixture {
  std::unique_ptr<MemoryEventStore> store = MemoryEventStore::Create();
  std::unique_ptr<SnapshotStore> snaps = SnapshotStore::NewMemory();
  std::unique_ptr<Ledger> ledger = Ledger::Open(store.get(), snaps.get()).value();
};

TEST(LedgerTest, RefusesForgedProofsWithTheLogUnchanged) {
  Fixture f;
  ChannelScript s(Actor::Alice(), Actor::Bob(), 1, kStart, Uint256(5));
  ASSERT_TRUE(f.ledger->Append(s.ChannelCreated()).ok());
  Event good = s.Sign(Actor::Bob(), 0);
  auto body = std::get<events::StateReceived>(good.body);
  std::string before = testing::Fingerprint(*f.store);

  auto expect_refused = [&](events::StateReceived b, std::string_view why) {
    Event e = Event::Make(good.timestamp, b);
    auto r = f.ledger->Append(e);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
    EXPECT_NE(r.status().message().find(why), std::string_view::npos) << r.status().ToString();
    EXPECT_EQ(testing::Fingerprint(*f.store), before);
  };
  auto wrong_hash = body;
  wrong_hash.state_hash.bytes[3] ^= 1;
  expect_refused(wrong_hash, "is not the hash of the state");
  auto wrong_state = body;
  wrong_state.state.turn_num = 1;  // the hash and signature were for turn 0
  expect_refused(wrong_state, "is not the hash of the state");
  auto forged = body;
  forged.signer = Actor::Alice().address;  // Bob signed, the event claims Alice
  expect_refused(forged, "signature recovers to " + Actor::Bob().address.ToHex());
  auto bad_sig = body;
  bad_sig.signature.bytes[64] = 29;
  expect_refused(bad_sig, "state signature is invalid");
  auto other_channel = body;
  other_channel.channel_id.bytes[0] ^= 1;
  expect_refused(other_channel, "is not the hash of the state");

  Event fake_channel = s.ChannelCreated();
  auto cc = std::get<events::ChannelCreated>(fake_channel.body);
  cc.fixed.channel_nonce++;
  auto r = f.ledger->Append(Event::Make(fake_channel.timestamp, cc));
  EXPECT_NE(r.status().message().find("is not the id of the fixed part"), std::string_view::npos);

  Event voucher = s.Voucher(Actor::Alice(), Uint256(3));
  auto vb = std::get<events::VoucherSent>(voucher.body);
  vb.amount = Uint256(30);  // signed for 3
  r = f.ledger->Append(Event::Make(voucher.timestamp, vb));
  EXPECT_NE(r.status().message().find("voucher signature recovers to"), std::string_view::npos)
      << r.status().ToString();
  EXPECT_EQ(testing::Fingerprint(*f.store), before);
  EXPECT_TRUE(f.ledger->Append(good).ok());
  EXPECT_TRUE(f.ledger->Append(voucher).ok());
}

TEST(LedgerTest, IdempotentRetryAndAllOrNothingBatch) {
  Fixture f;
  ChannelScript s(Actor::Alice(), Actor::Bob(), 2, kStart, Uint256(5));
  Event created = s.ChannelCreated();
  auto first = f.ledger->Append(created);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->appended);
  auto again = f.ledger->Append(created);
  ASSERT_TRUE(again.ok()) << "a retry of an event already in the log is not illegal";
  EXPECT_FALSE(again->appended);
  EXPECT_EQ(again->offset, first->offset);
  EXPECT_EQ(*f.store->Length(), 1u);

  // The third event is illegal (turn 0 again with a different outcome): none is appended.
  Event a = s.Sign(Actor::Alice(), 0);
  Event b = s.Sign(Actor::Bob(), 0);
  s.Transfer(Actor::Alice(), Uint256(1));
  Event c = s.Sign(Actor::Bob(), 0);
  std::string before = testing::Fingerprint(*f.store);
  std::vector<Event> batch = {a, b, c};
  auto r = f.ledger->AppendBatch(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().message().starts_with("event 2 (state_received)"))
      << r.status().ToString();
  EXPECT_EQ(testing::Fingerprint(*f.store), before);
  std::vector<Event> legal = {a, b};
  auto ok = f.ledger->AppendBatch(legal);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*f.store->Length(), 3u);
  EXPECT_EQ(f.ledger->Channel(s.id())->latest_supported, 0u);
}

// A retry is recognised by its id; an event whose id is that of a stored event but whose content
// is not (the id does not hash from it) is refused, not reported as already present: alone, in a
// batch of retries only, and in a batch with new events.
TEST(LedgerTest, ForgedIdOfAStoredEventIsNoRetry) {
  Fixture f;
  ChannelScript s(Actor::Alice(), Actor::Bob(), 3, kStart, Uint256(5));
  const Event created = s.ChannelCreated();
  const Event signed_a = s.Sign(Actor::Alice(), 0);
  ASSERT_TRUE(f.ledger->AppendBatch(std::vector<Event>{created, signed_a}).ok());
  Event forged = s.Sign(Actor::Bob(), 0);
  forged.id = signed_a.id;  // claims to be the stored event
  const std::string before = testing::Fingerprint(*f.store);
  const std::string expected = "id " + signed_a.id.ToHex() +
                               " does not match the event's content: expected " +
                               ComputeEventId(forged.timestamp, forged.body).ToHex();
  auto alone = f.ledger->Append(forged);
  ASSERT_FALSE(alone.ok()) << "a forged id was taken for a retry";
  EXPECT_TRUE(alone.status().IsInvalidArgument()) << alone.status().ToString();
  EXPECT_NE(alone.status().message().find(expected), std::string_view::npos)
      << alone.status().ToString();
  auto retries = f.ledger->AppendBatch(std::vector<Event>{created, forged});
  ASSERT_FALSE(retries.ok());
  EXPECT_EQ(retries.status().index(), std::optional<size_t>(1)) << retries.status().ToString();
  auto mixed =
      f.ledger->AppendBatch(std::vector<Event>{forged, s.Voucher(Actor::Alice(), Uint256(1))});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().index(), std::optional<size_t>(0)) << mixed.status().ToString();
  EXPECT_EQ(testing::Fingerprint(*f.store), before);
  // Control: the true retry is still answered from the log.
  auto retry = f.ledger->Append(signed_a);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_FALSE(retry->appended);
}

// The cache folds the Ledger's own appends from memory. Whatever the batch holds (events already
// in the log before, between or after new ones) and whoever else appended in between, the cached
// view equals a fold of the log.
TEST(LedgerTest, CacheOfOwnAppendsEqualsAFoldOfTheLog) {
  Fixture f;
  ChannelScript s(Actor::Alice(), Actor::Bob(), 41, kStart, Uint256(5));
  std::vector<Event> life = s.DirectFundingLifecycle(3);
  ASSERT_GE(life.size(), 10u);
  auto expect_view_is_fold = [&](const char* when) {
    auto cached = f.ledger->View();
    auto folded = Reconstructor(f.store.get()).FullFold(*f.store->Length());
    ASSERT_TRUE(cached.ok() && folded.ok()) << when;
    EXPECT_EQ(*cached, *folded) << when;
    EXPECT_EQ(cached->length, *f.store->Length()) << when;
  };
  std::vector<Event> first(life.begin(), life.begin() + 3);
  ASSERT_TRUE(f.ledger->AppendBatch(first).ok());
  expect_view_is_fold("a batch of new events");
  // Retries before, between and after new events: only the new ones are appended.
  std::vector<Event> mixed = {life[1], life[3], life[2], life[4], life[0]};
  auto r = f.ledger->AppendBatch(mixed);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE((*r)[0].appended);
  EXPECT_TRUE((*r)[1].appended);
  EXPECT_TRUE((*r)[3].appended);
  EXPECT_EQ((*r)[3].offset, (*r)[1].offset + 1);
  expect_view_is_fold("a batch with retries");
  // Another writer appends to the log behind the Ledger's back; the Ledger's next append lands
  // after it, and the cache must not skip it.
  ASSERT_TRUE(f.store->Append(life[5]).ok());
  ASSERT_TRUE(f.ledger->Append(life[6]).ok());
  expect_view_is_fold("an append after another writer's");
  std::vector<Event> rest(life.begin() + 7, life.end());
  ASSERT_TRUE(f.ledger->AppendBatch(rest).ok());
  expect_view_is_fold("the rest of the lifecycle");
  EXPECT_TRUE(f.ledger->Channel(s.id())->concluded);
}

// Several threads append the lifecycles of their own channels through one Ledger while readers
// query the cache: every read is a state some prefix of the log produces, never a stale one.
TEST(LedgerConcurrencyTest, CacheNeverStaleUnderConcurrentAppends) {
  Fixture f;
  constexpr int kThreads = 4;
  std::vector<std::vector<Event>> lives;
  std::vector<ChannelId> ids;
  for (int t = 0; t < kThreads; ++t) {
    ChannelScript s(Actor::Alice(), Actor::Bob(), 500 + t, kStart, Uint256(10));
    lives.push_back(s.DirectFundingLifecycle(5));
    ids.push_back(s.id());
  }
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (const Event& e : lives[t]) {
        auto r = f.ledger->Append(e);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        // Read-your-writes: the cache already reflects this append.
        auto c = f.ledger->Channel(ids[t]);
        if (e.channel() != nullptr) {
          ASSERT_TRUE(c.ok());
          EXPECT_GE(c->last_offset, r->offset);
        }
      }
    });
  }
  std::thread reader([&] {
    while (!done.load()) {
      auto view = f.ledger->View();
      ASSERT_TRUE(view.ok());
      EXPECT_LE(view->length, *f.store->Length());
    }
  });
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  auto cached = f.ledger->View();
  auto folded = Reconstructor(f.store.get()).FullFold(*f.store->Length());
  ASSERT_TRUE(cached.ok() && folded.ok());
  EXPECT_EQ(*cached, *folded);
  for (const ChannelId& id : ids) EXPECT_TRUE(cached->channels.at(id).concluded);
}

// The interleaving the race tests hit by chance, made deterministic: a reject decided against a
// view taken before another writer's approve. With the decision's expectation (the objective
// stream's version in that view) the append is a Conflict and the log stays legal; the control,
// the same append without the expectation, goes in and leaves a log that no longer verifies.
TEST(LedgerTest, ADecisionOnAnOldViewIsAConflict) {
  Fixture f;
  ChannelScript s(Actor::Alice(), Actor::Bob(), 31, kStart, Uint256(5));
  ASSERT_TRUE(f.ledger->Append(s.ChannelCreated()).ok());
  ASSERT_TRUE(f.ledger->Append(s.ObjectiveCreated(s.funding(), false)).ok());
  auto old_view = f.ledger->View();
  ASSERT_TRUE(old_view.ok());
  const uint64_t version = old_view->objectives.at(s.funding()).event_count;

  auto other = Ledger::Open(f.store.get(), f.snaps.get()).value();
  ChannelScript later = s;
  ASSERT_TRUE(other->Append(s.ObjectiveApproved(s.funding())).ok());

  const Event reject = later.ObjectiveRejected(later.funding(), "decided on an old view");
  AppendOptions decided;
  decided.expected_streams.push_back({ObjectiveStream(s.funding()), version});
  const std::string before = testing::Fingerprint(*f.store);
  auto r = f.store->Append(reject, decided);
  ASSERT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
  EXPECT_EQ(r.status().message(),
            "expected objective " + s.funding().ToString() + " at version 1; it is at version 2");
  EXPECT_EQ(testing::Fingerprint(*f.store), before) << "a conflict leaves the log byte-identical";
  // Through the Ledger, the same event is re-decided against the current state: illegal.
  auto checked = f.ledger->Append(reject);
  EXPECT_EQ(checked.status().code(), StatusCode::kFailedPrecondition)
      << checked.status().ToString();
  EXPECT_TRUE(VerifyLog(*f.store).status.ok());

  // Control: without the expectation, the stale decision goes in and the log is illegal.
  ASSERT_TRUE(f.store->Append(reject).ok());
  EXPECT_TRUE(VerifyLog(*f.store).status.IsCorruption());
}

// A caller's own expectation is checked and its Conflict returned as such, not retried.
TEST(LedgerTest, CallersExpectedLengthIsHonoured) {
  Fixture f;
  ChannelScript s(Actor::Alice(), Actor::Bob(), 32, kStart, Uint256(5));
  const Event created = s.ChannelCreated();
  ASSERT_TRUE(f.ledger->Append(created).ok());
  AppendOptions stale;
  stale.expected_length = 0;
  const Event signed_state = s.Sign(Actor::Alice(), 0);
  auto r = f.ledger->Append(signed_state, stale);
  ASSERT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
  EXPECT_EQ(r.status().message(), "expected the log to hold 0 records; it holds 1");
  AppendOptions current;
  current.expected_length = 1;
  auto ok = f.ledger->Append(signed_state, current);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->offset, 1u);
  // An idempotent retry checks no expectation.
  auto again = f.ledger->Append(created, stale);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->appended);
}

// A batch's refused event is named by its index, as data.
TEST(LedgerTest, RefusedBatchEventIndexIsData) {
  Fixture f;
  ChannelScript s(Actor::Alice(), Actor::Bob(), 33, kStart, Uint256(5));
  std::vector<Event> batch = {s.ChannelCreated(), s.Sign(Actor::Alice(), 0),
                              s.ObjectiveCompleted(s.funding())};
  auto r = f.ledger->AppendBatch(batch);
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.status().index().has_value());
  EXPECT_EQ(*r.status().index(), 2u);
  EXPECT_EQ(r.status().ToString(), "FailedPrecondition: event 2 (objective_completed): objective " +
                                       s.funding().ToString() + " does not exist");
}

// Proofs of a batch are checked on several threads: of two forged events, the earlier one is
// named, whatever the thread count, and nothing is appended; the good batch then appends the
// same offsets with one thread or many.
TEST(LedgerTest, ParallelProofChecksNameTheFirstForgedEvent) {
  ChannelScript s(Actor::Alice(), Actor::Bob(), 34, kStart, Uint256(1000));
  std::vector<Event> good = s.DirectFundingLifecycle(300);
  ASSERT_GT(good.size(), 300u);
  auto forge = [](const Event& voucher) {
    auto body = std::get<events::VoucherSent>(voucher.body);
    (void)Uint256::CheckedAdd(body.amount, Uint256(1), &body.amount);  // not what was signed
    return Event::Make(voucher.timestamp, body);
  };
  // Events 14.. are the vouchers (DirectFundingLifecycle).
  std::vector<Event> forged = good;
  forged[250] = forge(good[250]);
  forged[40] = forge(good[40]);
  std::vector<std::string> fingerprints;
  for (unsigned threads : {1u, 2u, 7u, 0u}) {
    SCOPED_TRACE(threads);
    auto store = MemoryEventStore::Create();
    auto snaps = SnapshotStore::NewMemory();
    LedgerOptions options;
    options.proof_threads = threads;
    auto ledger = Ledger::Open(store.get(), snaps.get(), options).value();
    auto r = ledger->AppendBatch(forged);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
    ASSERT_TRUE(r.status().index().has_value());
    EXPECT_EQ(*r.status().index(), 40u) << r.status().ToString();
    EXPECT_TRUE(r.status().message().starts_with("event 40 (voucher_sent): voucher signature"))
        << r.status().ToString();
    EXPECT_EQ(*store->Length(), 0u);
    auto ok = ledger->AppendBatch(good);
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    ASSERT_EQ(ok->size(), good.size());
    for (size_t i = 0; i < ok->size(); ++i) EXPECT_EQ((*ok)[i].offset, i);
    fingerprints.push_back(testing::Fingerprint(*store));
  }
  for (const std::string& f : fingerprints) EXPECT_EQ(f, fingerprints[0]);
}

}  // namespace
}  // namespace statelog
