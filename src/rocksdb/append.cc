// RocksBackend's write path: one conditional WriteBatch per Append, and the fatal error state.
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <string>
#include <vector>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;

std::string HeadName(const ChainHead& head) {
  return std::to_string(head.length) + ":" + head.chain.ToHex();
}

}  // namespace

StatusOr<ChainHead> RocksBackend::ReadHead() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_;
}

Status RocksBackend::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fatal_;
}

void RocksBackend::SetFatal(const Status& error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fatal_.ok()) fatal_ = error;
}

Status RocksBackend::CheckWritable() const {
  if (read_only_) return Status::NotSupported("store " + dir_ + " is open read-only");
  const Status fatal = health();
  if (fatal.ok()) return fatal;
  return Status::Aborted("store is unusable after " + fatal.ToString() + " (reopen it)");
}

Status RocksBackend::Append(const ChainHead& expected, std::span<const StagedRecord> records) {
  STATELOG_RETURN_IF_ERROR(CheckWritable());
  if (const ChainHead head = *ReadHead(); head != expected) {
    return Status::Conflict("the log's head is " + HeadName(head) + ", not the expected " +
                            HeadName(expected));
  }
  if (records.empty()) return Status::OK();

  // One batch: every record, its id entry and its stream entries, then the head. A batch is
  // applied in the order it was built, and RocksDB's memtable inserts a key next to the previous
  // one far faster than anywhere else: so the records go in offset order, then the id entries
  // and the stream entries each in key order. (The keys of one batch are distinct, so their
  // order changes nothing else.)
  size_t bytes = 64;
  size_t stream_count = 0;
  Offset next = expected.length;
  for (const StagedRecord& r : records) {
    if (r.offset != next || r.record == nullptr) {
      return Status::InvalidArgument("staged record at offset " + std::to_string(r.offset) +
                                     " where offset " + std::to_string(next) +
                                     " comes next, or without a record");
    }
    for (const StreamEntry& s : r.streams) {
      if (s.stream.empty() || s.stream.size() > kMaxStreamKeySize) {
        return Status::InvalidArgument("offset " + std::to_string(r.offset) + ": " +
                                       format_->StreamName(s.stream) + " has " +
                                       std::to_string(s.stream.size()) + " bytes");
      }
      bytes += s.stream.size() + 40;
    }
    bytes += r.encoded.size() + 100;  // record and id entries with their framing
    stream_count += r.streams.size();
    ++next;
  }
  rocksdb::WriteBatch batch(bytes);
  std::string key, value;
  for (const StagedRecord& r : records) {
    value.clear();
    fmt::PutFixed(&value, r.chain);
    value.append(r.encoded);
    batch.Put(fmt::RecordKey(r.offset), value);
  }
  // Id entries in key order ('i' + id).
  std::vector<const StagedRecord*> by_id(records.size());
  for (size_t i = 0; i < records.size(); ++i) by_id[i] = &records[i];
  std::sort(by_id.begin(), by_id.end(), [](const StagedRecord* a, const StagedRecord* b) {
    return a->record->id < b->record->id;
  });
  for (const StagedRecord* r : by_id) {
    value.clear();
    fmt::PutBE64(&value, r->offset);
    batch.Put(fmt::IdKey(r->record->id), value);
  }
  // Stream entries in key order ('x' + length + stream + offset).
  struct StreamPut {
    std::string_view stream;
    const StagedRecord* record;
    uint64_t version;
  };
  std::vector<StreamPut> puts;
  puts.reserve(stream_count);
  for (const StagedRecord& r : records) {
    for (const StreamEntry& s : r.streams) puts.push_back({s.stream, &r, s.version});
  }
  std::sort(puts.begin(), puts.end(), [](const StreamPut& a, const StreamPut& b) {
    if (a.stream.size() != b.stream.size()) return a.stream.size() < b.stream.size();
    if (const int c = a.stream.compare(b.stream); c != 0) return c < 0;
    return a.record->offset < b.record->offset;
  });
  for (const StreamPut& p : puts) {
    key = fmt::StreamPrefix(p.stream);
    fmt::PutBE64(&key, p.record->offset);
    batch.Put(key, fmt::StreamValue(p.record->record->timestamp, p.version));
  }
  const ChainHead head{next, records.back().chain};
  batch.Put(fmt::kHeadKey, fmt::HeadValue(head.length, head.chain));
  const std::string what =
      "appending offsets [" + std::to_string(expected.length) + ", " + std::to_string(next) + ")";
  // Refused before RocksDB's write path: a full disk there is a fatal error (or an abort).
  STATELOG_RETURN_IF_ERROR(CheckSpace(batch.GetDataSize(), what));

  rocksdb::Status ws = db_->Write(write_options_, &batch);
  if (!ws.ok()) {
    // Fatal (fsyncgate): never retry; the database's state past the last durable point is unknown
    // until a reopen recovers it.
    Status error = FromRocks(ws, what);
    SetFatal(error);
    return error;
  }
  std::lock_guard<std::mutex> lock(mu_);
  head_ = head;
  return Status::OK();
}

}  // namespace statelog::rocksdb_internal
