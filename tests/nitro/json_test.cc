// go-nitro JSON: the spec's example, exact output form, lossless round trips (amounts up to
// 2^256-1 as bare numbers), and rejection of bad input with the offending field named.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "statelog/nitro.h"
#include "test_util.h"

namespace statelog::nitro {
namespace {

using testing::Hex;
using testing::SpecExampleState;

const std::string kSig0 = "0x" + std::string(128, 'a') + "1b";

// The spec's example, whitespace and all, with a concrete signature.
std::string SpecExampleJson() {
  return R"({"State":{"Participants":["0xf5a1bb5607c9d079e46d1b3dc33f257d937b43bd","0x760bf27cd45036a6c486802d30b5d90cffbe31fe"],
 "ChannelNonce":37140676580,"AppDefinition":"0x5e29e5ab8ef33f050c7cc10b5a0456d975c5f88d",
 "ChallengeDuration":60,"AppData":"",
 "Outcome":[{"Asset":"0x0000000000000000000000000000000000000000","AssetMetadata":{"AssetType":0,"Metadata":""},
   "Allocations":[{"Destination":"0x000000000000000000000000f5a1bb5607c9d079e46d1b3dc33f257d937b43bd","Amount":5,"AllocationType":0,"Metadata":null},
                  {"Destination":"0x000000000000000000000000ee18ff1575055691009aa246ae608132c57a422c","Amount":5,"AllocationType":0,"Metadata":null}]}],
 "TurnNum":5,"IsFinal":false},
 "Sigs":{"0":")" +
         kSig0 + R"("}})";
}

// The compact form ToNitroJson writes for SpecExampleState().
const char kCompactState[] =
    R"({"Participants":["0xf5a1bb5607c9d079e46d1b3dc33f257d937b43bd","0x760bf27cd45036a6c486802d30b5d90cffbe31fe"],)"
    R"("ChannelNonce":37140676580,"AppDefinition":"0x5e29e5ab8ef33f050c7cc10b5a0456d975c5f88d",)"
    R"("ChallengeDuration":60,"AppData":"",)"
    R"("Outcome":[{"Asset":"0x0000000000000000000000000000000000000000","AssetMetadata":{"AssetType":0,"Metadata":""},)"
    R"("Allocations":[{"Destination":"0x000000000000000000000000f5a1bb5607c9d079e46d1b3dc33f257d937b43bd","Amount":5,"AllocationType":0,"Metadata":null},)"
    R"({"Destination":"0x000000000000000000000000ee18ff1575055691009aa246ae608132c57a422c","Amount":5,"AllocationType":0,"Metadata":null}]}],)"
    R"("TurnNum":5,"IsFinal":false})";

// Returns `s` with the first occurrence of `from` replaced by `to`; fails the test if absent.
std::string Replace(std::string s, std::string_view from, std::string_view to) {
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

TEST(NitroJsonTest, ParsesSpecExample) {
  StatusOr<SignedState> s = ParseNitroSignedStateJson(SpecExampleJson());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->state, SpecExampleState());
  ASSERT_EQ(s->sigs.size(), 1u);
  EXPECT_EQ(s->sigs.at(0), Hex<Signature>(kSig0));
  // A state command takes the State out of a SignedState.
  StatusOr<State> st = ParseNitroStateJson(SpecExampleJson());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(*st, SpecExampleState());
}

TEST(NitroJsonTest, WritesGoNitroForm) {
  EXPECT_EQ(ToNitroJson(SpecExampleState()), kCompactState);
  SignedState ss{SpecExampleState(), {{0, Hex<Signature>(kSig0)}}};
  EXPECT_EQ(ToNitroJson(ss),
            std::string(R"({"State":)") + kCompactState + R"(,"Sigs":{"0":")" + kSig0 + R"("}})");
}

