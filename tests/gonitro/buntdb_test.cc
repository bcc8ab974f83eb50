// statelog's buntdb reader: replay, torn tails, and every malformed byte named by its offset.
// (buntdb_real_test.cc reads files the real buntdb wrote.)
#include "gonitro/buntdb.h"

#include <gtest/gtest.h>

#include <string>

namespace statelog::gonitro {
namespace {

std::string Set(const std::string& k, const std::string& v) {
  return "*3\r\n$3\r\nset\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n$" +
         std::to_string(v.size()) + "\r\n" + v + "\r\n";
}
std::string Del(const std::string& k) {
  return "*2\r\n$3\r\ndel\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n";
}

TEST(BuntdbTest, ReplaysSetsDeletesAndFlushes) {
  const std::string file = Set("a", "1") + Set("b", "two\r\nlines") + Set("a", "3") + Del("b") +
                           Set("c", "") + "*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1\r\n4\r\n";
  StatusOr<BuntdbContents> r = ReadBuntdb(file, "f.db");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->values, (std::map<std::string, std::string>{{"a", "3"}, {"c", ""}, {"d", "4"}}));
  EXPECT_EQ(r->commands, 6u);
  EXPECT_EQ(r->whole_bytes, file.size());
  EXPECT_FALSE(r->torn_tail);

  r = ReadBuntdb(file + "*1\r\n$7\r\nflushdb\r\n" + Set("z", "9"), "f.db");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->values, (std::map<std::string, std::string>{{"z", "9"}}));
}

TEST(BuntdbTest, EmptyFileHoldsNothing) {
  StatusOr<BuntdbContents> r = ReadBuntdb("", "f.db");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->values.empty());
  EXPECT_FALSE(r->torn_tail);
}

// Every proper prefix of a command is a torn tail: the whole commands before it count, the rest
// is reported, nothing is an error.
TEST(BuntdbTest, EveryTornTailIsCutBackToTheLastWholeCommand) {
  const std::string whole = Set("key", "value");
  const std::string last = Set("key2", "a longer value");
  for (size_t cut = 1; cut < last.size(); ++cut) {
    StatusOr<BuntdbContents> r = ReadBuntdb(whole + last.substr(0, cut), "f.db");
    ASSERT_TRUE(r.ok()) << "cut " << cut << ": " << r.status().ToString();
    EXPECT_TRUE(r->torn_tail) << "cut " << cut;
    EXPECT_EQ(r->whole_bytes, whole.size()) << "cut " << cut;
    EXPECT_EQ(r->values, (std::map<std::string, std::string>{{"key", "value"}}));
  }
}

TEST(BuntdbTest, MalformedBytesAreNamedByOffset) {
  const std::string ok = Set("k", "v");  // 27 bytes
  const std::vector<std::pair<std::string, std::string>> cases = {
      {ok + std::string(8, '\0'), "f.db: byte 27: expected a command (*<parts>), got byte 0x00"},
      {ok + "+OK\r\n", "f.db: byte 27: expected a command (*<parts>), got '+'"},
      {"*x\r\n", "f.db: byte 1: expected the digits of a command (*<parts>), got 'x'"},
      {"*3\n", "f.db: byte 2: expected \\r\\n after a command (*<parts>)"},
      {"*3\r\r", "f.db: byte 3: expected \\n after a command (*<parts>)"},
      {"*1\r\n#3\r\n", "f.db: byte 4: expected a bulk string ($<length>), got '#'"},
      {"*1\r\n$3\r\nsetXY", "f.db: byte 11: a bulk string of 3 bytes must end in \\r\\n"},
      {"*0\r\n", "f.db: byte 0: a command with no parts"},
      {"*2\r\n$3\r\nget\r\n$1\r\nk\r\n", "f.db: byte 0: unknown command \"get\""},
      {"*2\r\n$3\r\nset\r\n$1\r\nk\r\n", "f.db: byte 0: set has 2 parts, not 3"},
      {"*3\r\n$3\r\ndel\r\n$1\r\nk\r\n$1\r\nv\r\n", "f.db: byte 0: del has 3 parts, not 2"},
      {"*5\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nex\r\n$2\r\n10\r\n",
       "f.db: byte 0: a set with an expiry, which go-nitro never writes"},
      {"*2\r\n$7\r\nflushdb\r\n$1\r\nk\r\n", "f.db: byte 0: flushdb takes no arguments"},
      {"*99999999999999\r\n", "f.db: byte 0: a command (*<parts>) is implausibly large"},
  };
  for (const auto& [bytes, want] : cases) {
    StatusOr<BuntdbContents> r = ReadBuntdb(bytes, "f.db");
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_EQ(r.status().message(), want);
  }
}

TEST(BuntdbTest, FilesThatCannotBeReadAreErrors) {
  StatusOr<BuntdbContents> r = ReadBuntdbFile("/nonexistent/objectives_0xAbC.db");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError) << r.status().ToString();
  EXPECT_NE(r.status().message().find("/nonexistent/objectives_0xAbC.db"), std::string::npos);
  r = ReadBuntdbFile("/tmp");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "/tmp: a directory, not a buntdb file");
}

}  // namespace
}  // namespace statelog::gonitro
