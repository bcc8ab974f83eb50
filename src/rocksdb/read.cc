// RocksBackend's read path: ranges, the cursor, the id lookup and the stream index. Reads cover
// only offsets below the head of the last successful Append (a failed write may have left keys
// past it). Every scan checks its iterator's status when it ends; damage surfaces as an error
// naming the offset or the stream (Corruption for a checksum failure or an undecodable record,
// IOError for a failed read), never as a shorter answer.
#include <rocksdb/iterator.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "base/parallel.h"
#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;

// Long scans read ahead (the cursor and large ranges); short ones do not pay for it.
constexpr uint64_t kReadaheadThreshold = 1024;
constexpr size_t kReadaheadBytes = size_t{2} << 20;

std::string OffsetName(Offset offset) { return "offset " + std::to_string(offset); }

std::string RangeError(Offset begin, Offset end, uint64_t length) {
  return "range [" + std::to_string(begin) + ", " + std::to_string(end) +
         ") is not within the log (length " + std::to_string(length) + ")";
}

// Decodes a record's value into *out. The payload was checked when appended, so the id is not
// recomputed; RocksDB's block checksums guard the bytes at rest.
Status DecodeRecord(Offset offset, const rocksdb::Slice& value, const RecordFormat& format,
                    StoredRecord* out) {
  if (value.size() < 32) {
    return Status::Corruption(OffsetName(offset) + ": record of " + std::to_string(value.size()) +
                              " bytes");
  }
  out->offset = offset;
  out->chain = fmt::GetFixed<32>(value.data());
  Status s = format.Decode(std::string_view(value.data() + 32, value.size() - 32), &out->record);
  if (!s.ok()) {
    return Status::Corruption(OffsetName(offset) + ": undecodable record: " + s.ToString());
  }
  return Status::OK();
}

// Iterates the records [begin, end) in order, with an upper bound; used by ReadRange and the
// cursor.
class RecordIterator {
 public:
  RecordIterator(rocksdb::DB* db, Offset begin, Offset end)
      : upper_(fmt::RecordKey(end)), upper_slice_(upper_), next_(begin), end_(end) {
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice_;
    if (end - begin > kReadaheadThreshold) ro.readahead_size = kReadaheadBytes;
    it_.reset(db->NewIterator(ro));
    if (begin < end) it_->Seek(fmt::RecordKey(begin));
  }
  bool done() const { return next_ >= end_; }
  // Decodes the next record into *out. REQUIRES: !done().
  Status Next(const RecordFormat& format, StoredRecord* out) {
    const Offset o = next_;
    if (!it_->Valid()) {
      STATELOG_RETURN_IF_ERROR(FromRocks(it_->status(), OffsetName(o)));
      return Status::Corruption(OffsetName(o) + ": record missing");
    }
    rocksdb::Slice key = it_->key();
    if (key.size() != 9 || key[0] != fmt::kRecordPrefix || fmt::GetBE64(key.data() + 1) != o) {
      return Status::Corruption(OffsetName(o) + ": record missing");
    }
    STATELOG_RETURN_IF_ERROR(DecodeRecord(o, it_->value(), format, out));
    ++next_;
    it_->Next();
    return Status::OK();
  }

 private:
  const std::string upper_;
  const rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
  Offset next_;
  const Offset end_;
};

class RocksCursor final : public RecordCursor {
 public:
  RocksCursor(rocksdb::DB* db, const RecordFormat* format, Offset begin, Offset end, Status status)
      : format_(format), status_(std::move(status)) {
    if (!status_.ok()) return;
    it_ = std::make_unique<RecordIterator>(db, begin, end);
    Load();
  }
  bool Valid() const override { return valid_; }
  void Next() override { Load(); }
  const StoredRecord& record() const override { return current_; }
  StoredRecord TakeRecord() override { return std::move(current_); }
  Status status() const override { return status_; }

 private:
  void Load() {
    valid_ = false;
    if (it_->done()) return;
    status_ = it_->Next(*format_, &current_);
    valid_ = status_.ok();
  }

  const RecordFormat* const format_;
  Status status_;
  std::unique_ptr<RecordIterator> it_;
  StoredRecord current_;  // reused: the format decodes into it in place
  bool valid_ = false;
};

}  // namespace

