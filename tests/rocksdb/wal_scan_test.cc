// The write-ahead log reader of ADR-0019 on logs built by hand: whole records, fragments across a
// block boundary, and the damage RocksDB's recovery does not name or check (a repeated block
// replays sequence numbers; a batch shorter than its header).
#include "rocksdb/wal_scan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace statelog::rocksdb_internal {
namespace {

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A write batch's bytes: sequence, count, then `body`.
std::string Batch(uint64_t sequence, uint32_t count, const std::string& body = "ops") {
  std::string out;
  PutLe(&out, sequence, 8);
  PutLe(&out, count, 4);
  return out + body;
}

// One physical record of `type` (1 full, 2 first, 3 middle, 4 last) holding `payload`.
std::string Record(uint8_t type, const std::string& payload) {
  std::string typed(1, static_cast<char>(type));
  typed += payload;
  std::string out;
  PutLe(&out, MaskedCrc32c(typed), 4);
  PutLe(&out, payload.size(), 2);
  return out + typed;
}

TEST(WalScanTest, ControlBatchesInOrderReadWhole) {
  const std::string log = Record(1, Batch(1, 2)) + Record(1, Batch(3, 1)) + Record(1, Batch(4, 0)) +
                          Record(1, Batch(4, 5));
  const WalFile scanned = ScanWal("000007.log", log);
  EXPECT_FALSE(scanned.bad_offset.has_value()) << scanned.Describe();
  EXPECT_EQ(scanned.records, 4u);
}

TEST(WalScanTest, ARepeatedBatchIsDamageNamingItsOffset) {
  const std::string first = Record(1, Batch(1, 2));
  const std::string second = Record(1, Batch(3, 1));
  const WalFile scanned = ScanWal("000007.log", first + second + first + second);
  ASSERT_TRUE(scanned.bad_offset.has_value());
  EXPECT_EQ(*scanned.bad_offset, first.size() + second.size());
  EXPECT_FALSE(scanned.torn_tail);
  EXPECT_EQ(scanned.records, 2u);
  EXPECT_EQ(scanned.Describe(), "000007.log at byte " +
                                    std::to_string(first.size() + second.size()) +
                                    ": a write batch at sequence 1 after one that ended at 4 (a "
                                    "repeated or misplaced block)");
}

TEST(WalScanTest, ARepeatedBatchSplitIntoFragmentsIsDamageAtItsFirstFragment) {
  // A batch of 40,000 bytes spans two 32 KiB blocks: first fragment, last fragment.
  const std::string big = Batch(10, 3, std::string(40000, 'x'));
  const size_t head = 32768 - 7;
  const std::string one = Record(2, big.substr(0, head)) + Record(4, big.substr(head));
  // The same batch again, starting in the second block, where it is split again.
  const size_t at = one.size();
  const size_t room = 2 * 32768 - at - 7;
  const std::string again = Record(2, big.substr(0, room)) + Record(4, big.substr(room));
  const WalFile control = ScanWal("000009.log", one);
  EXPECT_FALSE(control.bad_offset.has_value()) << control.Describe();
  EXPECT_EQ(control.records, 1u);
  const WalFile scanned = ScanWal("000009.log", one + again);
  ASSERT_TRUE(scanned.bad_offset.has_value());
  EXPECT_EQ(*scanned.bad_offset, at);
  EXPECT_EQ(scanned.problem,
            "a write batch at sequence 10 after one that ended at 13 (a repeated or misplaced "
            "block)");
}

TEST(WalScanTest, ABatchShorterThanItsHeaderIsDamage) {
  const WalFile scanned = ScanWal("000007.log", Record(1, Batch(1, 1)) + Record(1, "short"));
  ASSERT_TRUE(scanned.bad_offset.has_value());
  EXPECT_FALSE(scanned.torn_tail);
  EXPECT_EQ(scanned.problem, "a write batch of 5 bytes, shorter than its 12-byte header");
}

}  // namespace
}  // namespace statelog::rocksdb_internal
