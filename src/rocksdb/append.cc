// RocksBackend's write path: one conditional WriteBatch per Append, and the fatal error state.
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/leading_word.h"
#include "base/parallel.h"
#include "rocksdb/append_plan.h"
#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"

namespace statelog::rocksdb_internal {
namespace {

// A batch of this many records sorts its id and stream entries on two threads.
constexpr size_t kParallelSortRecords = 4096;

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

StatusOr<AppendPlan> AppendPlan::Make(const ChainHead& expected,
                                      std::span<const StagedRecord> records,
                                      const RecordFormat& format, bool tree) {
  AppendPlan plan;
  plan.records_ = records;
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
                                       format.StreamName(s.stream) + " has " +
                                       std::to_string(s.stream.size()) + " bytes");
      }
      bytes += s.stream.size() + 40;
    }
    // The core stages the tree's stored hashes with every record, its leaf hash first.
    if (tree && (r.tree.empty() || r.tree.front().id != tlog::StoredHashId{0, r.offset})) {
      return Status::InvalidArgument("staged record at offset " + std::to_string(r.offset) +
                                     " without its leaf hash for the Merkle tree");
    }
    for (const tlog::StoredHash& h : r.tree) {
      if (h.id.level < 0 || h.id.level > 63) {
        return Status::InvalidArgument("offset " + std::to_string(r.offset) + ": stored hash " +
                                       tlog::ToString(h.id));
      }
      plan.tree_.push_back(&h);
    }
    bytes += r.tree.size() * 60;      // tree entries with their framing
    bytes += r.encoded.size() + 100;  // record and id entries with their framing
    plan.encoded_bytes_ += r.encoded.size();
    stream_count += r.streams.size();
    ++next;
  }
  plan.total_bytes_ = bytes;
  // Each level's hashes come in n order: a stable sort by level puts the tree in key order.
  std::stable_sort(plan.tree_.begin(), plan.tree_.end(),
                   [](const tlog::StoredHash* a, const tlog::StoredHash* b) {
                     return a->id.level < b->id.level;
                   });
  plan.head_ = ChainHead{next, records.back().chain};
  // Sorted by value: the leading words order almost every pair without reading a record.
  plan.by_id_.resize(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    plan.by_id_[i] = {LeadingWordOf(records[i].record->id), &records[i]};
  }
  // Stream entries in key order ('x' + length + stream + offset). Sorted first by length, leading
  // word and offset (records come in offset order, so the offset breaks ties); then each run of
  // equal length and word is checked to hold one stream, and a run that holds several (two
  // streams alike in their first eight bytes) is sorted by its whole keys.
  plan.streams_.reserve(stream_count);
  for (const StagedRecord& r : records) {
    for (const StreamEntry& s : r.streams) {
      plan.streams_.push_back({LeadingWord(s.stream), s.stream, &r, s.version});
    }
  }
  auto sort_ids = [&plan] {
    std::sort(plan.by_id_.begin(), plan.by_id_.end(), [](const IdPut& a, const IdPut& b) {
      if (a.leading != b.leading) return a.leading < b.leading;
      return a.record->record->id < b.record->record->id;
    });
  };
  auto sort_streams = [&plan] {
    auto& puts = plan.streams_;
    std::sort(puts.begin(), puts.end(), [](const StreamPut& a, const StreamPut& b) {
      if (a.stream.size() != b.stream.size()) return a.stream.size() < b.stream.size();
      if (a.leading != b.leading) return a.leading < b.leading;
      return a.record->offset < b.record->offset;
    });
    for (size_t begin = 0, end; begin < puts.size(); begin = end) {
      bool one_stream = true;
      for (end = begin + 1; end < puts.size() && puts[end].leading == puts[begin].leading &&
                            puts[end].stream.size() == puts[begin].stream.size();
           ++end) {
        one_stream = one_stream && puts[end].stream == puts[begin].stream;
      }
      if (one_stream) continue;
      std::sort(puts.begin() + begin, puts.begin() + end,
                [](const StreamPut& a, const StreamPut& b) {
                  if (const int c = a.stream.compare(b.stream); c != 0) return c < 0;
                  return a.record->offset < b.record->offset;
                });
    }
  };
  if (records.size() < kParallelSortRecords) {
    sort_ids();
    sort_streams();
  } else {
    ParallelFor(2, 0, 1, [&](size_t i) { i == 0 ? sort_ids() : sort_streams(); });
  }
  return plan;
}

Status RocksBackend::Append(const ChainHead& expected, std::span<const StagedRecord> records) {
  STATELOG_RETURN_IF_ERROR(CheckWritable());
  if (const ChainHead head = *ReadHead(); head != expected) {
    return Status::Conflict("the log's head is " + HeadName(head) + ", not the expected " +
                            HeadName(expected));
  }
  if (records.empty()) return Status::OK();
  STATELOG_ASSIGN_OR_RETURN(const AppendPlan plan,
                            AppendPlan::Make(expected, records, *format_, keep_tree_));
  const std::string what = "appending offsets [" + std::to_string(expected.length) + ", " +
                           std::to_string(plan.head().length) + ")";
  Status written = bulk_bytes_ != 0 && plan.encoded_bytes() >= bulk_bytes_
                       ? AppendByIngestion(plan, what)
                       : AppendByWriteBatch(plan, what);
  if (!written.ok()) return written;
  if (acked_ != nullptr && write_options_.sync) {
    // Durable now: recorded outside the log before it is acknowledged (docs/adr/0017). A failure
    // is fatal like a failed write: the append is in the log, its record is not.
    Status recorded = acked_->Record(plan.head());
    if (!recorded.ok()) {
      SetFatal(recorded);
      return recorded;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  head_ = plan.head();
  return Status::OK();
}

Status RocksBackend::AppendByWriteBatch(const AppendPlan& plan, const std::string& what) {
  // One batch: every record, the tree's stored hashes, its id entry and its stream entries, then
  // the head. A batch is
  // applied in the order it was built, and RocksDB's memtable inserts a key next to the previous
  // one of its run far faster than anywhere else: so each kind of entry goes in key order. (The
  // keys of one batch are distinct, so their order changes nothing else.)
  rocksdb::WriteBatch batch(plan.total_bytes());
  auto put = [&batch](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    return batch.Put(key, value);
  };
  rocksdb::Status built = plan.PutRecords(0, plan.record_count(), put);
  if (built.ok()) built = plan.PutTree(put);
  if (built.ok()) built = plan.PutIds(put);
  if (built.ok()) built = plan.PutHeadAndStreams(put);
  if (!built.ok()) return FromRocks(built, what);
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
  return Status::OK();
}

}  // namespace statelog::rocksdb_internal
