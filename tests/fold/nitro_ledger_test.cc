// Rule set 2 for ledger channels, virtual funding and virtual defunding: the whole Nitro story as
// each of its nodes records it is accepted and verifies, and a minimal change that breaks one rule
// is refused with its exact message, the log unchanged (docs/architecture/nitro-rules.md).
#include <gtest/gtest.h>

#include "demo/network.h"
#include "fold/nitro_rules.h"
#include "node_log.h"
#include "statelog/ledger.h"
#include "statelog/nitro.h"
#include "statelog/verify.h"

namespace statelog {
namespace {

using demo::Actor;
using demo::LedgerChannel;
using demo::Network;
using demo::VirtualChannel;

using testing::kStart;
using testing::NodeLog;

// Alice and Bob each fund a ledger with Irene (the hub); Alice leads hers, Bob leads his.
struct Hub {
  Actor alice = Actor::Alice(), irene = Actor::Irene(), bob = Actor::Bob();
  Network net{kStart};
  LedgerChannel& la = net.FundLedger(alice, irene, 1, Uint256(100), Uint256(100));
  LedgerChannel& lb = net.FundLedger(bob, irene, 2, Uint256(50), Uint256(100));
};

Proposal Add(const ChannelId& target, uint64_t amount, const Actor& left, const Actor& right,
             uint64_t left_amount) {
  return {ProposalKind::kAdd,
          target,
          Uint256(amount),
          ToDestination(left.address),
          ToDestination(right.address),
          Uint256(left_amount)};
}

// A channel id no channel has.
ChannelId Target(uint8_t b) {
  ChannelId id;
  id.bytes.fill(b);
  return id;
}

TEST(NitroLedgerTest, EveryNodeOfTheStoryAcceptsItsLog) {
  Hub h;
  h.net.RejectLedger(Actor::Ivan(), h.irene, 3);
  h.net.RegisterChallenge(h.la, 1'700'086'400);
  VirtualChannel& v = h.net.FundVirtual({h.alice, h.irene, h.bob}, {&h.la, &h.lb}, 4, Uint256(40));
  h.net.ClearChallenge(h.la);
  for (int i = 0; i < 5; ++i) h.net.Pay(v, Uint256(5));
  h.net.DefundVirtual(v);
  h.net.DefundLedger(h.la, 1'700'100'000);
  for (const Actor& who : {h.alice, h.irene, h.bob}) {
    SCOPED_TRACE(who.name);
    NodeLog log(who);
    log.Accept(h.net.Log(who.address));
    VerifyReport report = VerifyLog(*log.store);
    EXPECT_TRUE(report.status.ok()) << report.status.ToString();
    // Alice's ledger is closed: Irene got the 25 Alice paid Bob, and paid them on in Bob's.
    auto la = log.ledger->Channel(h.la.id);
    if (la.ok()) {
      const auto& out = la->LatestSupported()->state.outcome[0].allocations;
      EXPECT_EQ(out[0].amount, Uint256(75));
      EXPECT_EQ(out[1].amount, Uint256(125));
      EXPECT_TRUE(la->concluded);
    }
    auto lb = log.ledger->Channel(h.lb.id);
    if (lb.ok()) {
      const auto& out = lb->LatestSupported()->state.outcome[0].allocations;
      EXPECT_EQ(out.size(), 2u) << "the guarantee was removed";
      EXPECT_EQ(out[0].amount, Uint256(75));
      EXPECT_EQ(out[1].amount, Uint256(75));
    }
  }
}

// ---- Ledger proposals (B5, E1-E4, C4)

TEST(NitroLedgerTest, TheLeaderProposesTheNextTurn) {
  Hub h;
  NodeLog irene(h.irene);
  irene.Accept(h.net.Log(h.irene.address));
  Proposal p = Add(Target(7), 10, h.alice, h.irene, 10);
  VariablePart next = ApplyLedgerProposal(h.la.consensus, p).value();
  VariablePart jump = next;
  jump.turn_num = 3;
  irene.Refuse(irene.Proposed(h.alice, h.la.id, p, jump),
               "proposal for turn 3: the leader's next proposal is for turn 2");
  // The follower countersigns only what the leader proposed.
  NodeLog alice(h.alice);
  alice.Accept(h.net.Log(h.alice.address));
  alice.Refuse(alice.Proposed(h.irene, h.la.id, p, next),
               "the follower countersigns only the leader's proposal, and there is none for "
               "turn 2");
  // The leader's proposal is recorded; the next one builds on it.
  irene.Accept({irene.Proposed(h.alice, h.la.id, p, next)});
  Proposal q = Add(Target(8), 5, h.alice, h.irene, 5);
  irene.Accept({irene.Proposed(h.alice, h.la.id, q, ApplyLedgerProposal(next, q).value())});
  EXPECT_EQ(irene.ledger->Channel(h.la.id)->latest_supported, 1u) << "not countersigned yet";
}

TEST(NitroLedgerTest, GuaranteeArithmetic) {
  Hub h;
  NodeLog irene(h.irene);
  irene.Accept(h.net.Log(h.irene.address));
  VariablePart any = h.la.consensus;
  any.turn_num = 2;
  auto refuse = [&](const Proposal& p, std::string_view why) {
    irene.Refuse(irene.Proposed(h.alice, h.la.id, p, any), why);
  };
  refuse(Add(Target(7), 500, h.alice, h.irene, 150),
         "insufficient funds: the left side holds 100 and would deposit 150");
  refuse(Add(Target(7), 500, h.alice, h.irene, 100),
         "insufficient funds: the right side holds 100 and would deposit 400");
  refuse(Add(Target(7), 5, h.alice, h.irene, 6),
         "the left deposit 6 exceeds the guarantee's amount 5");
  refuse(Proposal{ProposalKind::kRemove, Target(7), Uint256(), {}, {}, Uint256(1)},
         "no guarantee for " + Target(7).ToHex() + " to remove");
  refuse(Proposal{ProposalKind::kRemove, Target(7), Uint256(3), {}, {}, Uint256(1)},
         "a remove proposal carries no amount, left or right");
  // A proposal whose state is not what the proposal leads to.
  refuse(Add(Target(7), 10, h.alice, h.irene, 10),
         "the proposal's state is not the ledger state the proposal leads to from turn 1");
  // A guarantee added twice.
  Proposal p = Add(Target(7), 10, h.alice, h.irene, 10);
  VariablePart two = ApplyLedgerProposal(h.la.consensus, p).value();
  irene.Accept({irene.Proposed(h.alice, h.la.id, p, two)});
  VariablePart three = two;
  three.turn_num = 3;
  irene.Refuse(irene.Proposed(h.alice, h.la.id, p, three),
               "duplicate guarantee for " + Target(7).ToHex());
  // Ledger states have no app data and are never final.
  VariablePart with_data = ApplyLedgerProposal(two, Add(Target(8), 1, h.alice, h.irene, 1)).value();
  with_data.app_data = {1};
  irene.Refuse(irene.Proposed(h.alice, h.la.id, Add(Target(8), 1, h.alice, h.irene, 1), with_data),
               "a ledger state has no app data and is not final");
}

TEST(NitroLedgerTest, LedgerTurnsAreProposalsNotStates) {
  Hub h;
  NodeLog irene(h.irene);
  irene.Accept(h.net.Log(h.irene.address));
  VariablePart next = h.la.consensus;
  next.turn_num = 2;
  irene.Refuse(irene.State(h.alice, h.la.id, next),
               "ledger channel " + h.la.id.ToHex() + " changes its outcome only by proposals");
}

TEST(NitroLedgerTest, TheNodeAddsAGuaranteeOnlyForItsVirtualFunding) {
  Hub h;
  NodeLog irene(h.irene);
  irene.Accept(h.net.Log(h.irene.address));
  Proposal p = Add(Target(7), 10, h.alice, h.irene, 10);
  VariablePart next = ApplyLedgerProposal(h.la.consensus, p).value();
  irene.Accept({irene.Proposed(h.alice, h.la.id, p, next)});
  irene.Refuse(irene.Proposed(h.irene, h.la.id, p, next),
               "this node adds a guarantee only under an approved VirtualFund-" +
                   Target(7).ToHex() + " objective that owns ledger channel " + h.la.id.ToHex());
}

// ---- Virtual funding (D1, E5, H5) and defunding (C5, F7, D4)

// The virtual channel [Alice, Irene, Bob] up to its prefund, as `who` records it; the funding's
// events after that are the test's.
struct Funding {
  Hub h;
  FixedPart fixed;
  ChannelId v;
  VariablePart prefund;

  Funding() {
    for (const Actor& a : {h.alice, h.irene, h.bob}) fixed.participants.push_back(a.address);
    fixed.channel_nonce = 9;
    fixed.challenge_duration = 86400;
    v = nitro::ComputeChannelId(fixed);
    SingleAssetExit native;
    native.allocations = {Allocation{ToDestination(h.alice.address), Uint256(40), 0, {}},
                          Allocation{ToDestination(h.bob.address), Uint256(0), 0, {}}};
    prefund.outcome = {native};
  }
  // Irene's log: the ledgers, the objective approved and the prefund signed by all three.
  void Prefund(NodeLog& irene) {
    irene.Accept(h.net.Log(h.irene.address));
    ObjectiveId vf{ObjectiveKind::kVirtualFund, v};
    irene.Accept({irene.Body(events::ObjectiveCreated{vf, {v, h.la.id, h.lb.id}, false}),
                  irene.Body(events::ObjectiveApproved{vf}),
                  irene.Body(events::ChannelCreated{v, fixed})});
    for (const Actor& a : {h.alice, h.irene, h.bob}) irene.Accept({irene.State(a, v, prefund)});
  }
};

TEST(NitroLedgerTest, GuaranteesAreTheVirtualChannelsFunding) {
  Funding f;
  NodeLog irene(f.h.irene);
  f.Prefund(irene);
  const Hub& h = f.h;
  // Irene is the follower in both ledgers; in Bob's she is the left side.
  Proposal wrong_amount = Add(f.v, 30, h.alice, h.irene, 30);
  VariablePart next = ApplyLedgerProposal(h.la.consensus, wrong_amount).value();
  irene.Accept({irene.Proposed(h.alice, h.la.id, wrong_amount, next)});
  irene.Refuse(irene.Proposed(h.irene, h.la.id, wrong_amount, next),
               "the guarantee for " + f.v.ToHex() + " is 40 with 40 from the left, not 30 with 30");
  Proposal reversed = Add(f.v, 40, h.bob, h.irene, 40);
  VariablePart in_b = ApplyLedgerProposal(h.lb.consensus, reversed).value();
  irene.Accept({irene.Proposed(h.bob, h.lb.id, reversed, in_b)});
  irene.Refuse(irene.Proposed(h.irene, h.lb.id, reversed, in_b),
               "the guarantee's left and right are the virtual channel's participants " +
                   h.irene.address.ToHex() + " and " + h.bob.address.ToHex());
}

TEST(NitroLedgerTest, AVirtualPostfundWaitsForItsGuarantees) {
  Funding f;
  NodeLog irene(f.h.irene);
  f.Prefund(irene);
  VariablePart postfund = f.prefund;
  postfund.turn_num = 1;
  const std::string missing = "ledger channel " + f.h.la.id.ToHex() +
                              " does not yet guarantee virtual channel " + f.v.ToHex();
  irene.Refuse(irene.State(f.h.irene, f.v, postfund), missing);
  // An intermediary completes once its ledgers guarantee the channel.
  irene.Refuse(irene.Body(events::ObjectiveCompleted{{ObjectiveKind::kVirtualFund, f.v}}),
               "cannot complete VirtualFund-" + f.v.ToHex() + ": " + missing);
}

TEST(NitroLedgerTest, VirtualDefundingPaysThePayeeAtLeastItsVouchers) {
  Hub h;
  VirtualChannel& v = h.net.FundVirtual({h.alice, h.irene, h.bob}, {&h.la, &h.lb}, 4, Uint256(40));
  for (int i = 0; i < 5; ++i) h.net.Pay(v, Uint256(5));
  NodeLog bob(h.bob);
  bob.Accept(h.net.Log(h.bob.address));
  ObjectiveId vd{ObjectiveKind::kVirtualDefund, v.id};
  bob.Accept({bob.Body(events::ObjectiveCreated{vd, {v.id, h.lb.id}, false}),
              bob.Body(events::ObjectiveApproved{vd})});
  auto final_state = [&](uint64_t alice, uint64_t to_bob, uint64_t turn = 2) {
    VariablePart s;
    SingleAssetExit native;
    native.allocations = {Allocation{ToDestination(h.alice.address), Uint256(alice), 0, {}},
                          Allocation{ToDestination(h.bob.address), Uint256(to_bob), 0, {}}};
    s.outcome = {native};
    s.turn_num = turn;
    s.is_final = true;
    return s;
  };
  bob.Refuse(bob.State(h.alice, v.id, final_state(30, 10)),
             "payment amount 10 is less than the largest voucher received, 25");
  bob.Refuse(bob.State(h.alice, v.id, final_state(30, 20)),
             "the final outcome is not balanced: the payer pays 10, the payee receives 20");
  bob.Refuse(bob.State(h.alice, v.id, final_state(15, 25, 3)),
             "virtual defunding's final state is turn 2 and final");
  bob.Accept({bob.State(h.alice, v.id, final_state(15, 25))});
  // Completion waits for the final state to be supported and the guarantee to be removed.
  bob.Refuse(bob.Body(events::ObjectiveCompleted{vd}),
             "cannot complete VirtualDefund-" + v.id.ToHex() +
                 ": its channel has no supported final state");
}

// ---- Challenges (G5)

TEST(NitroLedgerTest, AChallengeRecordsItsCandidate) {
  Hub h;
  NodeLog irene(h.irene);
  irene.Accept(h.net.Log(h.irene.address));
  auto raised = [&](const VariablePart& state, std::vector<events::StateSignature> sigs) {
    events::ChallengeCandidate c;
    c.state = state;
    c.state_hash = nitro::ComputeStateHash(h.la.id, state);
    c.signatures = std::move(sigs);
    c.finalizes_at = 1'700'086'400;
    c.block_number = 500;
    return irene.Body(events::ChallengeRaised{h.la.id, std::move(c)});
  };
  auto sign = [&](const demo::Actor& who, const VariablePart& state) {
    return events::StateSignature{
        who.address, nitro::SignHash(nitro::ComputeStateHash(h.la.id, state), who.key).value()};
  };
  // Rule set 2 records a challenge with its candidate, not the turn alone.
  irene.Refuse(irene.Body(events::ChallengeRegistered{h.la.id, 1, 1'700'086'400, 500}),
               "under rule set 2 a challenge is recorded with its candidate state "
               "(challenge_raised)");
  // A candidate signed by someone who is not in the channel.
  VariablePart newer = h.la.consensus;
  newer.turn_num = 5;
  irene.Refuse(
      raised(newer, {sign(h.alice, newer), sign(h.bob, newer)}),
      "candidate signer " + h.bob.address.ToHex() + " is not a participant of the channel");
  // Another state for a turn the channel holds.
  VariablePart other = h.la.consensus;
  other.app_data = {1};
  irene.Refuse(raised(other, {sign(h.alice, other)}),
               "turn 1 already has a different state (hash " +
                   nitro::ComputeStateHash(h.la.id, h.la.consensus).ToHex() + ")");
  // A candidate the node had not seen, signed by both: recorded, and now the supported turn.
  irene.Accept({raised(newer, {sign(h.alice, newer), sign(h.irene, newer)})});
  ChannelState c = irene.Channel(h.la.id);
  EXPECT_EQ(c.challenge, ChallengeStatus::kRegistered);
  EXPECT_EQ(c.challenge_turn, 5u);
  EXPECT_EQ(c.latest_supported, 5u);
  EXPECT_EQ(c.LatestSupported()->signatures.size(), 2u);
}

// ---- Direct defunding (C2, D3)

TEST(NitroLedgerTest, DirectDefundingNeedsAnIdleLedgerAndTheNextTurn) {
  Hub h;
  VirtualChannel& v = h.net.FundVirtual({h.alice, h.irene, h.bob}, {&h.la, &h.lb}, 4, Uint256(40));
  NodeLog irene(h.irene);
  irene.Accept(h.net.Log(h.irene.address));
  ObjectiveId dd{ObjectiveKind::kDirectDefunding, h.la.id};
  irene.Accept({irene.Body(events::ObjectiveCreated{dd, {h.la.id}, false})});
  irene.Refuse(irene.Body(events::ObjectiveApproved{dd}),
               "cannot defund channel " + h.la.id.ToHex() + ": it still funds virtual channel " +
                   v.id.ToHex());
  h.net.DefundVirtual(v);
  NodeLog again(h.irene);
  again.Accept(h.net.Log(h.irene.address));
  again.Accept({again.Body(events::ObjectiveCreated{dd, {h.la.id}, false}),
                again.Body(events::ObjectiveApproved{dd})});
  VariablePart later = h.la.consensus;
  later.turn_num += 2;
  later.is_final = true;
  again.Refuse(again.State(h.alice, h.la.id, later),
               "direct defunding's final state is turn " +
                   std::to_string(h.la.consensus.turn_num + 1) + ", not turn " +
                   std::to_string(later.turn_num));
  VariablePart open = h.la.consensus;
  open.turn_num += 1;
  again.Refuse(again.State(h.alice, h.la.id, open), "direct defunding records only final states");
  VariablePart moved = h.la.consensus;
  moved.turn_num += 1;
  moved.is_final = true;
  moved.outcome[0].allocations[0].amount = Uint256(0);
  again.Refuse(again.State(h.irene, h.la.id, moved),
               "the final state this node signs keeps the outcome of the supported turn " +
                   std::to_string(h.la.consensus.turn_num));
}

// The fold checks a proposal's state in place (fold_internal::LedgerProposalLeadsTo): it agrees
// with building the state ApplyLedgerProposal leads to and comparing, also on ledgers whose
// guarantees are out of go-nitro's order or repeat a target (the last one counts).
TEST(NitroLedgerTest, ProposalCheckedInPlaceAgreesWithTheStateItLeadsTo) {
  const Actor alice = Actor::Alice(), irene = Actor::Irene();
  const Destination a = ToDestination(alice.address), i = ToDestination(irene.address);
  auto guarantee = [&](uint8_t target, uint64_t amount) {
    return Allocation{Target(target), Uint256(amount),
                      static_cast<uint8_t>(AllocationType::kGuarantee),
                      nitro::EncodeGuaranteeMetadata(a, i)};
  };
  VariablePart sorted;
  sorted.turn_num = 5;
  sorted.outcome = {SingleAssetExit{
      Address{}, {}, {{a, Uint256(100), 0, {}}, {i, Uint256(80), 0, {}}, guarantee(1, 10)}}};
  VariablePart unordered = sorted;
  auto& al = unordered.outcome[0].allocations;
  al = {al[0], al[1], guarantee(3, 6), guarantee(1, 10), guarantee(2, 4), guarantee(1, 12)};
  auto remove = [](uint8_t target, uint64_t left) {
    return Proposal{ProposalKind::kRemove, Target(target), {}, {}, {}, Uint256(left)};
  };
  const std::vector<Proposal> proposals = {Add(Target(4), 20, alice, irene, 5),
                                           Add(Target(0), 20, irene, alice, 15),
                                           Add(Target(2), 1, alice, irene, 1),
                                           Add(Target(9), 500, alice, irene, 5),
                                           remove(1, 7),
                                           remove(2, 4),
                                           remove(5, 0),
                                           remove(1, 13)};
  int compared = 0;
  for (const VariablePart* from : {&sorted, &unordered}) {
    for (const Proposal& p : proposals) {
      SCOPED_TRACE("proposal for " + p.target.ToHex());
      StatusOr<VariablePart> built = ApplyLedgerProposal(*from, p);
      if (!built.ok()) {
        EXPECT_EQ(fold_internal::LedgerProposalLeadsTo(*from, p, *from).status(), built.status());
        continue;
      }
      EXPECT_TRUE(fold_internal::LedgerProposalLeadsTo(*from, p, *built).value());
      ++compared;
      // Each change of the state it leads to is noticed.
      std::vector<VariablePart> wrong(7, *built);
      wrong[0].turn_num++;
      wrong[1].is_final = true;
      wrong[2].app_data = {1};
      wrong[3].outcome[0].asset.bytes[0] = 1;
      Allocation& last = wrong[4].outcome[0].allocations.back();
      if (last.metadata.empty()) {
        (void)Uint256::CheckedAdd(last.amount, Uint256(1), &last.amount);
      } else {
        last.metadata[0] ^= 1;
      }
      std::swap(wrong[5].outcome[0].allocations[0], wrong[5].outcome[0].allocations[1]);
      wrong[6].outcome[0].allocations.pop_back();
      for (const VariablePart& w : wrong) {
        EXPECT_FALSE(fold_internal::LedgerProposalLeadsTo(*from, p, w).value());
      }
    }
  }
  EXPECT_GE(compared, 6);
}

}  // namespace
}  // namespace statelog