TEST(NitroJsonTest, BareStateIsASignedStateWithoutSigs) {
  StatusOr<SignedState> s = ParseNitroSignedStateJson(kCompactState);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->state, SpecExampleState());
  EXPECT_TRUE(s->sigs.empty());
  std::string null_sigs = std::string(R"({"State":)") + kCompactState + R"(,"Sigs":null})";
  ASSERT_TRUE(ParseNitroSignedStateJson(null_sigs).ok());
  std::string no_sigs = std::string(R"({"State":)") + kCompactState + "}";
  ASSERT_TRUE(ParseNitroSignedStateJson(no_sigs).ok());
}

TEST(NitroJsonTest, AmountTwoTo200IsABareNumberAndRoundTrips) {
  const std::string two_200 = "1606938044258990275541962092341162602522202993782792835301376";
  State s = SpecExampleState();
  s.variable.outcome[0].allocations[1].amount = *Uint256::FromDecimal(two_200);
  std::string json = ToNitroJson(s);
  EXPECT_NE(json.find("\"Amount\":" + two_200 + ","), std::string::npos) << json;
  StatusOr<State> back = ParseNitroStateJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(NitroJsonTest, MaxAmountAcceptedOneMoreRejectedWithPath) {
  const std::string max = Uint256::Max().ToDecimal();
  const std::string over =
      "115792089237316195423570985008687907853269984665640564039457584007913129639936";
  std::string ok =
      Replace(SpecExampleJson(), "\"Amount\":5,\"AllocationType\":0,\"Metadata\":null}]",
              "\"Amount\":" + max + ",\"AllocationType\":0,\"Metadata\":null}]");
  StatusOr<State> s = ParseNitroStateJson(ok);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->variable.outcome[0].allocations[1].amount, Uint256::Max());
  std::string bad = Replace(ok, max, over);
  StatusOr<State> b = ParseNitroStateJson(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), "State.Outcome[0].Allocations[1].Amount: number exceeds 2^256-1");
  // Far more digits than 78 are rejected the same way, not parsed through a double.
  b = ParseNitroStateJson(Replace(ok, max, std::string(400, '9')));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), "State.Outcome[0].Allocations[1].Amount: number exceeds 2^256-1");
}

TEST(NitroJsonTest, AcceptsAnyHexCaseAndEmptyForms) {
  std::string json = Replace(kCompactState, "0x5e29e5ab8ef33f050c7cc10b5a0456d975c5f88d",
                             "0x5e29E5Ab8EF33F050c7cc10B5a0456D975C5F88d");
  json = Replace(json, "\"AppData\":\"\"", "\"AppData\":null");
  json = Replace(json, "\"Metadata\":\"\"", "\"Metadata\":null");
  json = Replace(json, "\"Metadata\":null}", "\"Metadata\":\"\"}");
  StatusOr<State> s = ParseNitroStateJson(json);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, SpecExampleState());
  // Byte fields are base64, as Go writes a []byte: "3q2+7w==" is 0xdeadbeef.
  json = Replace(kCompactState, "\"AppData\":\"\"", "\"AppData\":\"3q2+7w==\"");
  s = ParseNitroStateJson(json);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->variable.app_data, (Bytes{0xde, 0xad, 0xbe, 0xef}));
  // "0x12" is valid base64 too: the format decides, so it is the bytes d3 1d 76, never 0x12.
  json = Replace(kCompactState, "\"AppData\":\"\"", "\"AppData\":\"0x12\"");
  s = ParseNitroStateJson(json);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->variable.app_data, (Bytes{0xd3, 0x1d, 0x76}));
}

