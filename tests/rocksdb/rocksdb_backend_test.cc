// RocksBackend as a generic LogBackend: records of a small non-Nitro format, arbitrary stream keys
// (one a prefix of another, binary bytes, the maximum length), the conditional append, and the
// stream index read back after a reopen.
#include "rocksdb/rocksdb_backend.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rocksdb/rocksdb_internal.h"
#include "statelog/keccak.h"
#include "statelog/log.h"
#include "statelog/log_backend.h"
#include "statelog/tlog.h"
#include "store/rocksdb_factory.h"  // TempDir

namespace statelog::test {
namespace {

using rocksdb_internal::RocksBackend;

// A payload of text. Encoded: BE64(timestamp), the stream count, each stream as one length byte
// and its bytes, then the text. The id is keccak256 of the encoding.
class TextPayload final : public RecordPayload {
 public:
  TextPayload(Timestamp ts, std::vector<std::string> streams, std::string text)
      : ts_(ts), streams_(std::move(streams)), text_(std::move(text)) {}
  std::string Encode() const override {
    std::string out;
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>(static_cast<uint64_t>(ts_) >> shift));
    }
    out.push_back(static_cast<char>(streams_.size()));
    for (const std::string& s : streams_) {
      out.push_back(static_cast<char>(s.size()));
      out += s;
    }
    return out + text_;
  }

 private:
  Timestamp ts_;
  std::vector<std::string> streams_;
  std::string text_;
};

class TextFormat final : public RecordFormat {
 public:
  Status CheckId(const Record& record) const override {
    if (record.id != Keccak256(record.payload->Encode())) {
      return Status::InvalidArgument("id mismatch");
    }
    return Status::OK();
  }
  Status Decode(std::string_view bytes, Record* out) const override {
    if (bytes.size() < 9) return Status::InvalidArgument("short record");
    uint64_t ts = 0;
    for (int i = 0; i < 8; ++i) ts = (ts << 8) | static_cast<uint8_t>(bytes[i]);
    size_t pos = 9;
    std::vector<std::string> streams;
    for (int n = static_cast<uint8_t>(bytes[8]); n > 0; --n) {
      if (pos >= bytes.size()) return Status::InvalidArgument("truncated streams");
      const size_t len = static_cast<uint8_t>(bytes[pos++]);
      if (pos + len > bytes.size()) return Status::InvalidArgument("truncated stream");
      streams.emplace_back(bytes.substr(pos, len));
      pos += len;
    }
    out->id = Keccak256(bytes);
    out->timestamp = static_cast<Timestamp>(ts);
    out->streams = streams;
    out->payload = std::make_shared<TextPayload>(out->timestamp, std::move(streams),
                                                 std::string(bytes.substr(pos)));
    return Status::OK();
  }
};

const TextFormat kFormat;

Record MakeRecord(Timestamp ts, std::vector<std::string> streams, const std::string& text) {
  auto payload = std::make_shared<TextPayload>(ts, streams, text);
  return Record{Keccak256(payload->Encode()), ts, std::move(streams), std::move(payload)};
}

std::unique_ptr<RocksBackend> OpenBackend(const std::string& dir) {
  auto backend = RocksBackend::Open(dir, {}, &kFormat, {});
  EXPECT_TRUE(backend.ok()) << backend.status().ToString();
  return backend.ok() ? std::move(*backend) : nullptr;
}

std::unique_ptr<Log> OpenLog(const std::string& dir) {
  auto backend = OpenBackend(dir);
  if (!backend) return nullptr;
  auto log = Log::Open(std::move(backend), &kFormat);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

// Streams whose keys are prefixes of one another, binary, and of the maximum length.
const std::string kA = "a";
const std::string kAB = "ab";
const std::string kABC = "abc";
const std::string kBinary = std::string("\0\xff\x01", 3);
const std::string kLongest(kMaxStreamKeySize, 'a');

TEST(RocksBackendTest, StreamKeysThatArePrefixesOfOneAnotherStayApart) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  const std::vector<Record> records = {
      MakeRecord(1, {kA}, "r0"),
      MakeRecord(2, {kAB, kBinary}, "r1"),
      MakeRecord(3, {kABC, kA}, "r2"),
      MakeRecord(4, {kLongest}, "r3"),
      MakeRecord(5, {kAB, kLongest}, "r4"),
      MakeRecord(6, {}, "r5"),
  };
  {
    auto log = OpenLog(dir);
    ASSERT_TRUE(log);
    auto r = log->Append(records);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  auto log = OpenLog(dir);  // everything below is read back from disk
  ASSERT_TRUE(log);
  auto offsets = [&](const std::string& s, Offset before = 100) {
    auto got = log->StreamOffsets(s, before);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::vector<Offset>{99};
  };
  EXPECT_EQ(offsets(kA), (std::vector<Offset>{0, 2}));
  EXPECT_EQ(offsets(kAB), (std::vector<Offset>{1, 4}));
  EXPECT_EQ(offsets(kABC), (std::vector<Offset>{2}));
  EXPECT_EQ(offsets(kBinary), (std::vector<Offset>{1}));
  EXPECT_EQ(offsets(kLongest), (std::vector<Offset>{3, 4}));
  EXPECT_EQ(offsets(kLongest, 4), (std::vector<Offset>{3}));
  EXPECT_EQ(offsets("b"), (std::vector<Offset>{}));
  EXPECT_EQ(*log->StreamVersion(kA), 2u);
  EXPECT_EQ(*log->StreamVersion(kLongest), 2u);
  EXPECT_EQ(*log->StreamVersion("zz"), 0u);

  // The decoded records equal what was appended.
  std::vector<StoredRecord> read;
  ASSERT_TRUE(log->ReadRange(0, records.size(), &read).ok());
  ASSERT_EQ(read.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(read[i].record.id, records[i].id);
    EXPECT_EQ(read[i].record.timestamp, records[i].timestamp);
    EXPECT_EQ(read[i].record.streams, records[i].streams);
    EXPECT_EQ(read[i].record.payload->Encode(), records[i].payload->Encode());
  }

  // Per-stream ordering and expected versions work from the index after the reopen.
  auto early = log->Append(std::vector<Record>{MakeRecord(4, {kAB}, "early")});
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition) << early.status().ToString();
  AppendOptions stale;
  stale.expected_streams.push_back({kABC, 0});
  auto conflict = log->Append(std::vector<Record>{MakeRecord(9, {kABC}, "x")}, stale);
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
  AppendOptions current;
  current.expected_streams.push_back({kABC, 1});
  current.expected_length = records.size();
  auto ok = log->Append(std::vector<Record>{MakeRecord(9, {kABC}, "x")}, current);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0], (AppendResult{records.size(), true}));
  EXPECT_EQ(offsets(kABC), (std::vector<Offset>{2, records.size()}));
}

