// ABI encodings, channel ids and state hashes: the spec's public vectors, hand-assembled words
// for small cases, and sensitivity of every hash to every field.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "statelog/keccak.h"
#include "statelog/nitro.h"
#include "test_util.h"

namespace statelog::nitro {
namespace {

using testing::Hex;
using testing::HexBytes;
using testing::WordHex;

std::string Plain(const Bytes& b) { return ToHex(b).substr(2); }

// Returns 32-byte word `i` of `b` as hex without 0x.
std::string WordAt(const Bytes& b, size_t i) {
  return ToHex(std::span<const uint8_t>(b.data() + 32 * i, 32)).substr(2);
}

TEST(KeccakTest, EmptyInputVector) {
  EXPECT_EQ(Keccak256(std::string_view()).ToHex(),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(AbiTest, ExitEncodingVector1) {
  SingleAssetExit e;
  Allocation a;
  a.destination =
      Hex<Destination>("0x00000000000000000000000096f7123E3A80C9813eF50213ADEd0e4511CB820f");
  a.amount = 1;
  e.allocations.push_back(a);
  const std::string want =
      "0000000000000000000000000000000000000000000000000000000000000020"
      "0000000000000000000000000000000000000000000000000000000000000001"
      "0000000000000000000000000000000000000000000000000000000000000020"
      "0000000000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000060"
      "00000000000000000000000000000000000000000000000000000000000000c0"
      "0000000000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000040"
      "0000000000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000001"
      "0000000000000000000000000000000000000000000000000000000000000020"
      "00000000000000000000000096f7123e3a80c9813ef50213aded0e4511cb820f"
      "0000000000000000000000000000000000000000000000000000000000000001"
      "0000000000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000080"
      "0000000000000000000000000000000000000000000000000000000000000000";
  EXPECT_EQ(Plain(EncodeOutcome(Exit{e})), want);
}

TEST(AbiTest, GuaranteeMetadataVector2) {
  Destination left, right;
  left.bytes[31] = 0x0a;
  right.bytes[31] = 0x0b;
  EXPECT_EQ(Plain(EncodeGuaranteeMetadata(left, right)), WordHex(0x0a) + WordHex(0x0b));
}

TEST(AbiTest, EmptyOutcomeIsOffsetAndZeroLength) {
  EXPECT_EQ(Plain(EncodeOutcome(Exit{})), WordHex(0x20) + WordHex(0));
}

TEST(AbiTest, FixedPartHandAssembled) {
  FixedPart f;
  f.participants = {Hex<Address>("0x1111111111111111111111111111111111111111"),
                    Hex<Address>("0x2222222222222222222222222222222222222222")};
  f.channel_nonce = 7;
  f.app_definition = Hex<Address>("0x3333333333333333333333333333333333333333");
  f.challenge_duration = 60;
  const std::string pad(24, '0');
  std::string want = WordHex(0x80) + WordHex(7) + pad + std::string(40, '3') + WordHex(60) +
                     WordHex(2) + pad + std::string(40, '1') + pad + std::string(40, '2');
  EXPECT_EQ(Plain(EncodeFixedPart(f)), want);
  EXPECT_EQ(ComputeChannelId(f), Keccak256(HexBytes(want)));
}

TEST(AbiTest, StateHandAssembled) {
  ChannelId cid = Hex<ChannelId>("0x" + std::string(64, 'c'));
  VariablePart v;
  v.app_data = {1, 2, 3};
  v.turn_num = 5;
  v.is_final = true;
  std::string want = std::string(64, 'c') + WordHex(0xa0) + WordHex(0xe0) + WordHex(5) +
                     WordHex(1) + WordHex(3) + "010203" + std::string(58, '0') + WordHex(0);
  EXPECT_EQ(Plain(EncodeState(cid, v)), want);
  EXPECT_EQ(ComputeStateHash(cid, v), Keccak256(HexBytes(want)));
}

TEST(AbiTest, StateEmbedsOutcomeArrayAfterAppData) {
  State s = testing::SpecExampleState();
  s.variable.app_data = Bytes(33, 0xab);  // 33 bytes pad to 64
  ChannelId cid = ComputeChannelId(s.fixed);
  Bytes enc = EncodeState(cid, s.variable);
  Bytes outcome = EncodeOutcome(s.variable.outcome);
  // Head (5 words), appData (length + 2 words), then the Exit array without its leading offset.
  EXPECT_EQ(WordAt(enc, 1), WordHex(0xa0));
  EXPECT_EQ(WordAt(enc, 2), WordHex(0xa0 + 0x60));
  EXPECT_EQ(WordAt(enc, 5), WordHex(33));
  ASSERT_EQ(enc.size(), 8 * 32 + outcome.size() - 32);
  EXPECT_TRUE(std::equal(outcome.begin() + 32, outcome.end(), enc.begin() + 8 * 32));
  EXPECT_EQ(ComputeStateHash(s), ComputeStateHash(cid, s.variable));
}

TEST(AbiTest, VoucherHashHandAssembled) {
  ChannelId cid = Hex<ChannelId>("0x" + std::string(62, '0') + "2a");
  Hash256 h = ComputeVoucherHash(cid, Uint256::Max());
  EXPECT_EQ(h, Keccak256(HexBytes(WordHex(0x2a) + std::string(64, 'f'))));
  EXPECT_NE(h, ComputeVoucherHash(cid, 1));
}

TEST(AbiTest, MaxAmountIsAllOnesWord) {
  SingleAssetExit e;
  Allocation a;
  a.amount = Uint256::Max();
  e.allocations.push_back(a);
  Bytes enc = EncodeOutcome(Exit{e});
  EXPECT_EQ(WordAt(enc, 12), std::string(64, 'f'));
}

TEST(AbiTest, ManyAllocationsLayout) {
  constexpr size_t kN = 1000;
  SingleAssetExit e;
  for (size_t i = 0; i < kN; ++i) {
    Allocation a;
    a.destination.bytes[31] = static_cast<uint8_t>(i);
    a.amount = i;
    e.allocations.push_back(a);
  }
  Bytes enc = EncodeOutcome(Exit{e});
  // offset, length, element offset, 3 head words, 3 asset metadata words, allocations length,
  // kN offsets, kN allocations of 5 words (4 head words + empty metadata length).
  ASSERT_EQ(enc.size(), 32 * (10 + kN + 5 * kN));
  EXPECT_EQ(WordAt(enc, 9), WordHex(kN));
  for (size_t i = 0; i < kN; ++i) {
    EXPECT_EQ(WordAt(enc, 10 + i), WordHex(32 * kN + 160 * i)) << i;
    EXPECT_EQ(WordAt(enc, 10 + kN + 5 * i + 1), WordHex(i)) << i;  // the amount
  }
}

TEST(AbiTest, LargeAppData) {
  VariablePart v;
  v.app_data.resize(10 * 1024 + 1);
  for (size_t i = 0; i < v.app_data.size(); ++i) v.app_data[i] = static_cast<uint8_t>(i * 7);
  Bytes enc = EncodeState(ChannelId{}, v);
  size_t padded = (v.app_data.size() + 31) / 32 * 32;
  ASSERT_EQ(enc.size(), 5 * 32 + 32 + padded + 32);
  EXPECT_EQ(WordAt(enc, 5), WordHex(v.app_data.size()));
  EXPECT_TRUE(std::equal(v.app_data.begin(), v.app_data.end(), enc.begin() + 6 * 32));
  EXPECT_EQ(WordAt(enc, 2), WordHex(5 * 32 + 32 + padded));
  VariablePart w = v;
  w.app_data.back() ^= 1;
  EXPECT_NE(ComputeStateHash(ChannelId{}, v), ComputeStateHash(ChannelId{}, w));
}

TEST(ChannelIdTest, ChangesWithEveryFixedPartField) {
  const FixedPart base = testing::SpecExampleState().fixed;
  std::vector<std::function<void(FixedPart&)>> edits = {
      [](FixedPart& f) { f.participants[0].bytes[19] ^= 1; },
      [](FixedPart& f) { std::swap(f.participants[0], f.participants[1]); },
      [](FixedPart& f) { f.participants.push_back(Address{}); },
      [](FixedPart& f) { f.participants.pop_back(); },
      [](FixedPart& f) { f.channel_nonce += 1; },
      [](FixedPart& f) { f.app_definition.bytes[0] ^= 0x80; },
      [](FixedPart& f) { f.challenge_duration += 1; },
  };
  ChannelId id = ComputeChannelId(base);
  for (size_t i = 0; i < edits.size(); ++i) {
    FixedPart f = base;
    edits[i](f);
    EXPECT_NE(ComputeChannelId(f), id) << "edit " << i;
  }
}

TEST(StateHashTest, ChangesWithEveryVariablePartField) {
  State base = testing::SpecExampleState();
  base.variable.outcome[0].allocations[1].metadata = {9};
  using V = VariablePart;
  std::vector<std::function<void(V&)>> edits = {
      [](V& v) { v.app_data.push_back(0); },
      [](V& v) { v.outcome[0].asset.bytes[5] = 1; },
      [](V& v) { v.outcome[0].asset_metadata.asset_type = 1; },
      [](V& v) { v.outcome[0].asset_metadata.metadata = {0}; },
      [](V& v) { v.outcome[0].allocations[0].destination.bytes[0] = 1; },
      [](V& v) { v.outcome[0].allocations[0].amount = 6; },
      [](V& v) { v.outcome[0].allocations[0].allocation_type = 1; },
      [](V& v) { v.outcome[0].allocations[1].metadata = {8}; },
      [](V& v) { v.outcome[0].allocations[1].metadata.clear(); },
      [](V& v) { v.outcome[0].allocations.pop_back(); },
      [](V& v) { v.outcome.push_back(v.outcome[0]); },
      [](V& v) { v.outcome.clear(); },
      [](V& v) { v.turn_num += 1; },
      [](V& v) { v.is_final = true; },
  };
  ChannelId cid = ComputeChannelId(base.fixed);
  Hash256 h = ComputeStateHash(cid, base.variable);
  for (size_t i = 0; i < edits.size(); ++i) {
    VariablePart v = base.variable;
    edits[i](v);
    EXPECT_NE(ComputeStateHash(cid, v), h) << "edit " << i;
  }
  ChannelId other = cid;
  other.bytes[31] ^= 1;
  EXPECT_NE(ComputeStateHash(other, base.variable), h);
}

}  // namespace
}  // namespace statelog::nitro
