// Rule set 2 (nitro-2), one rule at a time: a legal history is accepted, and a minimal history
// that breaks only that rule is refused with its exact message and leaves the log unchanged
// (docs/architecture/nitro-rules.md names the test of each rule).
#include <gtest/gtest.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "node_log.h"
#include "statelog/ledger.h"
#include "statelog/nitro.h"
#include "statelog/reconstruct.h"
#include "statelog/verify.h"

namespace statelog {
namespace {

using demo::Actor;
using demo::ChannelScript;

using testing::kStart;
using testing::NodeLog;

// Alice's ledger channel with Bob, funded directly with 5 from each side, up to (not including)
// the event `stop` names.
std::vector<Event> DirectFunding(ChannelScript& s, std::string_view stop = "") {
  std::vector<std::pair<std::string_view, Event>> steps;
  steps.emplace_back("created", s.ObjectiveCreated(s.funding(), true));
  steps.emplace_back("channel", s.ChannelCreated());
  steps.emplace_back("prefund", s.Sign(Actor::Alice(), 0));
  steps.emplace_back("prefund-peer", s.Sign(Actor::Bob(), 0));
  steps.emplace_back("deposit", s.Deposit(Uint256(5)));
  steps.emplace_back("deposit-peer", s.Deposit(Uint256(5)));
  steps.emplace_back("postfund", s.Sign(Actor::Alice(), 1));
  steps.emplace_back("postfund-peer", s.Sign(Actor::Bob(), 1));
  steps.emplace_back("completed", s.ObjectiveCompleted(s.funding()));
  std::vector<Event> out;
  for (auto& [name, e] : steps) {
    if (name == stop) break;
    out.push_back(std::move(e));
  }
  return out;
}

ChannelScript AliceBob(uint64_t nonce = 1) {
  return ChannelScript(Actor::Alice(), Actor::Bob(), nonce, kStart, Uint256(5));
}

// A channel [Alice, Bob] funded virtually (its VirtualFund objective approved): Alice pays.
std::vector<Event> VirtualChannel(ChannelScript& s) {
  ObjectiveId vf{ObjectiveKind::kVirtualFund, s.id()};
  return {s.ObjectiveCreated(vf, true), s.ChannelCreated(), s.Sign(Actor::Alice(), 0),
          s.Sign(Actor::Bob(), 0)};
}

// ---- Node identity (A8)

TEST(NitroRulesTest, ANewLogRecordsItsNodeAndRuleSet) {
  NodeLog log;
  auto first = log.store->Read(0);
  ASSERT_TRUE(first.ok());
  const auto* created = std::get_if<events::LogCreated>(&first->event.body);
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->node, Actor::Alice().address);
  EXPECT_EQ(created->rules, 2u);
  auto identity = log.ledger->Identity();
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->rules, RuleSet::kNitro2);
  EXPECT_EQ(identity->node, Actor::Alice().address);
  EXPECT_EQ(ReadLogIdentity(*log.store).value(), *identity);
  VerifyReport report = VerifyLog(*log.store);
  EXPECT_TRUE(report.status.ok()) << report.status.ToString();
  EXPECT_EQ(report.identity, *identity);
}

TEST(NitroRulesTest, ALogOpensOnlyAsItsOwnNodes) {
  NodeLog log;
  LedgerOptions same;
  same.node = Actor::Alice().address;
  EXPECT_TRUE(Ledger::Open(log.store.get(), log.snaps.get(), same).ok());
  EXPECT_EQ(*log.store->Length(), 1u) << "reopening wrote a second log_created";
  LedgerOptions other;
  other.node = Actor::Bob().address;
  EXPECT_EQ(Ledger::Open(log.store.get(), log.snaps.get(), other).status().ToString(),
            "FailedPrecondition: the log belongs to node " + Actor::Alice().address.ToHex() +
                ", not to " + Actor::Bob().address.ToHex());
  // A log of rule set statelog-1 (no log_created) records no node.
  auto legacy = MemoryEventStore::Create();
  ChannelScript s = AliceBob();
  ASSERT_TRUE(legacy->Append(s.ChannelCreated()).ok());
  EXPECT_EQ(Ledger::Open(legacy.get(), log.snaps.get(), same).status().ToString(),
            "FailedPrecondition: the log was written under rule set statelog-1 and records no "
            "node, so it cannot be opened as the log of node " +
                Actor::Alice().address.ToHex());
}

TEST(NitroRulesTest, LogCreatedOnlyFirst) {
  NodeLog log;
  log.Refuse(Event::Make(kStart, events::LogCreated{Actor::Bob().address, 2}),
             "log_created at offset 1: only the first event of a log names its node");
}

