#include "statelog/bytes.h"

#include <gtest/gtest.h>

#include "statelog/state.h"

namespace statelog {
namespace {

TEST(HexTest, RoundTripsLowercase) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(ToHex(b), "0x0001abff");
  Bytes back;
  ASSERT_TRUE(ParseHexBytes("0x0001ABff", &back).ok());
  EXPECT_EQ(back, b);
  ASSERT_TRUE(ParseHexBytes("0x", &back).ok());
  EXPECT_TRUE(back.empty());
}

TEST(HexTest, RejectsWithReason) {
  Bytes b = {1, 2};
  EXPECT_EQ(ParseHexBytes("abcd", &b).message(), "hex must start with 0x");
  EXPECT_EQ(ParseHexBytes("0xabc", &b).message(), "hex has an odd number of digits (3)");
  EXPECT_EQ(ParseHexBytes("0xabzd", &b).message(), "bad hex digit 'z' at position 4");
  EXPECT_EQ(ParseHexBytes(std::string("0x0\x01", 4), &b).message(),
            "bad hex digit '\\x01' at position 3");
  // The first bad digit is named, wherever it is and however many follow.
  EXPECT_EQ(ParseHexBytes("0xab1zq0\xff!", &b).message(), "bad hex digit 'z' at position 5");
  EXPECT_EQ(ParseHexBytes("0x" + std::string(62, 'f') + "/f", &b).message(),
            "bad hex digit '/' at position 64");
  EXPECT_EQ(b, Bytes({1, 2}));  // unchanged by the failed parses
  Address a;
  EXPECT_EQ(ParseHexFixed("0x1234", a.bytes).message(), "hex must have 40 digits, has 4");
  EXPECT_EQ(ParseHexFixed("0x" + std::string(39, 'a') + "G", a.bytes).message(),
            "bad hex digit 'G' at position 41");
}

TEST(FixedBytesTest, ValueSemantics) {
  auto a = Address::FromHex("0xAAA6628Ec44A8a742987EF3A114dDFE2D4F7aDCE");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->ToHex(), "0xaaa6628ec44a8a742987ef3a114ddfe2d4f7adce");
  Address zero;
  EXPECT_TRUE(zero.IsZero());
  EXPECT_FALSE(a->IsZero());
  EXPECT_LT(zero, *a);
  EXPECT_FALSE(Bytes32::FromHex("0x12").ok());
  Destination d = ToDestination(*a);
  EXPECT_EQ(d.ToHex(), "0x000000000000000000000000aaa6628ec44a8a742987ef3a114ddfe2d4f7adce");
}

}  // namespace
}  // namespace statelog
