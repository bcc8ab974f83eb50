// The fold, reconstruction and time travel over real signed Nitro histories.
#include "statelog/reconstruct.h"

#include <gtest/gtest.h>

#include "fold_test_util.h"
#include "statelog/ledger.h"

namespace statelog {
namespace {

using demo::Actor;
using demo::ChannelScript;

constexpr Timestamp kStart = 1'700'000'000'000'000;

// The seeds' integration test: create -> approve -> complete gives Completed, event_count 3.
TEST(ReconstructTest, SeedObjectiveLifecycle) {
  auto store = MemoryEventStore::Create();
  ChannelScript s(Actor::Alice(), Actor::Bob(), 1, kStart, Uint256(5));
  testing::AppendAll(*store, {s.ObjectiveCreated(s.funding(), false),
                              s.ObjectiveApproved(s.funding()), s.ObjectiveCompleted(s.funding())});
  Reconstructor r(store.get());
  auto state = r.Objective(s.funding());
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->status, ObjectiveStatus::kCompleted);
  EXPECT_EQ(state->event_count, 3u);
  EXPECT_EQ(state->first_offset, 0u);
  EXPECT_EQ(state->last_offset, 2u);
  EXPECT_EQ(state->channels, std::vector<ChannelId>{s.id()});
  // Time travel: after the first event the objective was a proposal waiting for approval.
  auto at0 = r.Objective(s.funding(), 0);
  ASSERT_TRUE(at0.ok());
  EXPECT_EQ(at0->status, ObjectiveStatus::kUnapproved);
  EXPECT_EQ(at0->event_count, 1u);
  EXPECT_EQ(r.Objective(s.funding(), 1)->status, ObjectiveStatus::kApproved);
  EXPECT_TRUE(r.Objective(s.funding(), 3).status().IsOutOfRange());
  EXPECT_TRUE(r.Objective(s.defunding()).status().IsNotFound());
}

// A whole direct-funding lifecycle of a two-party channel, each step visible by time travel.
TEST(ReconstructTest, DirectFundingLifecycleStepByStep) {
  auto store = MemoryEventStore::Create();
  auto snapshots = SnapshotStore::NewMemory();
  auto ledger = Ledger::Open(store.get(), snapshots.get());
  ASSERT_TRUE(ledger.ok());
  ChannelScript s(Actor::Alice(), Actor::Bob(), 7, kStart, Uint256(10));
  std::vector<Event> life = s.DirectFundingLifecycle(4);
  for (const Event& e : life) {
    auto r = (*ledger)->Append(e);
    ASSERT_TRUE(r.ok()) << EventTypeName(e.type()) << ": " << r.status().ToString();
  }
  const Reconstructor r(store.get());
  // Walk the log and check the channel after each of its events.
  uint64_t deposits = 0, vouchers = 0;
  std::optional<uint64_t> supported;
  for (Offset off = 0; off < life.size(); ++off) {
    const Event& e = life[off];
    if (e.type() == EventType::kDepositDetected) ++deposits;
    if (e.type() == EventType::kVoucherSent) ++vouchers;
    if (e.channel() == nullptr || e.type() == EventType::kChannelCreated) continue;
    auto c = r.Channel(s.id(), off);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->last_offset, off);
    if (e.type() == EventType::kDepositDetected) {
      EXPECT_EQ(c->holdings.at(Address{}), Uint256(10 * deposits));
    }
    if (e.type() == EventType::kVoucherSent) {
      EXPECT_EQ(c->paid, Uint256(vouchers));
    }
    if (c->latest_supported != supported) {
      ASSERT_TRUE(c->latest_supported.has_value());  // support never goes away
      if (supported) {
        EXPECT_GT(*c->latest_supported, *supported);
      }
      supported = c->latest_supported;
    }
  }
  auto final_state = r.Channel(s.id());
  ASSERT_TRUE(final_state.ok());
  EXPECT_TRUE(final_state->concluded);
  EXPECT_EQ(final_state->latest_supported, 2u);
  ASSERT_NE(final_state->LatestSupported(), nullptr);
  EXPECT_TRUE(final_state->LatestSupported()->state.is_final);
  // The final outcome moved the 4 paid units from Alice to Bob.
  const auto& allocs = final_state->LatestSupported()->state.outcome[0].allocations;
  EXPECT_EQ(allocs[0].amount, Uint256(6));
  EXPECT_EQ(allocs[1].amount, Uint256(14));
  EXPECT_EQ(final_state->holdings.at(Address{}), Uint256(0));  // withdrawn
  // Only the latest supported turn is kept; the pre-fund and post-fund turns it superseded are
  // in the log, and a reconstruction that keeps every turn has them with both signatures.
  EXPECT_EQ(final_state->states.size(), 1u);
  EXPECT_EQ(final_state->states.count(2), 1u);
  auto every_turn = r.Channel(s.id(), std::nullopt, TurnRetention::kAll);
  ASSERT_TRUE(every_turn.ok());
  ASSERT_EQ(every_turn->states.size(), 3u);
  EXPECT_EQ(every_turn->states.at(0).signatures.size(), 2u);
  EXPECT_EQ(every_turn->states.at(1).signatures.size(), 2u);
  EXPECT_EQ(every_turn->states.at(2), final_state->states.at(2));
  EXPECT_EQ(r.Objective(s.funding())->status, ObjectiveStatus::kCompleted);
  EXPECT_EQ(r.Objective(s.defunding())->status, ObjectiveStatus::kCompleted);
  EXPECT_EQ(r.Objective(s.defunding())->waiting_for, ObjectiveStep::kNothing);
  // The pre-fund state alone was supported before the post-fund state.
  Offset post_fund_first = 10;  // Sign(me, 1) in DirectFundingLifecycle
  EXPECT_EQ(r.Channel(s.id(), post_fund_first)->latest_supported, 0u);
  // The node view agrees with the per-entity reconstructions.
  auto view = r.View();
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->channels.at(s.id()), *final_state);
  EXPECT_EQ(view->objectives.at(s.funding()), *r.Objective(s.funding()));
  // And the cache agrees too.
  EXPECT_EQ(*(*ledger)->Channel(s.id()), *final_state);
}

