// Helpers shared by the nitro tests.
#ifndef STATELOG_TESTS_NITRO_TEST_UTIL_H_
#define STATELOG_TESTS_NITRO_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "statelog/bytes.h"
#include "statelog/state.h"

namespace statelog::nitro::testing {

// Parses hex digits with or without "0x"; fails the test on bad input.
inline Bytes HexBytes(std::string_view hex) {
  std::string h(hex);
  if (h.rfind("0x", 0) != 0) h = "0x" + h;
  Bytes out;
  Status s = ParseHexBytes(h, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

template <typename T>
T Hex(std::string_view hex) {
  std::string h(hex);
  if (h.rfind("0x", 0) != 0) h = "0x" + h;
  StatusOr<T> v = T::FromHex(h);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : T{};
}

// Returns a 32-byte word holding `v` in its last byte(s), as hex without 0x.
inline std::string WordHex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return std::string(48, '0') + buf;
}

// The example state of docs/nitro-encoding.md (go-nitro's TestState).
inline State SpecExampleState() {
  State s;
  s.fixed.participants = {Hex<Address>("0xf5a1bb5607c9d079e46d1b3dc33f257d937b43bd"),
                          Hex<Address>("0x760bf27cd45036a6c486802d30b5d90cffbe31fe")};
  s.fixed.channel_nonce = 37140676580;
  s.fixed.app_definition = Hex<Address>("0x5e29e5ab8ef33f050c7cc10b5a0456d975c5f88d");
  s.fixed.challenge_duration = 60;
  SingleAssetExit e;
  Allocation a;
  a.destination = ToDestination(Hex<Address>("0xf5a1bb5607c9d079e46d1b3dc33f257d937b43bd"));
  a.amount = 5;
  e.allocations.push_back(a);
  a.destination = ToDestination(Hex<Address>("0xee18ff1575055691009aa246ae608132c57a422c"));
  e.allocations.push_back(a);
  s.variable.outcome.push_back(e);
  s.variable.turn_num = 5;
  return s;
}

}  // namespace statelog::nitro::testing

#endif  // STATELOG_TESTS_NITRO_TEST_UTIL_H_