// Stream keys of one length that agree in their first eight bytes, interleaved in a batch large
// enough to be sorted on two threads: written as one WriteBatch and as table files (which RocksDB
// accepts only in strict key order), each stream reads back its own offsets.
TEST(RocksBackendTest, StreamKeysAlikeInTheirFirstBytesSortApart) {
  const std::vector<std::string> streams = {"samefirstC", "samefirstA", "samefirstB", "samefirsA",
                                            "samefirstA\x01"};
  std::vector<Record> records;
  std::vector<std::vector<Offset>> expected(streams.size());
  for (size_t i = 0; i < 6000; ++i) {
    const size_t k = i % streams.size(), j = (i / streams.size() + i) % streams.size();
    std::vector<std::string> keys = {streams[k]};
    expected[k].push_back(i);
    if (j != k) {
      keys.push_back(streams[j]);
      expected[j].push_back(i);
    }
    records.push_back(MakeRecord(static_cast<Timestamp>(i), keys, std::to_string(i)));
  }
  for (const uint64_t bulk_bytes : {uint64_t{0}, uint64_t{1}}) {
    SCOPED_TRACE(bulk_bytes == 0 ? "one WriteBatch" : "table files");
    TempDir tmp;
    const std::string dir = tmp.path() + "/db";
    RocksDbOptions options;
    options.bulk_append_bytes = bulk_bytes;
    {
      auto backend = RocksBackend::Open(dir, options, &kFormat, {});
      ASSERT_TRUE(backend.ok()) << backend.status().ToString();
      auto log = Log::Open(std::move(*backend), &kFormat);
      ASSERT_TRUE(log.ok()) << log.status().ToString();
      auto r = (*log)->Append(records);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    auto log = OpenLog(dir);
    ASSERT_TRUE(log);
    for (size_t k = 0; k < streams.size(); ++k) {
      auto got = log->StreamOffsets(streams[k], records.size());
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, expected[k]) << "stream " << k;
      EXPECT_EQ(*log->StreamVersion(streams[k]), expected[k].size()) << "stream " << k;
    }
    for (size_t i : {size_t{0}, size_t{2999}, size_t{5999}}) {
      EXPECT_EQ(*log->Find(records[i].id), i);
    }
  }
}

TEST(RocksBackendTest, AppendAtAnotherHeadIsAConflictAndWritesNothing) {
  TempDir tmp;
  auto backend = OpenBackend(tmp.path() + "/db");
  ASSERT_TRUE(backend);
  const Record record = MakeRecord(1, {kA}, "r0");
  const std::string encoded = record.payload->Encode();
  StagedRecord staged;
  staged.offset = 0;
  staged.chain = NextChain(Hash256(), record.id);
  staged.record = &record;
  staged.encoded = encoded;
  staged.streams.push_back(StreamEntry{kA, 1});
  // Without the Merkle tree's leaf hash the store refuses the record.
  {
    Status s = backend->Append(ChainHead(), std::span<const StagedRecord>(&staged, 1));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  }
  const tlog::StoredHash leaf{{0, 0}, tlog::LeafHash(encoded)};
  staged.tree = std::span(&leaf, 1);

  ChainHead wrong{0, Keccak256("not the head")};
  Status s = backend->Append(wrong, std::span<const StagedRecord>(&staged, 1));
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.ToString();
  EXPECT_EQ(*backend->ReadHead(), ChainHead());
  EXPECT_EQ(*backend->Find(record.id), std::nullopt);
  EXPECT_EQ(*backend->StreamOffsets(kA, 10), std::vector<Offset>{});

  ASSERT_TRUE(backend->Append(ChainHead(), std::span<const StagedRecord>(&staged, 1)).ok());
  EXPECT_EQ(*backend->ReadHead(), (ChainHead{1, staged.chain}));
  EXPECT_EQ(*backend->Find(record.id), std::optional<Offset>(0));
  EXPECT_EQ(*backend->ReadStreamTail(kA, 1), (std::optional<StreamTail>(StreamTail{1, 0, 1})));
  EXPECT_EQ(*backend->ReadStreamTail(kA, 0), std::nullopt);
  // The same batch again is staged against a head that is no longer the backend's.
  s = backend->Append(ChainHead(), std::span<const StagedRecord>(&staged, 1));
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.ToString();
  EXPECT_EQ(backend->ReadHead()->length, 1u);
  EXPECT_TRUE(backend->health().ok());
}

}  // namespace
}  // namespace statelog::test
