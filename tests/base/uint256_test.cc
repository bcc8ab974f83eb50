#include "statelog/uint256.h"

#include <gtest/gtest.h>

namespace statelog {
namespace {

constexpr const char* kMax =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
constexpr const char* k2Pow200 = "1606938044258990275541962092341162602522202993782792835301376";

TEST(Uint256Test, DecimalRoundTrip) {
  for (const char* s : {"0", "1", "18446744073709551615", "18446744073709551616", k2Pow200, kMax,
                        "10000000000000000000", "9999999999999999999"}) {
    auto v = Uint256::FromDecimal(s);
    ASSERT_TRUE(v.ok()) << s;
    EXPECT_EQ(v->ToDecimal(), s);
  }
  EXPECT_EQ(Uint256::Max().ToDecimal(), kMax);
}

TEST(Uint256Test, RejectsBadDecimal) {
  EXPECT_EQ(Uint256::FromDecimal("").status().message(), "empty number");
  EXPECT_EQ(Uint256::FromDecimal("01").status().message(), "number has a leading zero");
  EXPECT_EQ(Uint256::FromDecimal("12a").status().message(), "bad decimal digit at position 2");
  EXPECT_EQ(Uint256::FromDecimal("-1").status().message(), "bad decimal digit at position 0");
  // 2^256 exactly: one more than the maximum.
  auto over = Uint256::FromDecimal(
      "115792089237316195423570985008687907853269984665640564039457584007913129639936");
  EXPECT_TRUE(over.status().IsOutOfRange());
  EXPECT_TRUE(Uint256::FromDecimal(std::string(79, '1')).status().IsOutOfRange());
}

TEST(Uint256Test, BigEndianMatchesAbiWords) {
  std::array<uint8_t, 32> be{};
  be[31] = 1;
  be[0] = 0x80;
  Uint256 v = Uint256::FromBigEndian(be);
  std::array<uint8_t, 32> back{};
  v.ToBigEndian(back);
  EXPECT_EQ(be, back);
  // 2^255 + 1
  EXPECT_EQ(v.ToDecimal(),
            "57896044618658097711785492504343953926634992332820282019728792003956564819969");
}

TEST(Uint256Test, CheckedArithmetic) {
  Uint256 out;
  EXPECT_TRUE(Uint256::CheckedAdd(Uint256(~0ULL), Uint256(1), &out));
  EXPECT_EQ(out.ToDecimal(), "18446744073709551616");
  EXPECT_FALSE(Uint256::CheckedAdd(Uint256::Max(), Uint256(1), &out));
  Uint256 a = *Uint256::FromDecimal("18446744073709551616");
  ASSERT_TRUE(Uint256::CheckedSub(a, Uint256(1), &out));
  EXPECT_EQ(out, Uint256(~0ULL));
  EXPECT_FALSE(Uint256::CheckedSub(Uint256(1), Uint256(2), &out));
  EXPECT_LT(Uint256(5), a);
  EXPECT_GT(Uint256::Max(), a);
}

}  // namespace
}  // namespace statelog