TEST(NitroRulesTest, LogCreatedNamesANodeAndAKnownRuleSet) {
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  auto ledger = Ledger::Open(store.get(), snaps.get()).value();
  auto zero = ledger->Append(Event::Make(kStart, events::LogCreated{Address{}, 2}));
  EXPECT_EQ(zero.status().ToString(),
            "FailedPrecondition: log_created names the zero address as its node");
  auto one = ledger->Append(Event::Make(kStart, events::LogCreated{Actor::Alice().address, 1}));
  EXPECT_EQ(one.status().ToString(),
            "FailedPrecondition: log_created names rule set 1, the rules of logs without a node");
  auto unknown = ledger->Append(Event::Make(kStart, events::LogCreated{Actor::Alice().address, 9}));
  EXPECT_EQ(unknown.status().ToString(),
            "NotSupported: rule set 9 is not known to this statelog (it knows 1 and 2)");
  EXPECT_EQ(*store->Length(), 0u);
}

TEST(NitroRulesTest, AChannelWithoutTheNodeIsRefused) {
  NodeLog log;
  ChannelScript other(Actor::Bob(), Actor::Irene(), 1, kStart, Uint256(5));
  log.Refuse(other.ChannelCreated(), "this node (" + Actor::Alice().address.ToHex() +
                                         ") is not a participant of the channel");
}

TEST(NitroRulesTest, WhatTheNodeSignsCarriesItsKey) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s, "prefund"));
  // Bob's signature recorded as if this node had signed it.
  auto body = std::get<events::StateReceived>(s.Sign(Actor::Bob(), 0).body);
  Event forged = Event::Make(kStart + 200'000,
                             events::StateSigned{body.channel_id, body.state, body.state_hash,
                                                 body.signer, body.signature});
  log.Refuse(forged, "state signed by " + Actor::Bob().address.ToHex() +
                         ", which is not this node (" + Actor::Alice().address.ToHex() +
                         "): a peer's signature is recorded as received");
  auto own = std::get<events::StateSigned>(s.Sign(Actor::Alice(), 0).body);
  Event received = Event::Make(
      kStart + 300'000,
      events::StateReceived{own.channel_id, own.state, own.state_hash, own.signer, own.signature});
  log.Refuse(received, "state signed with this node's own signature (" +
                           Actor::Alice().address.ToHex() +
                           "): what the node signs is recorded as sent or signed");
}

// `who`'s signature of `hash` made with RFC 6979 nonces and extra entropy `salt`: as valid as
// nitro::SignHash's (low S, v 27 or 28), and a different byte string.
Signature SaltedSignature(const Hash256& hash, const Actor& who, uint8_t salt) {
  static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
  const Hash256 digest = nitro::EthereumMessageDigest(hash);
  unsigned char extra[32] = {salt};
  secp256k1_ecdsa_recoverable_signature rsig;
  EXPECT_EQ(secp256k1_ecdsa_sign_recoverable(ctx, &rsig, digest.bytes.data(), who.key.bytes.data(),
                                             secp256k1_nonce_function_rfc6979, extra),
            1);
  Signature sig;
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig.bytes.data(), &recid, &rsig);
  sig.bytes[64] = static_cast<uint8_t>(27 + recid);
  return sig;
}

TEST(NitroRulesTest, OneSignerSignsATurnOnce) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s, "prefund-peer"));
  auto body = std::get<events::StateReceived>(s.Sign(Actor::Bob(), 0).body);
  log.Accept({Event::Make(s.now() + 1, body)});
  // Bob's second, different (and valid) signature of the same state: go-nitro's "conflicting
  // signatures".
  body.signature = SaltedSignature(body.state_hash, Actor::Bob(), 1);
  ASSERT_TRUE(CheckEventProof(Event::Make(s.now() + 2, body)).ok());
  log.Refuse(Event::Make(s.now() + 2, body),
             Actor::Bob().address.ToHex() + " already signed turn 0 with another signature");
}

// ---- Direct funding (C1, B4, D1, H4, H5)

TEST(NitroRulesTest, DirectFundingAsGoNitroRunsIt) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s));
  ChannelState c = log.Channel(s.id());
  EXPECT_EQ(c.latest_supported, 1u);
  ASSERT_TRUE(c.prefund_outcome.has_value());
  EXPECT_EQ(c.last_block, 102u);
  EXPECT_EQ(log.ledger->Objective(s.funding())->status, ObjectiveStatus::kCompleted);
  VerifyReport report = VerifyLog(*log.store);
  EXPECT_TRUE(report.status.ok()) << report.status.ToString();
}