TEST(ReconstructTest, OneChannelReadsOnlyItsEvents) {
  std::vector<Event> history = testing::RandomHistory(6, 3);
  testing::VectorStore store(testing::Chained(history));
  ChannelScript probe(Actor::Alice(), Actor::Irene(), 3 * 1000 + 1, kStart, Uint256(10));
  uint64_t own = store.ChannelOffsets(probe.id(), *store.Length())->size();
  ASSERT_GT(own, 5u);
  uint64_t before = store.reads();
  Reconstructor r(&store);
  ASSERT_TRUE(r.Channel(probe.id()).ok());
  // The first read of a Reconstructor also reads the log's first event, for its rules.
  EXPECT_EQ(store.reads() - before, own + 1) << "reconstruction read events of other entities";
  before = store.reads();
  ASSERT_TRUE(r.Channel(probe.id()).ok());
  EXPECT_EQ(store.reads() - before, own) << "the log's rules are read once";
}

TEST(ReconstructTest, IllegalImportedHistoryNamesTheOffset) {
  ChannelScript s(Actor::Alice(), Actor::Bob(), 9, kStart, Uint256(5));
  std::vector<Event> log = {s.ObjectiveCreated(s.funding(), false),  // Unapproved
                            s.ChannelCreated(), s.ObjectiveCompleted(s.funding())};
  testing::VectorStore store(testing::Chained(log));
  Reconstructor r(&store);
  auto o = r.Objective(s.funding());
  ASSERT_FALSE(o.ok());
  EXPECT_TRUE(o.status().IsCorruption());
  EXPECT_EQ(o.status().message(),
            "offset 2 (objective_completed): cannot complete an objective that is Unapproved "
            "(must be Approved)");
  auto v = r.View();
  EXPECT_EQ(v.status(), o.status());
  // Before the bad event the history is fine.
  EXPECT_TRUE(r.View(1).ok());
}

struct IllegalCase {
  const char* name;
  std::function<std::vector<Event>(ChannelScript&)> history;  // the last event is illegal
  const char* expected;
};