Status RocksBackend::ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const {
  out->clear();
  const uint64_t length = ReadHead()->length;
  if (begin > end || end > length) return Status::OutOfRange(RangeError(begin, end, length));
  if (begin == end) return Status::OK();
  out->resize(end - begin);
  if (end - begin == 1) {  // one point lookup, no iterator
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), fmt::RecordKey(begin), &value);
    Status st = s.IsNotFound() ? Status::Corruption(OffsetName(begin) + ": record missing")
                               : FromRocks(s, OffsetName(begin));
    if (st.ok()) st = DecodeRecord(begin, value, *format_, &(*out)[0]);
    if (!st.ok()) out->clear();
    return st;
  }
  RecordIterator it(db_.get(), begin, end);
  for (StoredRecord& r : *out) {
    Status s = it.Next(*format_, &r);
    if (!s.ok()) {
      out->clear();
      return s;
    }
  }
  return Status::OK();
}

std::unique_ptr<RecordCursor> RocksBackend::NewCursor(Offset begin, Offset end) const {
  const uint64_t length = ReadHead()->length;
  Status status;
  if (begin > end || end > length) status = Status::OutOfRange(RangeError(begin, end, length));
  return std::make_unique<RocksCursor>(db_.get(), format_, begin, end, std::move(status));
}

namespace {

// Ids one MultiGet looks up (and one thread, of a larger lookup).
constexpr size_t kFindChunk = 512;

// The offset in an id index entry; Corruption naming the id when the entry is not 8 bytes.
StatusOr<Offset> IdEntryOffset(const RecordId& id, std::string_view value) {
  if (value.size() != 8) {
    return Status::Corruption("id index entry of " + id.ToHex() + " has " +
                              std::to_string(value.size()) + " bytes");
  }
  return fmt::GetBE64(value.data());
}

}  // namespace

StatusOr<std::optional<Offset>> RocksBackend::Find(const RecordId& id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), fmt::IdKey(id), &value);
  if (s.IsNotFound()) return std::optional<Offset>();
  STATELOG_RETURN_IF_ERROR(FromRocks(s, "looking up id " + id.ToHex()));
  STATELOG_ASSIGN_OR_RETURN(const Offset offset, IdEntryOffset(id, value));
  // Only a write that failed (and made the store unusable) can leave an entry past the head.
  if (offset >= ReadHead()->length) return std::optional<Offset>();
  return std::optional<Offset>(offset);
}

Status RocksBackend::FindMany(std::span<const RecordId> ids,
                              std::vector<std::optional<Offset>>* out) const {
  out->assign(ids.size(), std::nullopt);
  std::vector<Status> errors((ids.size() + kFindChunk - 1) / kFindChunk);
  ParallelFor(errors.size(), 0, 1, [&](size_t chunk) {
    const size_t begin = chunk * kFindChunk;
    const size_t n = std::min(kFindChunk, ids.size() - begin);
    std::vector<std::string> keys(n);
    std::vector<rocksdb::Slice> slices(n);
    for (size_t k = 0; k < n; ++k) {
      keys[k] = fmt::IdKey(ids[begin + k]);
      slices[k] = keys[k];
    }
    std::vector<rocksdb::PinnableSlice> values(n);
    std::vector<rocksdb::Status> statuses(n);
    db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), n, slices.data(),
                  values.data(), statuses.data());
    for (size_t k = 0; k < n; ++k) {
      const RecordId& id = ids[begin + k];
      if (statuses[k].IsNotFound()) continue;
      Status s = FromRocks(statuses[k], "looking up id " + id.ToHex());
      StatusOr<Offset> offset =
          s.ok() ? IdEntryOffset(id, values[k].ToStringView()) : StatusOr<Offset>(s);
      if (!offset.ok()) {
        errors[chunk] = offset.status();
        return;
      }
      (*out)[begin + k] = *offset;
    }
  });
  for (const Status& e : errors) STATELOG_RETURN_IF_ERROR(e);
  // As in Find(): the head is read after the lookups, and an entry past it is not in the log.
  const uint64_t length = ReadHead()->length;
  for (std::optional<Offset>& at : *out) {
    if (at && *at >= length) at.reset();
  }
  return Status::OK();
}

