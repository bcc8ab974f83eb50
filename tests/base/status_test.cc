#include "statelog/status.h"

#include <gtest/gtest.h>

namespace statelog {
namespace {

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(s.WithPrefix("ctx").ok());
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::Corruption("bad record at offset 7");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "bad record at offset 7");
  EXPECT_EQ(s.ToString(), "Corruption: bad record at offset 7");
  EXPECT_EQ(s.WithPrefix("open").ToString(), "Corruption: open: bad record at offset 7");
  EXPECT_EQ(Status::Busy("x").code(), StatusCode::kBusy);
  EXPECT_EQ(StatusCodeName(StatusCode::kFailedPrecondition), "FailedPrecondition");
  EXPECT_TRUE(Status::NoSpace("x").IsNoSpace());
  EXPECT_EQ(Status::NoSpace("disk full").ToString(), "NoSpace: disk full");
}

StatusOr<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Status UseHalf(int x, int* out) {
  STATELOG_ASSIGN_OR_RETURN(int h, Half(x));
  *out = h;
  return Status::OK();
}

// Unreachable is data beside the code: prefixes and indexes keep it, OK stays OK, and a status
// is not unreachable unless marked so.
TEST(StatusTest, UnreachableIsKeptThroughPrefixesAndIndexes) {
  const Status plain = Status::IOError("postgres: cannot connect");
  EXPECT_FALSE(plain.unreachable());
  const Status down = plain.AsUnreachable();
  EXPECT_TRUE(down.unreachable());
  EXPECT_EQ(down.code(), StatusCode::kIOError);
  EXPECT_EQ(down.message(), "postgres: cannot connect");
  EXPECT_TRUE(down.WithPrefix("reading the head").unreachable());
  EXPECT_EQ(down.WithPrefix("reading the head").message(),
            "reading the head: postgres: cannot connect");
  EXPECT_TRUE(down.WithIndex(3, "event 3").unreachable());
  EXPECT_EQ(down.WithIndex(3).index(), 3u);
  EXPECT_FALSE(plain.WithPrefix("x").unreachable());
  EXPECT_TRUE(Status::OK().AsUnreachable().ok());
  EXPECT_FALSE(Status::OK().AsUnreachable().unreachable());
}

TEST(StatusOrTest, ValueOrError) {
  auto a = Half(4);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 2);
  auto b = Half(3);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(b.status().IsInvalidArgument());
  int out = 0;
  EXPECT_TRUE(UseHalf(8, &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(UseHalf(5, &out).message(), "odd");
  StatusOr<int> from_ok = Status::OK();  // a misuse becomes an error, not a crash
  EXPECT_FALSE(from_ok.ok());
}

}  // namespace
}  // namespace statelog
