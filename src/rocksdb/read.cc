// RocksStore's read path: point reads, ranges, the cursor and the index scans. Every read covers
// only offsets below the published length; damage surfaces as Corruption naming the offset.
#include <rocksdb/iterator.h>

#include <string>
#include <utility>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/rocksdb_store_impl.h"
#include "statelog/codec.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;

std::string RangeError(Offset begin, Offset end, uint64_t length) {
  return "range [" + std::to_string(begin) + ", " + std::to_string(end) +
         ") is not within the log (length " + std::to_string(length) + ")";
}

// Decodes an event record into *out. The bytes were verified when appended, so the id is not
// recomputed; RocksDB's block checksums guard them at rest.
Status DecodeRecord(Offset offset, const rocksdb::Slice& value, EventDecoder* decoder,
                    StoredEvent* out) {
  if (value.size() < 32) {
    return Status::Corruption("offset " + std::to_string(offset) + ": event record of " +
                              std::to_string(value.size()) + " bytes");
  }
  out->offset = offset;
  out->chain = fmt::GetFixed<32>(value.data());
  Status s = decoder->Decode(std::string_view(value.data() + 32, value.size() - 32), &out->event,
                             DecodeOptions{.verify_id = false});
  if (!s.ok()) {
    return Status::Corruption("offset " + std::to_string(offset) +
                              ": undecodable event: " + s.ToString());
  }
  return Status::OK();
}

EventDecoder& ThreadDecoder() {
  thread_local EventDecoder decoder;
  return decoder;
}

Status IteratorError(const rocksdb::Iterator& it, Offset expected) {
  if (!it.status().ok()) {
    return Status::Corruption("offset " + std::to_string(expected) + ": " + it.status().ToString());
  }
  return Status::Corruption("offset " + std::to_string(expected) + ": event record missing");
}

// Iterates the event records [begin, end) with an upper bound; used by ReadRange and the cursor.
class EventIterator {
 public:
  EventIterator(rocksdb::DB* db, Offset begin, Offset end)
      : upper_(fmt::EventKey(end)), next_(begin), end_(end) {
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice_;
    if (end - begin > 1024) ro.readahead_size = size_t{2} << 20;  // long scans: read ahead
    upper_slice_ = rocksdb::Slice(upper_);
    it_.reset(db->NewIterator(ro));
    if (begin < end) it_->Seek(fmt::EventKey(begin));
  }
  bool done() const { return next_ >= end_; }
  // Decodes the next record into *out. REQUIRES: !done().
  Status Next(EventDecoder* decoder, StoredEvent* out) {
    const Offset o = next_;
    if (!it_->Valid()) return IteratorError(*it_, o);
    rocksdb::Slice key = it_->key();
    if (key.size() != 9 || key[0] != fmt::kEventPrefix || fmt::GetBE64(key.data() + 1) != o) {
      return Status::Corruption("offset " + std::to_string(o) + ": event record missing");
    }
    STATELOG_RETURN_IF_ERROR(DecodeRecord(o, it_->value(), decoder, out));
    ++next_;
    it_->Next();
    return Status::OK();
  }

 private:
  std::string upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
  Offset next_;
  const Offset end_;
};

class RocksCursor final : public EventCursor {
 public:
  RocksCursor(rocksdb::DB* db, Offset begin, Offset end, Status status)
      : status_(std::move(status)) {
    if (!status_.ok()) return;
    it_ = std::make_unique<EventIterator>(db, begin, end);
    Load();
  }
  bool Valid() const override { return valid_; }
  void Next() override { Load(); }
  const StoredEvent& event() const override { return current_; }
  Status status() const override { return status_; }

 private:
  void Load() {
    valid_ = false;
    if (it_->done()) return;
    status_ = it_->Next(&decoder_, &current_);
    valid_ = status_.ok();
  }

  Status status_;
  std::unique_ptr<EventIterator> it_;
  EventDecoder decoder_;
  StoredEvent current_;
  bool valid_ = false;
};

}  // namespace

StatusOr<StoredEvent> RocksStore::Read(Offset offset) const {
  const uint64_t length = Length();
  if (offset >= length) {
    return Status::OutOfRange("offset " + std::to_string(offset) +
                              " is past the end of the log (length " + std::to_string(length) +
                              ")");
  }
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), fmt::EventKey(offset), &value);
  if (s.IsNotFound()) {
    return Status::Corruption("offset " + std::to_string(offset) + ": event record missing");
  }
  if (!s.ok()) return Status::Corruption("offset " + std::to_string(offset) + ": " + s.ToString());
  StoredEvent out;
  STATELOG_RETURN_IF_ERROR(DecodeRecord(offset, value, &ThreadDecoder(), &out));
  return out;
}

Status RocksStore::ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const {
  const uint64_t length = Length();
  if (begin > end || end > length) return Status::OutOfRange(RangeError(begin, end, length));
  out->clear();
  if (begin == end) return Status::OK();
  out->resize(end - begin);
  EventIterator it(db_.get(), begin, end);
  for (StoredEvent& e : *out) {
    Status s = it.Next(&ThreadDecoder(), &e);
    if (!s.ok()) {
      out->clear();
      return s;
    }
  }
  return Status::OK();
}

std::unique_ptr<EventCursor> RocksStore::NewCursor(Offset begin, std::optional<Offset> end) const {
  const uint64_t length = Length();
  const Offset stop = end.value_or(length);
  Status status;
  if (begin > stop || stop > length) status = Status::OutOfRange(RangeError(begin, stop, length));
  return std::make_unique<RocksCursor>(db_.get(), begin, stop, std::move(status));
}

std::optional<Offset> RocksStore::Find(const EventId& id) const {
  auto found = LookupId(id);
  if (!found.ok() || !found->has_value()) return std::nullopt;
  // The id entry is in the DB slightly before the length that covers it is published.
  if (**found >= Length()) return std::nullopt;
  return *found;
}

std::vector<Offset> RocksStore::IndexOffsets(const std::string& prefix, Offset before) const {
  before = std::min(before, Length());
  std::string upper = prefix;
  fmt::PutBE64(&upper, before);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::vector<Offset> out;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    rocksdb::Slice key = it->key();
    if (key.size() != prefix.size() + 8 || !key.starts_with(prefix)) break;
    out.push_back(fmt::GetBE64(key.data() + prefix.size()));
  }
  return out;
}

std::vector<Offset> RocksStore::ChannelOffsets(const ChannelId& id, Offset before) const {
  return IndexOffsets(fmt::ChannelPrefix(id), before);
}

std::vector<Offset> RocksStore::ObjectiveOffsets(const ObjectiveId& id, Offset before) const {
  return IndexOffsets(fmt::ObjectivePrefix(id), before);
}

}  // namespace statelog::rocksdb_internal
