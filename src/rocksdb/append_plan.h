// AppendPlan: the key-value entries one RocksBackend::Append writes, checked and put in key
// order, for either way of writing them (one WriteBatch, or table files that are ingested).
#ifndef STATELOG_ROCKSDB_APPEND_PLAN_H_
#define STATELOG_ROCKSDB_APPEND_PLAN_H_

#include <rocksdb/status.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rocksdb/keys.h"
#include "statelog/log.h"
#include "statelog/log_backend.h"
#include "statelog/status.h"

namespace statelog::rocksdb_internal {

class AppendPlan {
 public:
  // Checks that `records` follow `expected` offset by offset and that every stream key has an
  // allowed size (InvalidArgument otherwise, naming the offset), then sorts the id and stream
  // entries. `records` (and what they point to) must outlive the plan. REQUIRES: !records.empty().
  // With `tree`, every record must carry the Merkle tree's stored hashes, its leaf hash first.
  static StatusOr<AppendPlan> Make(const ChainHead& expected, std::span<const StagedRecord> records,
                                   const RecordFormat& format, bool tree);

  // The head after the append.
  const ChainHead& head() const { return head_; }
  // The encoded bytes of the records, and an estimate of all the entries' bytes with framing.
  size_t encoded_bytes() const { return encoded_bytes_; }
  size_t total_bytes() const { return total_bytes_; }
  size_t record_count() const { return records_.size(); }

  // Each calls put(key, value) -> rocksdb::Status for its entries in increasing key order and
  // stops at the first error, which it returns.
  //   records [begin, end) of the batch ('e' keys);
  //   the id entries ('i' keys);
  //   the head ('m') and then the stream entries ('x' keys): one run in key order;
  //   the Merkle tree's stored hashes ('h' keys).
  template <class Put>
  rocksdb::Status PutRecords(size_t begin, size_t end, const Put& put) const;
  template <class Put>
  rocksdb::Status PutIds(const Put& put) const;
  template <class Put>
  rocksdb::Status PutHeadAndStreams(const Put& put) const;
  template <class Put>
  rocksdb::Status PutTree(const Put& put) const;

 private:
  struct IdPut {
    uint64_t leading;  // LeadingWord of the id
    const StagedRecord* record;
  };
  struct StreamPut {
    uint64_t leading;  // LeadingWord of the stream
    std::string_view stream;
    const StagedRecord* record;
    uint64_t version;
  };

  std::span<const StagedRecord> records_;
  std::vector<IdPut> by_id_;
  std::vector<StreamPut> streams_;
  std::vector<const tlog::StoredHash*> tree_;  // by level, then n
  ChainHead head_;
  size_t encoded_bytes_ = 0;
  size_t total_bytes_ = 0;
};

template <class Put>
rocksdb::Status AppendPlan::PutRecords(size_t begin, size_t end, const Put& put) const {
  std::string value;
  for (size_t i = begin; i < end; ++i) {
    const StagedRecord& r = records_[i];
    value.clear();
    rocksdb_format::PutFixed(&value, r.chain);
    value.append(r.encoded);
    rocksdb::Status s = put(rocksdb_format::RecordKey(r.offset), value);
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

template <class Put>
rocksdb::Status AppendPlan::PutIds(const Put& put) const {
  std::string value;
  for (const IdPut& p : by_id_) {
    value.clear();
    rocksdb_format::PutBE64(&value, p.record->offset);
    rocksdb::Status s = put(rocksdb_format::IdKey(p.record->record->id), value);
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

template <class Put>
rocksdb::Status AppendPlan::PutHeadAndStreams(const Put& put) const {
  rocksdb::Status s = put(std::string(rocksdb_format::kHeadKey),
                          rocksdb_format::HeadValue(head_.length, head_.chain));
  std::string key;
  for (size_t i = 0; s.ok() && i < streams_.size(); ++i) {
    const StreamPut& p = streams_[i];
    key = rocksdb_format::StreamPrefix(p.stream);
    rocksdb_format::PutBE64(&key, p.record->offset);
    s = put(key, rocksdb_format::StreamValue(p.record->record->timestamp, p.version));
  }
  return s;
}

template <class Put>
rocksdb::Status AppendPlan::PutTree(const Put& put) const {
  for (const tlog::StoredHash* h : tree_) {
    rocksdb::Status s =
        put(rocksdb_format::TreeKey(h->id.level, h->id.n),
            rocksdb::Slice(reinterpret_cast<const char*>(h->hash.data()), h->hash.size()));
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

}  // namespace statelog::rocksdb_internal

#endif  // STATELOG_ROCKSDB_APPEND_PLAN_H_