TEST(FoldTest, RefusesIllegalHistory) {
  Actor alice = Actor::Alice(), bob = Actor::Bob();
  std::vector<IllegalCase> cases = {
      {"state for unknown channel", [&](ChannelScript& s) { return std::vector{s.Sign(alice, 0)}; },
       "does not exist"},
      {"second channel_created",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.ChannelCreated()};
       },
       "already exists"},
      {"deposit after conclusion",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.Concluded(1), s.Deposit(Uint256(1))};
       },
       "deposit after the channel concluded"},
      {"completed before approved",
       [&](ChannelScript& s) {
         return std::vector{s.ObjectiveCreated(s.funding(), false),
                            s.ObjectiveCompleted(s.funding())};
       },
       "cannot complete an objective that is Unapproved"},
      {"approve twice",
       [&](ChannelScript& s) {
         return std::vector{s.ObjectiveCreated(s.funding(), true),
                            s.ObjectiveApproved(s.funding())};
       },
       "cannot approve an objective that is Approved"},
      {"reject after approval",
       [&](ChannelScript& s) {
         return std::vector{
             s.ObjectiveCreated(s.funding(), true),
             Event::Make(s.now() + 5000, events::ObjectiveRejected{s.funding(), "x"})};
       },
       "cannot reject an objective that is Approved"},
      {"defunding step in funding",
       [&](ChannelScript& s) {
         return std::vector{s.ObjectiveCreated(s.funding(), true),
                            s.ObjectiveProgressed(s.funding(), ObjectiveStep::kWithdraw)};
       },
       "step Withdraw is not a step of DirectFunding"},
      {"signer not a participant",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.Sign(Actor::Ivan(), 0)};
       },
       "is not a participant"},
      {"conflicting state for a turn",
       [&](ChannelScript& s) {
         Event created = s.ChannelCreated();
         Event a = s.Sign(alice, 1);
         s.Transfer(alice, Uint256(1));
         return std::vector{created, a, s.Sign(bob, 1)};
       },
       "turn 1 already has a different state"},
      {"voucher going down",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.Voucher(alice, Uint256(5)),
                            s.Voucher(alice, Uint256(4))};
       },
       "voucher amount 4 is below the previous voucher's 5"},
      {"clearing by a turn that is not newer",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.ChallengeRegistered(4, 100),
                            s.ChallengeCleared(4)};
       },
       "cleared by turn 4, which is not newer"},
      {"challenge behind the last cleared one",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.ChallengeRegistered(4, 100),
                            s.ChallengeCleared(5), s.ChallengeRegistered(3, 200)};
       },
       "below turn 5 of the last cleared challenge"},
      {"clearing without a challenge",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.ChallengeCleared(3)};
       },
       "none is registered"},
      {"allocation update raising holdings",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.AllocationUpdated(Uint256(3))};
       },
       "allocation update raises holdings"},
      {"concluded twice",
       [&](ChannelScript& s) {
         return std::vector{s.ChannelCreated(), s.Concluded(1), s.Concluded(2)};
       },
       "already concluded"},
  };
  for (const auto& c : cases) {
    ChannelScript s(alice, bob, 77, kStart, Uint256(5));
    std::vector<Event> history = c.history(s);
    // Through the domain API: refused, log unchanged.
    auto store = MemoryEventStore::Create();
    auto snaps = SnapshotStore::NewMemory();
    auto ledger = Ledger::Open(store.get(), snaps.get());
    ASSERT_TRUE(ledger.ok());
    for (size_t i = 0; i + 1 < history.size(); ++i) {
      ASSERT_TRUE((*ledger)->Append(history[i]).ok()) << c.name;
    }
    std::string before = testing::Fingerprint(*store);
    auto r = (*ledger)->Append(history.back());
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << c.name;
    EXPECT_NE(r.status().message().find(c.expected), std::string_view::npos)
        << c.name << ": " << r.status().ToString();
    EXPECT_EQ(testing::Fingerprint(*store), before) << c.name;
    // Imported anyway: reconstruction names the offset.
    testing::VectorStore imported(testing::Chained(history));
    auto view = Reconstructor(&imported).View();
    ASSERT_FALSE(view.ok()) << c.name;
    EXPECT_TRUE(view.status().message().starts_with("offset " + std::to_string(history.size() - 1)))
        << view.status().ToString();
  }
}