TEST(NitroJsonTest, RandomStatesRoundTripLosslessly) {
  std::mt19937_64 rng(4242);
  auto bytes = [&rng](size_t max_len) {
    Bytes b(rng() % (max_len + 1));
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
  };
  for (int iter = 0; iter < 200; ++iter) {
    SignedState ss;
    State& s = ss.state;
    s.fixed.participants.resize(rng() % 4 + 1);
    for (auto& p : s.fixed.participants) {
      for (auto& x : p.bytes) x = static_cast<uint8_t>(rng());
    }
    s.fixed.channel_nonce = rng();
    s.fixed.app_definition.bytes[rng() % 20] = static_cast<uint8_t>(rng());
    s.fixed.challenge_duration = static_cast<uint32_t>(rng());
    s.variable.app_data = bytes(100);
    s.variable.outcome.resize(rng() % 3);
    for (auto& e : s.variable.outcome) {
      e.asset.bytes[0] = static_cast<uint8_t>(rng());
      e.asset_metadata.asset_type = static_cast<uint8_t>(rng());
      e.asset_metadata.metadata = bytes(40);
      e.allocations.resize(rng() % 4);
      for (auto& a : e.allocations) {
        Bytes be = Bytes(32);
        size_t n = rng() % 33;
        for (size_t i = 32 - n; i < 32; ++i) be[i] = static_cast<uint8_t>(rng());
        a.amount = Uint256::FromBigEndian(std::span<const uint8_t, 32>(be.data(), 32));
        a.destination.bytes[rng() % 32] = static_cast<uint8_t>(rng());
        a.allocation_type = static_cast<uint8_t>(rng() % 2);
        a.metadata = bytes(64);
      }
    }
    s.variable.turn_num = rng();
    s.variable.is_final = rng() % 2;
    for (uint32_t i = 0; i < s.fixed.participants.size(); ++i) {
      if (rng() % 2) ss.sigs[i].bytes[rng() % 65] = static_cast<uint8_t>(rng());
    }
    StatusOr<State> back = ParseNitroStateJson(ToNitroJson(s));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, s);
    StatusOr<SignedState> sback = ParseNitroSignedStateJson(ToNitroJson(ss));
    ASSERT_TRUE(sback.ok()) << sback.status().ToString();
    EXPECT_EQ(*sback, ss);
  }
}

TEST(NitroJsonTest, SigsKeysInGoOrder) {
  SignedState ss;
  ss.state.fixed.participants.resize(11);
  ss.sigs[2] = Signature{};
  ss.sigs[10] = Signature{};
  std::string json = ToNitroJson(ss);
  EXPECT_LT(json.find("\"10\":"), json.find("\"2\":")) << json;
  StatusOr<SignedState> back = ParseNitroSignedStateJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, ss);
}

struct BadCase {
  std::string json;
  std::string error;  // expected substring of the message
};

