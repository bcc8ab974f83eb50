// RocksBackend's write path: one conditional WriteBatch per Append, and the fatal error state.
#include <rocksdb/write_batch.h>

#include <string>

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

  // One batch: every record, its id entry and its stream entries, then the head.
  rocksdb::WriteBatch batch;
  std::string key, value, offset_bytes;
  Offset next = expected.length;
  for (const StagedRecord& r : records) {
    if (r.offset != next || r.record == nullptr) {
      return Status::InvalidArgument("staged record at offset " + std::to_string(r.offset) +
                                     " where offset " + std::to_string(next) +
                                     " comes next, or without a record");
    }
    value.clear();
    fmt::PutFixed(&value, r.chain);
    value.append(r.encoded);
    batch.Put(fmt::RecordKey(r.offset), value);
    offset_bytes.clear();
    fmt::PutBE64(&offset_bytes, r.offset);
    batch.Put(fmt::IdKey(r.record->id), offset_bytes);
    for (const StreamEntry& s : r.streams) {
      if (s.stream.empty() || s.stream.size() > kMaxStreamKeySize) {
        return Status::InvalidArgument("offset " + std::to_string(r.offset) + ": " +
                                       format_->StreamName(s.stream) + " has " +
                                       std::to_string(s.stream.size()) + " bytes");
      }
      key = fmt::StreamPrefix(s.stream);
      key += offset_bytes;
      batch.Put(key, fmt::StreamValue(r.record->timestamp, s.version));
    }
    ++next;
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