// A channel's state keeps the latest supported turn and the turns after it; a state for a turn
// below the latest supported one is stale and changes nothing (go-nitro's rule), whatever it
// signs. Keeping every turn changes which turns are kept, never what is legal.
TEST(FoldTest, SupersededTurnsAreDroppedAndStaleStatesIgnored) {
  Actor alice = Actor::Alice(), bob = Actor::Bob();
  ChannelScript s(alice, bob, 78, kStart, Uint256(5));
  std::vector<Event> history = {s.ChannelCreated(), s.Sign(alice, 0), s.Sign(bob, 0),
                                s.Sign(alice, 1)};
  Event bob_1 = s.Sign(bob, 1);
  s.Transfer(alice, Uint256(1));
  history.push_back(s.Sign(alice, 2));  // a turn after 1, before 1 is supported
  history.push_back(Event::Make(history.back().timestamp + 1, bob_1.body));  // in time order
  history.push_back(s.Sign(bob, 0));  // stale by the time it lands: a different turn-0 state
  // Ledger-checked: every event is legal, the stale one included.
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  auto ledger = Ledger::Open(store.get(), snaps.get());
  ASSERT_TRUE(ledger.ok());
  for (size_t i = 0; i < history.size(); ++i) {
    auto appended = (*ledger)->Append(history[i]);
    ASSERT_TRUE(appended.ok()) << i << ": " << appended.status().ToString();
  }
  Reconstructor r(store.get());
  auto before_support = r.Channel(s.id(), 4);  // turns 0 (supported), 1 and 2
  ASSERT_TRUE(before_support.ok());
  EXPECT_EQ(before_support->latest_supported, 0u);
  EXPECT_EQ(before_support->states.size(), 3u);
  auto now =
      r.Channel(s.id());  // turn 1 supported: turn 0 dropped, the stale event changed nothing
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->latest_supported, 1u);
  ASSERT_EQ(now->states.size(), 2u);
  EXPECT_EQ(now->states.count(1), 1u);
  EXPECT_EQ(now->states.count(2), 1u);
  EXPECT_EQ(now->event_count, 7u);  // the stale event is applied and counted
  EXPECT_EQ(now->last_offset, 6u);
  auto every = r.Channel(s.id(), std::nullopt, TurnRetention::kAll);
  ASSERT_TRUE(every.ok());
  ASSERT_EQ(every->states.size(), 3u);
  // Turn 0 as it was supported: the stale state did not replace it.
  EXPECT_EQ(every->states.at(0), before_support->states.at(0));
  EXPECT_EQ(every->states.at(1), now->states.at(1));
  // The node view keeps what the one-channel reconstruction keeps.
  auto view = r.View();
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->channels.at(s.id()), *now);
}

TEST(FoldTest, ChallengeRegisteredThenCleared) {
  auto store = MemoryEventStore::Create();
  ChannelScript s(Actor::Bob(), Actor::Irene(), 3, kStart, Uint256(5));
  testing::AppendAll(*store, {s.ChannelCreated(), s.ChallengeRegistered(1, 1'700'086'400),
                              s.ChallengeRegistered(2, 1'700'086'500), s.ChallengeCleared(3)});
  Reconstructor r(store.get());
  auto registered = r.Channel(s.id(), 2);
  EXPECT_EQ(registered->challenge, ChallengeStatus::kRegistered);
  EXPECT_EQ(registered->challenge_turn, 2u);
  EXPECT_EQ(registered->challenge_finalizes_at, 1'700'086'500u);
  auto cleared = r.Channel(s.id());
  EXPECT_EQ(cleared->challenge, ChallengeStatus::kCleared);
  EXPECT_EQ(cleared->challenge_turn, 3u);
  EXPECT_EQ(ChallengeStatusName(cleared->challenge), "Cleared");
}

}  // namespace
}  // namespace statelog