Status RocksBackend::ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                                    std::span<tlog::Hash> out) const {
  std::vector<std::string> keys(ids.size());
  std::vector<rocksdb::Slice> slices(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].level < 0 || ids[i].level > 63) {
      return Status::InvalidArgument("no stored hash " + tlog::ToString(ids[i]));
    }
    keys[i] = fmt::TreeKey(ids[i].level, ids[i].n);
    slices[i] = keys[i];
  }
  std::vector<rocksdb::PinnableSlice> values(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), ids.size(), slices.data(),
                values.data(), statuses.data());
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string what = "the Merkle tree's stored hash " + tlog::ToString(ids[i]);
    if (statuses[i].IsNotFound()) return Status::Corruption(what + " is missing");
    STATELOG_RETURN_IF_ERROR(FromRocks(statuses[i], "reading " + what));
    if (values[i].size() != tlog::Hash::kSize) {
      return Status::Corruption(what + " has " + std::to_string(values[i].size()) + " bytes");
    }
    std::memcpy(out[i].data(), values[i].data(), tlog::Hash::kSize);
  }
  return Status::OK();
}

namespace {

Status CheckStreamKey(const RecordFormat& format, std::string_view stream) {
  if (stream.empty() || stream.size() > kMaxStreamKeySize) {
    return Status::InvalidArgument(format.StreamName(stream) + " has " +
                                   std::to_string(stream.size()) + " bytes (1 to " +
                                   std::to_string(kMaxStreamKeySize) + " allowed)");
  }
  return Status::OK();
}

// Decodes one stream index entry (its key starts with `prefix`).
Status DecodeStreamEntry(const RecordFormat& format, std::string_view stream,
                         const std::string& prefix, const rocksdb::Slice& key,
                         const rocksdb::Slice& value, StreamTail* out) {
  if (key.size() != prefix.size() + 8 || value.size() != fmt::kStreamValueSize) {
    return Status::Corruption(format.StreamName(stream) + ": index entry with a " +
                              std::to_string(key.size()) + "-byte key and a " +
                              std::to_string(value.size()) + "-byte value");
  }
  out->last_offset = fmt::GetBE64(key.data() + prefix.size());
  out->last_timestamp = static_cast<Timestamp>(fmt::GetBE64(value.data()));
  out->version = fmt::GetBE64(value.data() + 8);
  return Status::OK();
}

}  // namespace

StatusOr<std::vector<Offset>> RocksBackend::StreamOffsets(std::string_view stream,
                                                          Offset before) const {
  STATELOG_RETURN_IF_ERROR(CheckStreamKey(*format_, stream));
  before = std::min(before, ReadHead()->length);
  const std::string prefix = fmt::StreamPrefix(stream);
  std::string upper = prefix;
  fmt::PutBE64(&upper, before);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::vector<Offset> out;
  StreamTail entry;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    STATELOG_RETURN_IF_ERROR(
        DecodeStreamEntry(*format_, stream, prefix, it->key(), it->value(), &entry));
    // Entries carry the stream's version: a gap means a lost entry, not a shorter stream.
    if (entry.version != out.size() + 1) {
      return Status::Corruption(format_->StreamName(stream) + ": index entry at offset " +
                                std::to_string(entry.last_offset) + " has version " +
                                std::to_string(entry.version) + ", expected " +
                                std::to_string(out.size() + 1));
    }
    out.push_back(entry.last_offset);
  }
  STATELOG_RETURN_IF_ERROR(FromRocks(it->status(), "reading the offsets of " +
                                                       format_->StreamName(stream) + " after " +
                                                       std::to_string(out.size()) + " entries"));
  return out;
}

StatusOr<std::optional<StreamTail>> RocksBackend::ReadStreamTail(std::string_view stream,
                                                                 Offset before) const {
  STATELOG_RETURN_IF_ERROR(CheckStreamKey(*format_, stream));
  before = std::min(before, ReadHead()->length);
  if (before == 0) return std::optional<StreamTail>();
  const std::string prefix = fmt::StreamPrefix(stream);
  rocksdb::Slice lower_slice(prefix);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::string target = prefix;
  fmt::PutBE64(&target, before - 1);
  it->SeekForPrev(target);
  if (!it->Valid()) {
    STATELOG_RETURN_IF_ERROR(
        FromRocks(it->status(), "reading the last index entry of " + format_->StreamName(stream)));
    return std::optional<StreamTail>();
  }
  if (!it->key().starts_with(prefix)) return std::optional<StreamTail>();
  StreamTail tail;
  STATELOG_RETURN_IF_ERROR(
      DecodeStreamEntry(*format_, stream, prefix, it->key(), it->value(), &tail));
  return std::optional<StreamTail>(tail);
}

}  // namespace statelog::rocksdb_internal
