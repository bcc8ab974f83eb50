// Reading a go-nitro store's values (AddStoreValue): each shape go-nitro writes, and each
// malformed value refused with its field path and the store left unchanged; the migration plan
// and the compare step over a small store. (migrate_test.sh migrates whole stores written by Go
// and buntdb.)
#include "gonitro/node_store.h"

#include <gtest/gtest.h>

#include <string>

#include "gonitro/migrate.h"

namespace statelog::gonitro {
namespace {

const std::string kNode = "0x111a00868581f73ab42feef67d235ca09ca1e8db";
const std::string kPeer = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kId = "0x" + std::string(62, '0') + "c1";
const std::string kZero32 = "0x" + std::string(64, '0');
const std::string kSig = "0x" + std::string(128, '1') + "1b";

GoNitroStore Empty() {
  GoNitroStore s;
  s.node = *Address::FromHex(kNode);
  return s;
}

std::string Participants() { return "[\"" + kNode + "\",\"" + kPeer + "\"]"; }

std::string State(int turn) {
  return R"({"Participants":)" + Participants() +
         R"(,"ChannelNonce":5,"AppDefinition":"0x0000000000000000000000000000000000000000",)"
         R"("ChallengeDuration":60,"AppData":"","Outcome":null,"TurnNum":)" +
         std::to_string(turn) + R"(,"IsFinal":false})";
}

std::string Channel(const std::string& id, const std::string& my_index = "0",
                    const std::string& turns = "", const std::string& extra = "") {
  return R"({"Id":")" + id + R"(","MyIndex":)" + my_index + R"(,"Participants":)" + Participants() +
         R"(,"ChannelNonce":5,"AppDefinition":"0x0000000000000000000000000000000000000000",)"
         R"("ChallengeDuration":60,"OnChain":{"Holdings":{"0x0000000000000000000000000000000000000000":7},)"
         R"("Outcome":null,"StateHash":")" +
         kZero32 + R"("},"OffChain":{"SignedStateForTurnNum":{)" + turns +
         R"(},"LatestSupportedStateTurnNum":18446744073709551615})" + extra + "}";
}

Status Add(GoNitroStore* s, StoreFile file, const std::string& key, const std::string& value) {
  return AddStoreValue(file, key, value, "f.db: key " + key, s);
}

void ExpectRefused(StoreFile file, const std::string& key, const std::string& value,
                   const std::string& message) {
  GoNitroStore s = Empty();
  Status st = Add(&s, file, key, value);
  EXPECT_EQ(st.ToString(), "InvalidArgument: " + message) << value;
  EXPECT_TRUE(s.channels.empty() && s.vouchers.empty() && s.objectives.empty());
}

TEST(GoNitroStoreTest, ReadsAChannelWithItsTurns) {
  GoNitroStore s = Empty();
  const std::string turns = R"("0":{"State":)" + State(0) + R"(,"Sigs":{"0":")" + kSig +
                            R"(","1":")" + kSig + R"("}},"1":{"State":)" + State(1) +
                            R"(,"Sigs":null})";
  ASSERT_TRUE(Add(&s, StoreFile::kChannels, kId, Channel(kId, "0", turns)).ok());
  const GoChannel& c = s.channels.at(*ChannelId::FromHex(kId));
  EXPECT_EQ(c.where, "f.db: key " + kId);
  EXPECT_EQ(c.states.size(), 2u);
  EXPECT_EQ(c.states.at(0).sigs.size(), 2u);
  EXPECT_TRUE(c.states.at(1).sigs.empty());
  EXPECT_EQ(c.state_paths.at(1), "OffChain.SignedStateForTurnNum.1");
  EXPECT_FALSE(c.latest_supported.has_value());  // 2^64-1: none
  EXPECT_EQ(c.holdings.at(Address()), Uint256(7));
}

