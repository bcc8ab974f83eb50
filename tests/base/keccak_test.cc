#include "statelog/keccak.h"

#include <gtest/gtest.h>

namespace statelog {
namespace {

TEST(KeccakTest, EmptyVectorFromSpec) {
  EXPECT_EQ(Keccak256("").ToHex(),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(KeccakTest, IsNotSha3) {
  // keccak256("abc"); NIST SHA3-256("abc") is 0x3a985da7...
  EXPECT_EQ(Keccak256("abc").ToHex(),
            "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(KeccakTest, IncrementalEqualsOneShot) {
  std::string data(1000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Keccak256Hasher h;
  h.Update(std::string_view(data).substr(0, 137));
  h.Update(std::string_view(data).substr(137));
  EXPECT_EQ(h.Finish(), Keccak256(data));
  h.Update("abc");  // reusable after Finish
  EXPECT_EQ(h.Finish(), Keccak256("abc"));
}

}  // namespace
}  // namespace statelog