TEST(NitroRulesTest, PrefundIsNotFinal) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s, "prefund"));
  log.Refuse(s.Sign(Actor::Alice(), 0, /*is_final=*/true), "the prefund state (turn 0) is final");
}

TEST(NitroRulesTest, PostfundRepeatsThePrefund) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s, "postfund"));
  s.Transfer(Actor::Alice(), Uint256(5));
  log.Refuse(s.Sign(Actor::Alice(), 1),
             "the postfund (turn 1) differs from the prefund (turn 0) in its outcome");
  s.Transfer(Actor::Bob(), Uint256(5));
  log.Accept({s.Sign(Actor::Alice(), 1)});
}

TEST(NitroRulesTest, PostfundOnlyOnceFunded) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s, "deposit-peer"));
  log.Refuse(s.Sign(Actor::Alice(), 1),
             "postfund (turn 1) signed before the channel is funded: asset " + Address{}.ToHex() +
                 " holds 5 of 10");
  // The peer's postfund is not this node's decision: it is recorded.
  log.Accept({s.Sign(Actor::Bob(), 1)});
}

TEST(NitroRulesTest, TheNodeSignsOnlyUnderAnApprovedObjective) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept({s.ObjectiveCreated(s.funding(), false), s.ChannelCreated()});
  const std::string none = "this node signs a state of channel " + s.id().ToHex() +
                           " only under an approved objective that owns it, and none does";
  log.Refuse(s.Sign(Actor::Alice(), 0), none);
  log.Accept({s.ObjectiveRejected(s.funding(), "policy")});
  log.Refuse(s.Sign(Actor::Alice(), 0), none);
  // The peer's states are recorded whatever this node decided.
  log.Accept({s.Sign(Actor::Bob(), 0)});
}

TEST(NitroRulesTest, CompletionNeedsTheProtocolsEnd) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s, "postfund-peer"));
  log.Refuse(s.ObjectiveCompleted(s.funding()),
             "cannot complete DirectFunding-" + s.id().ToHex() +
                 ": its channel's postfund (turn 1) is not supported");
  log.Accept({s.Sign(Actor::Bob(), 1), s.ObjectiveCompleted(s.funding())});
  // Direct defunding: a supported final state, then nothing held.
  log.Accept({s.ObjectiveCreated(s.defunding(), true)});
  const std::string cannot = "cannot complete DirectDefunding-" + s.id().ToHex() + ": ";
  log.Refuse(s.ObjectiveCompleted(s.defunding()),
             cannot + "its channel has no supported final state");
  log.Accept({s.Sign(Actor::Alice(), 2, true), s.Sign(Actor::Bob(), 2, true)});
  log.Refuse(s.ObjectiveCompleted(s.defunding()),
             cannot + "the channel still holds 10 of asset " + Address{}.ToHex());
  log.Accept({s.Concluded(1'700'100'000), s.AllocationUpdated(Uint256(0)),
              s.ObjectiveCompleted(s.defunding())});
}

// ---- Objectives (H3, H6, H8)

TEST(NitroRulesTest, RejectionAfterApprovalIsRecorded) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept({s.ObjectiveCreated(s.funding(), true), s.ObjectiveRejected(s.funding(), "peer")});
  EXPECT_EQ(log.ledger->Objective(s.funding())->status, ObjectiveStatus::kRejected);
  log.Refuse(s.ObjectiveRejected(s.funding(), "again"),
             "cannot reject an objective that is Rejected");
}

TEST(NitroRulesTest, OneApprovedObjectivePerChannel) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept({s.ObjectiveCreated(s.funding(), true), s.ChannelCreated()});
  log.Refuse(s.ObjectiveCreated(s.defunding(), true),
             "channel " + s.id().ToHex() + " is owned by the approved objective DirectFunding-" +
                 s.id().ToHex());
  log.Accept({s.ObjectiveCreated(s.defunding(), false)});
  log.Refuse(s.ObjectiveApproved(s.defunding()),
             "channel " + s.id().ToHex() + " is owned by the approved objective DirectFunding-" +
                 s.id().ToHex());
}