TEST(GoNitroStoreTest, RefusesMalformedChannels) {
  const std::string other = "0x" + std::string(62, '0') + "c2";
  ExpectRefused(StoreFile::kChannels, other, Channel(kId), "Id: " + kId + " differs from the key");
  ExpectRefused(StoreFile::kChannels, kId, Channel(kId, "2"),
                "MyIndex: participant index out of range (2 participants)");
  ExpectRefused(StoreFile::kChannels, kId, Channel(kId, "1"),
                "MyIndex: participant 1 is " + kPeer + ", not this node " + kNode);
  ExpectRefused(StoreFile::kChannels, kId, Channel(kId, "0", "", R"(,"Extra":1)"),
                "Extra: unknown field");
  ExpectRefused(StoreFile::kChannels, kId,
                Channel(kId, "0", R"("3":{"State":)" + State(4) + R"(,"Sigs":null})"),
                "OffChain.SignedStateForTurnNum.3.State.TurnNum: 4 differs from the key");
  std::string other_fixed = State(0);
  other_fixed.replace(other_fixed.find("\"ChannelNonce\":5"), 16, "\"ChannelNonce\":6");
  ExpectRefused(StoreFile::kChannels, kId,
                Channel(kId, "0", R"("0":{"State":)" + other_fixed + R"(,"Sigs":null})"),
                "OffChain.SignedStateForTurnNum.0.State: the state's fixed part is not the "
                "channel's");
  ExpectRefused(
      StoreFile::kChannels, kId,
      Channel(kId, "0", R"("0":{"State":)" + State(0) + R"(,"Sigs":{"2":")" + kSig + R"("}})"),
      "OffChain.SignedStateForTurnNum.0.Sigs.2: participant index out of range (2 "
      "participants)");
  ExpectRefused(StoreFile::kChannels, kId, "{",
                "JSON: The JSON document has an improper structure: missing or superfluous commas, "
                "braces, missing keys, etc. (at offset 0)");
}

std::string Consensus(const std::string& participants, const std::string& sigs,
                      const std::string& guarantees) {
  return R"({"Id":")" + kId + R"(","OnChainFunding":{},"MyIndex":0,"FP":{"Participants":)" +
         participants +
         R"(,"ChannelNonce":1,"AppDefinition":"0x0000000000000000000000000000000000000000",)"
         R"("ChallengeDuration":60},"Current":{"TurnNum":3,"Outcome":{"AssetAddress":)"
         R"("0x0000000000000000000000000000000000000000","Leader":{"Destination":")" +
         kZero32 + R"(","Amount":5},"Follower":{"Destination":")" + kZero32 +
         R"(","Amount":6},"Guarantees":{)" + guarantees + R"(}},"Signatures":[)" + sigs +
         R"(]},"ProposalQueue":null})";
}