TEST(NitroJsonTest, RejectsBadInputNamingTheField) {
  const std::string st = SpecExampleJson();
  const std::vector<BadCase> cases = {
      {"", "JSON: "},
      {"{\"State\":", "JSON: "},
      {st + " x", "JSON: "},
      {st + "{}", "JSON: "},
      {std::string("{\0}", 3), "JSON: NUL byte at offset 1"},
      {"[]", "JSON: expected an object, got an array"},
      {"{\"State\":[]}", "State: expected an object, got an array"},
      {"{\"State\":{},\"Extra\":1}", "Extra: unknown field"},
      {std::string(100, '[') + std::string(100, ']'), "nesting deeper than"},
      {Replace(st, "\"Amount\":5", "\"Amount\":\"5\""),
       "State.Outcome[0].Allocations[0].Amount: expected a number, got a string"},
      {Replace(st, "\"Amount\":5", "\"Amount\":-5"),
       "State.Outcome[0].Allocations[0].Amount: number must not be negative"},
      {Replace(st, "\"Amount\":5", "\"Amount\":5.0"), "Amount: number must be an integer"},
      {Replace(st, "\"Amount\":5", "\"Amount\":5e3"), "Amount: number must be an integer"},
      {Replace(st, "\"Amount\":5", "\"Amount\":05"), "JSON: "},
      {Replace(st, "\"TurnNum\":5", "\"TurnNum\":18446744073709551616"),
       "State.TurnNum: number exceeds 2^64-1"},
      {Replace(st, "\"TurnNum\":5", "\"TurnNum\":18446744073709551615"), ""},
      {Replace(st, "\"ChallengeDuration\":60", "\"ChallengeDuration\":4294967296"),
       "State.ChallengeDuration: number exceeds 2^32-1"},
      {Replace(st, "\"AllocationType\":0", "\"AllocationType\":256"),
       "State.Outcome[0].Allocations[0].AllocationType: number exceeds 255"},
      {Replace(st, "\"AssetType\":0", "\"AssetType\":true"),
       "State.Outcome[0].AssetMetadata.AssetType: expected a number, got a boolean"},
      {Replace(st, "\"IsFinal\":false", "\"IsFinal\":0"),
       "State.IsFinal: expected a boolean, got a number"},
      {Replace(st, "\"AppData\":\"\"", "\"AppData\":\"3q2*7w==\""),
       "State.AppData: base64: '*' is not base64 at offset 3"},
      {Replace(st, "\"AppData\":\"\"", "\"AppData\":\"3q2+7w=\""),
       "State.AppData: base64: length 7 is not a multiple of 4"},
      {Replace(st, "\"AppData\":\"\"", "\"AppData\":\"3q=+7w==\""),
       "State.AppData: base64: '=' before the end at offset 2"},
      {Replace(st, "\"AppData\":\"\"", "\"AppData\":\"3q2+7x==\""),
       "State.AppData: base64: non-zero unused bits in the last character at offset 5"},
      {Replace(st, "\"AppData\":\"\"", "\"AppData\":[]"),
       "State.AppData: expected a base64 string or null, got an array"},
      {Replace(st, "0x760bf27cd45036a6c486802d30b5d90cffbe31fe", "0x760bf27cd4"),
       "State.Participants[1]: hex must have 40 digits, has 10"},
      {Replace(st, "\"Participants\":[", "\"Participants\":[1,"),
       "State.Participants[0]: expected a string, got a number"},
      {Replace(st, "\"0x000000000000000000000000ee18", "\"0x00000000000000000000000Xee18"),
       "State.Outcome[0].Allocations[1].Destination: bad hex digit 'X'"},
      {Replace(st, "\"Metadata\":null}", "\"Metadata\":\"0x1\"}"),
       "State.Outcome[0].Allocations[0].Metadata: base64: length 3 is not a multiple of 4"},
      {Replace(st, "\"TurnNum\":5,", ""), "State.TurnNum: missing field"},
      {Replace(st, "\"TurnNum\":5", "\"TurnNum\":5,\"Turn\":5"), "State.Turn: unknown field"},
      {Replace(st, "\"TurnNum\":5", "\"TurnNum\":5,\"TurnNum\":6"),
       "State.TurnNum: duplicate field"},
      {Replace(st, "\"AssetMetadata\":{\"AssetType\":0,\"Metadata\":\"\"}",
               "\"AssetMetadata\":{\"AssetType\":0}"),
       "State.Outcome[0].AssetMetadata.Metadata: missing field"},
      {Replace(st, "\"Outcome\":[", "\"Outcome\":[7,"),
       "State.Outcome[0]: expected an object, got a number"},
      {Replace(st, "\"Sigs\":{\"0\"", "\"Sigs\":{\"x\""),
       "Sigs.x: key must be a participant index"},
      {Replace(st, "\"Sigs\":{\"0\"", "\"Sigs\":{\"00\""), "Sigs.00: key must be a participant"},
      {Replace(st, "\"Sigs\":{\"0\"", "\"Sigs\":{\"2\""),
       "Sigs.2: participant index out of range (2 participants)"},
      {Replace(st, kSig0, "0x1234"), "Sigs.0: hex must have 130 digits, has 4"},
      {Replace(st, "\"Sigs\":{\"0\":\"" + kSig0 + "\"}", "\"Sigs\":[]"),
       "Sigs: expected an object, got an array"},
      {"{\"Sigs\":{}}", "State: missing field"},
  };
  for (const BadCase& c : cases) {
    StatusOr<SignedState> s = ParseNitroSignedStateJson(c.json);
    if (c.error.empty()) {
      EXPECT_TRUE(s.ok()) << c.json << "\n" << s.status().ToString();
      continue;
    }
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_TRUE(s.status().IsInvalidArgument()) << s.status().ToString();
    EXPECT_NE(s.status().message().find(c.error), std::string_view::npos)
        << "want \"" << c.error << "\" in: " << s.status().ToString();
    EXPECT_EQ(ParseNitroStateJson(c.json).status(), s.status());
  }
}

}  // namespace
}  // namespace statelog::nitro