TEST(NitroRulesTest, VirtualDefundingHasGoNitrosSteps) {
  NodeLog log;
  ChannelScript s = AliceBob();
  ObjectiveId vd{ObjectiveKind::kVirtualDefund, s.id()};
  log.Accept({s.ObjectiveCreated(vd, true)});
  for (ObjectiveStep step : {ObjectiveStep::kFinalStateFromAlice,
                             ObjectiveStep::kSupportedFinalState, ObjectiveStep::kDefundingOnMyLeft,
                             ObjectiveStep::kDefundingOnMyRight, ObjectiveStep::kNothing}) {
    log.Accept({s.ObjectiveProgressed(vd, step)});
  }
  log.Refuse(s.ObjectiveProgressed(vd, ObjectiveStep::kFinalization),
             "step Finalization is not a step of VirtualDefund");
}

TEST(NitroRulesTest, AnObjectiveOwnsItsOwnChannelFirst) {
  NodeLog log;
  ChannelScript s = AliceBob(), t = AliceBob(2);
  log.Refuse(Event::Make(kStart, events::ObjectiveCreated{s.funding(), {t.id()}, true}),
             "objective DirectFunding-" + s.id().ToHex() +
                 " must list its own channel first among the channels it owns");
}

// ---- Final states (C3) and chain events (G1, G3)

TEST(NitroRulesTest, NothingOpenAfterASupportedFinalState) {
  // A channel no ledger rule governs (funded virtually, without defunding): only its own fold.
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(VirtualChannel(s));
  log.Accept({s.Sign(Actor::Alice(), 1), s.Sign(Actor::Bob(), 1), s.Sign(Actor::Alice(), 2, true),
              s.Sign(Actor::Bob(), 2, true)});
  log.Refuse(s.Sign(Actor::Bob(), 3), "turn 3 is not final, but the supported turn 2 is final");
}

TEST(NitroRulesTest, ChainEventsInChainOrder) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s, "deposit"));
  const Timestamp t = s.now();
  Event later =
      Event::Make(t + 1, events::DepositDetected{s.id(), Address{}, Uint256(5), Uint256(5), 105});
  Event same_block =
      Event::Make(t + 2, events::DepositDetected{s.id(), Address{}, Uint256(5), Uint256(10), 105});
  Event older =
      Event::Make(t + 3, events::DepositDetected{s.id(), Address{}, Uint256(5), Uint256(5), 104});
  log.Accept({later, same_block});
  log.Refuse(older,
             "chain event of block 104 is older than the channel's last chain event (block 105)");
  EXPECT_EQ(log.Channel(s.id()).holdings.at(Address{}), Uint256(10));
}

