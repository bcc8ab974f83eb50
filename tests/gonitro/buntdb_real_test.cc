// statelog's buntdb reader on files the real buntdb wrote (buntdbwriter/main.go, run by
// buntdb_test.sh, which also records what buntdb itself reads back: the expected contents).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "gonitro/buntdb.h"

namespace statelog::gonitro {
namespace {

// What the real buntdb wrote and read back (BUNTDB_FIXTURE: the file; BUNTDB_EXPECTED: buntdb's
// own reading, a JSON object of the live keys, here compared as text after ordering).
TEST(BuntdbRealFileTest, ReadsWhatBuntdbWroteAsBuntdbReadsIt) {
  const char* file = std::getenv("BUNTDB_FIXTURE");
  const char* expected = std::getenv("BUNTDB_EXPECTED");
  if (file == nullptr || expected == nullptr) GTEST_SKIP() << "run by buntdb_test.sh";
  StatusOr<BuntdbContents> r = ReadBuntdbFile(file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::ifstream in(expected);
  std::string want((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!want.empty() && want.back() == '\n') want.pop_back();
  // The keys and values of the fixtures are plain ASCII without quotes or backslashes, so the
  // JSON object buntdb's reader printed is {"k":"v",...} in key order, as built here.
  std::string got = "{";
  for (const auto& [k, v] : r->values) {
    if (got.size() > 1) got += ',';
    got += "\"" + k + "\":\"" + v + "\"";
  }
  got += "}";
  EXPECT_EQ(got, want);
  EXPECT_FALSE(r->torn_tail);
}

}  // namespace
}  // namespace statelog::gonitro
