// statelog reads go-nitro's JSON as Go's encoding/json writes it, and writes it back byte for
// byte: the input is produced by the real Go encoder (gojson/gen.go, run by go_json_test.sh),
// with the hex of every byte field computed by Go's encoding/hex next to each line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "statelog/nitro.h"

namespace statelog::nitro {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  if (s.empty()) return {""};
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

std::string Hex(const Bytes& b) {
  std::string h = ToHex(b);
  return h.substr(2);  // encoding/hex writes no 0x
}

TEST(GoNitroJsonTest, ReadsAndWritesWhatGoWrites) {
  const char* path = std::getenv("STATELOG_GO_NITRO_JSON");
  if (path == nullptr) GTEST_SKIP() << "run by go_json_test.sh, which runs the Go encoder";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  size_t lines = 0, byte_fields = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << "line " << lines + 1;
    const std::string json = line.substr(0, tab);
    StatusOr<SignedState> s = ParseNitroSignedStateJson(json);
    ASSERT_TRUE(s.ok()) << "line " << lines + 1 << ": " << s.status().ToString();
    EXPECT_EQ(ToNitroJson(*s), json) << "line " << lines + 1;

    std::vector<std::string> want = Split(line.substr(tab + 1), ',');
    std::vector<std::string> got = {Hex(s->state.variable.app_data)};
    for (const SingleAssetExit& e : s->state.variable.outcome) {
      got.push_back(Hex(e.asset_metadata.metadata));
      for (const Allocation& a : e.allocations) got.push_back(Hex(a.metadata));
    }
    EXPECT_EQ(got, want) << "line " << lines + 1;
    byte_fields += got.size();
  }
  EXPECT_GE(lines, 100u);
  EXPECT_GE(byte_fields, 200u);
}

}  // namespace
}  // namespace statelog::nitro