TEST(NitroRulesTest, ADepositAfterConclusionIsRecorded) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s));
  log.Accept({s.Concluded(1'700'100'000), s.Deposit(Uint256(1))});
  EXPECT_EQ(log.Channel(s.id()).holdings.at(Address{}), Uint256(11));
}

// ---- Vouchers (F2-F5)

TEST(NitroRulesTest, VouchersAsGoNitroPaysThem) {
  NodeLog payer;
  ChannelScript s = AliceBob();
  payer.Accept(VirtualChannel(s));
  payer.Accept({s.Voucher(Actor::Alice(), Uint256(2)), s.Voucher(Actor::Alice(), Uint256(5))});
  EXPECT_EQ(payer.Channel(s.id()).paid, Uint256(5));
  // A voucher signed by anyone but the payer is refused (here Bob's, received by Alice).
  payer.Refuse(s.Voucher(Actor::Bob(), Uint256(4)),
               "voucher signed by " + Actor::Bob().address.ToHex() +
                   ": vouchers are signed by the payer, participant 0 (" +
                   Actor::Alice().address.ToHex() + ")");
  NodeLog payee(Actor::Bob());
  // Bob's view of the same channel: its participants are still [Alice, Bob].
  ChannelScript same = AliceBob();
  std::vector<Event> history = VirtualChannel(same);
  // In Bob's log, Alice's signatures are received and Bob's are signed.
  auto as_bobs = [](const Event& e) -> Event {
    if (const auto* ss = std::get_if<events::StateSigned>(&e.body)) {
      return Event::Make(
          e.timestamp, events::StateReceived{ss->channel_id, ss->state, ss->state_hash, ss->signer,
                                             ss->signature});
    }
    if (const auto* sr = std::get_if<events::StateReceived>(&e.body)) {
      return Event::Make(e.timestamp, events::StateSigned{sr->channel_id, sr->state, sr->state_hash,
                                                          sr->signer, sr->signature});
    }
    if (const auto* vs = std::get_if<events::VoucherSent>(&e.body)) {
      return Event::Make(e.timestamp, events::VoucherReceived{vs->channel_id, vs->amount,
                                                              vs->signer, vs->signature});
    }
    return e;
  };
  for (Event& e : history) e = as_bobs(e);
  payee.Accept(history);
  payee.Accept({as_bobs(same.Voucher(Actor::Alice(), Uint256(3)))});
  EXPECT_EQ(payee.Channel(same.id()).received, Uint256(3));
  // go-nitro's payee refuses a voucher above the payer's starting balance (5).
  payee.Refuse(as_bobs(same.Voucher(Actor::Alice(), Uint256(6))),
               "voucher amount 6 exceeds the payer's starting balance 5");
}

TEST(NitroRulesTest, OnlyThePayeeReceivesVouchers) {
  // Irene's log of a virtual channel [Alice, Irene, Bob]: Irene is the intermediary, and a
  // voucher Alice signs is Bob's to receive, not hers.
  NodeLog irene(Actor::Irene());
  FixedPart fixed;
  fixed.participants = {Actor::Alice().address, Actor::Irene().address, Actor::Bob().address};
  fixed.channel_nonce = 7;
  fixed.challenge_duration = 86400;
  const ChannelId v = nitro::ComputeChannelId(fixed);
  const ObjectiveId vf{ObjectiveKind::kVirtualFund, v};
  const Uint256 amount(1);
  const Signature sig =
      nitro::SignHash(nitro::ComputeVoucherHash(v, amount), Actor::Alice().key).value();
  irene.Accept({Event::Make(kStart, events::ObjectiveCreated{vf, {v}, true}),
                Event::Make(kStart + 1, events::ChannelCreated{v, fixed})});
  irene.Refuse(
      Event::Make(kStart + 2, events::VoucherReceived{v, amount, Actor::Alice().address, sig}),
      "voucher received, but this node (" + Actor::Irene().address.ToHex() +
          ") is not the payee, the last participant (" + Actor::Bob().address.ToHex() + ")");
}

TEST(NitroRulesTest, VouchersOnlyOnVirtuallyFundedChannels) {
  NodeLog log;
  ChannelScript s = AliceBob();
  log.Accept(DirectFunding(s));
  log.Refuse(s.Voucher(Actor::Alice(), Uint256(1)),
             "vouchers are paid only on a channel funded virtually, and no approved VirtualFund "
             "objective owns channel " +
                 s.id().ToHex());
}

TEST(NitroRulesTest, AVirtualChannelPaysItsFirstAndLastParticipants) {
  NodeLog log;
  ChannelScript s(Actor::Alice(), Actor::Bob(), 1, kStart, Uint256(5));
  ObjectiveId vf{ObjectiveKind::kVirtualFund, s.id()};
  log.Accept({s.ObjectiveCreated(vf, true), s.ChannelCreated()});
  // A guarantee where the payee's allocation should be.
  Event prefund = s.Sign(Actor::Alice(), 0);
  auto body = std::get<events::StateSigned>(prefund.body);
  body.state.outcome[0].allocations[1].allocation_type = 1;
  body.state_hash = nitro::ComputeStateHash(body.channel_id, body.state);
  body.signature = nitro::SignHash(body.state_hash, Actor::Alice().key).value();
  log.Refuse(Event::Make(prefund.timestamp, body),
             "a virtual channel's outcome allocates, for each asset, to participant 0 then to the "
             "last participant, and to nobody else");
}

// ---- Logs of rule set statelog-1 keep their rules

TEST(NitroRulesTest, StatelogOneLogsKeepTheirRules) {
  // A legacy log accepts what rule set 2 refuses (a voucher on a directly funded channel) and
  // refuses what it accepts (a rejection after approval); both still verify.
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  auto ledger = Ledger::Open(store.get(), snaps.get()).value();
  ChannelScript s = AliceBob();
  for (const Event& e : s.DirectFundingLifecycle(2)) ASSERT_TRUE(ledger->Append(e).ok());
  EXPECT_EQ(ledger->Identity()->rules, RuleSet::kStatelog1);
  ChannelScript t = AliceBob(2);
  ASSERT_TRUE(ledger->Append(t.ObjectiveCreated(t.funding(), true)).ok());
  EXPECT_EQ(ledger->Append(t.ObjectiveRejected(t.funding(), "peer")).status().ToString(),
            "FailedPrecondition: cannot reject an objective that is Approved (must be Unapproved)");
  VerifyReport report = VerifyLog(*store);
  EXPECT_TRUE(report.status.ok()) << report.status.ToString();
  EXPECT_EQ(report.identity, LogIdentity{});
}

}  // namespace
}  // namespace statelog