TEST(GoNitroStoreTest, ReadsALedgerChannelAsTheStateItsSignaturesSign) {
  GoNitroStore s = Empty();
  const std::string t1 = "0x" + std::string(63, '0') + "9", t2 = "0x" + std::string(63, '0') + "1";
  auto guarantee = [&](const std::string& t) {
    return "\"" + t + R"(":{"Amount":2,"Target":")" + t + R"(","Left":")" + kZero32 +
           R"(","Right":")" + kZero32 + "\"}";
  };
  const std::string sigs = "\"" + kSig + "\",\"" + kSig + "\"";
  ASSERT_TRUE(Add(&s, StoreFile::kConsensusChannels, kId,
                  Consensus(Participants(), sigs, guarantee(t1) + "," + guarantee(t2)))
                  .ok());
  const GoChannel& c = s.channels.at(*ChannelId::FromHex(kId));
  ASSERT_EQ(c.states.size(), 1u);
  const auto& allocations = c.states.at(3).state.variable.outcome.at(0).allocations;
  ASSERT_EQ(allocations.size(), 4u);
  EXPECT_EQ(allocations[2].destination.ToHex(), t2);  // guarantees in the order of the target
  EXPECT_EQ(allocations[3].destination.ToHex(), t1);
  EXPECT_EQ(allocations[2].allocation_type, 1);
  EXPECT_EQ(allocations[2].metadata.size(), 64u);
  EXPECT_EQ(c.latest_supported, std::optional<uint64_t>(3));

  Status again =
      Add(&s, StoreFile::kConsensusChannels, kId, Consensus(Participants(), sigs, guarantee(t1)));
  EXPECT_EQ(again.ToString(), "InvalidArgument: the channel is also in f.db: key " + kId);

  ExpectRefused(StoreFile::kConsensusChannels, kId, Consensus("[\"" + kNode + "\"]", sigs, ""),
                "FP.Participants: a ledger channel has two participants, not 1");
  ExpectRefused(StoreFile::kConsensusChannels, kId,
                Consensus(Participants(), "\"" + kSig + "\"", ""),
                "Current.Signatures: expected 2 signatures, got 1");
  std::string wrong = guarantee(t1);
  wrong.replace(1, t1.size(), t2);
  ExpectRefused(StoreFile::kConsensusChannels, kId, Consensus(Participants(), sigs, wrong),
                "Current.Outcome.Guarantees." + t2 + ".Target: " + t1 + " differs from the key");
}

TEST(GoNitroStoreTest, VouchersObjectivesAndPlainValues) {
  GoNitroStore s = Empty();
  const std::string voucher = R"({"ChannelPayer":")" + kNode + R"(","ChannelPayee":")" + kPeer +
                              R"(","StartingBalance":10,"LargestVoucher":{"ChannelId":")" + kId +
                              R"(","Amount":4,"Signature":")" + kSig + R"("}})";
  ASSERT_TRUE(Add(&s, StoreFile::kVouchers, kId, voucher).ok());
  EXPECT_EQ(s.vouchers.at(*ChannelId::FromHex(kId)).amount, Uint256(4));
  const std::string other = "0x" + std::string(62, '0') + "c2";
  ExpectRefused(StoreFile::kVouchers, other, voucher,
                "LargestVoucher.ChannelId: " + kId + " differs from the key");

  const std::string fund = R"({"Status":3,"V":")" + kId +
                           R"(","ToMyLeft":"bnVsbA==","ToMyRight":"bnVsbA==","N":1,"MyRole":1,)"
                           R"("A0":{},"B0":null})";
  ASSERT_TRUE(Add(&s, StoreFile::kObjectives, "VirtualFund-" + kId, fund).ok());
  const GoObjective& o = s.objectives.begin()->second;
  EXPECT_EQ(o.status, 3);
  EXPECT_EQ(o.channels.size(), 1u);  // base64 of null: no ledger channel on either side
  ExpectRefused(StoreFile::kObjectives, "Funding-" + kId, fund,
                "key: unknown objective kind 'Funding'");
  std::string bad_status = fund;
  bad_status.replace(10, 1, "7");
  ExpectRefused(StoreFile::kObjectives, "VirtualFund-" + kId, bad_status,
                "Status: unknown status 7");
  ExpectRefused(StoreFile::kObjectives, "VirtualFund-" + other, fund,
                "V: " + kId + " is not the channel of the key");
  std::string not_base64 = fund;
  not_base64.replace(not_base64.find("bnVsbA=="), 8, "!!!!!!!!");
  EXPECT_FALSE(Add(&s, StoreFile::kObjectives, "VirtualFund-" + kId, not_base64).ok());

  ASSERT_TRUE(Add(&s, StoreFile::kChannelToObjective, kId, "VirtualFund-" + kId).ok());
  ExpectRefused(StoreFile::kChannelToObjective, kId, "nothing",
                "value: objective id must be <Kind>-0x<channel id>");
  ASSERT_TRUE(Add(&s, StoreFile::kBlocks, "lastBlockProcessed", "12").ok());
  EXPECT_EQ(s.last_block, std::optional<uint64_t>(12));
  ExpectRefused(StoreFile::kBlocks, "lastBlockProcessed", "12x", "not a block number: '12x'");
  ExpectRefused(StoreFile::kBlocks, "other", "1", "unknown key");
}

TEST(GoNitroStoreTest, ThePlanReproducesTheStoreAndTheCompareStepFindsADifference) {
  GoNitroStore s = Empty();
  const std::string turns =
      R"("0":{"State":)" + State(0) + R"(,"Sigs":{"0":")" + kSig + R"(","1":")" + kSig + R"("}})";
  ASSERT_TRUE(Add(&s, StoreFile::kChannels, kId, Channel(kId, "0", turns)).ok());
  auto plan = PlanMigration(s, 100);
  ASSERT_TRUE(plan.ok());
  // store_imported, channel_created, a deposit, the node's and the peer's signature.
  ASSERT_EQ(plan->events.size(), 5u);
  EXPECT_EQ(std::get<events::StoreImported>(plan->events[0].body).events, 4u);
  EXPECT_TRUE(plan->events[0].HasValidId());
  EXPECT_EQ(plan->events[3].type(), EventType::kStateSigned);
  EXPECT_EQ(plan->events[4].type(), EventType::kStateReceived);
  EXPECT_EQ(plan->sources[4], "f.db: key " + kId + ": OffChain.SignedStateForTurnNum.0.Sigs.1");
  NodeView view;
  for (size_t i = 0; i < plan->events.size(); ++i) {
    ASSERT_TRUE(ApplyToView(plan->events[i], i, &view).ok());
  }
  // go-nitro recorded no supported turn although both signed turn 0: a difference.
  EXPECT_EQ(
      Compare(s, view),
      std::vector<std::string>{"f.db: key " + kId + ": latest supported turn none, the log's 0"});
  s.channels.begin()->second.latest_supported = 0;
  EXPECT_TRUE(Compare(s, view).empty());
  view.channels.begin()->second.holdings.clear();
  EXPECT_EQ(Compare(s, view),
            std::vector<std::string>{"f.db: key " + kId + ": the holdings differ"});
}

}  // namespace
}  // namespace statelog::gonitro
