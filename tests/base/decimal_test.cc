// ParseDecimal64: the one reading of a decimal 64-bit number (CLI options, HTTP parameters,
// checkpoint sizes, go-nitro block numbers).
#include "base/decimal.h"

#include <gtest/gtest.h>

namespace statelog {
namespace {

TEST(DecimalTest, ReadsDigitsUpTo64Bits) {
  EXPECT_EQ(*ParseDecimal64("0"), 0u);
  EXPECT_EQ(*ParseDecimal64("42"), 42u);
  EXPECT_EQ(*ParseDecimal64("007"), 7u);  // leading zeros: the caller's to refuse
  EXPECT_EQ(*ParseDecimal64("18446744073709551615"), UINT64_MAX);
}

TEST(DecimalTest, RefusesWhatIsNotOne) {
  EXPECT_EQ(ParseDecimal64("").status().ToString(), "InvalidArgument: empty");
  for (const char* bad : {"-1", "+1", " 1", "1 ", "0x10", "1e3", "1.0", "١"}) {
    EXPECT_EQ(ParseDecimal64(bad).status().ToString(), "InvalidArgument: not a decimal number")
        << bad;
  }
  EXPECT_EQ(ParseDecimal64("18446744073709551616").status().ToString(),
            "OutOfRange: exceeds 2^64-1");
  EXPECT_EQ(ParseDecimal64("99999999999999999999999").status().ToString(),
            "OutOfRange: exceeds 2^64-1");
  // A digit after an overflow does not make it a number again, nor a letter after it valid.
  EXPECT_EQ(ParseDecimal64("99999999999999999999x").status().ToString(),
            "InvalidArgument: not a decimal number");
}

}  // namespace
}  // namespace statelog
