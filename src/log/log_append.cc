// Log::Impl's write path: validation, the writer queue, staging and the conditional append.
#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/leading_word.h"
#include "base/parallel.h"
#include "log/log_impl.h"

namespace statelog {
namespace {

// A commit group stops growing at this many records or encoded bytes (LevelDB caps its groups at
// 1 MiB); the first writer is always taken, however large.
constexpr size_t kMaxGroupRecords = 2000;
constexpr size_t kMaxGroupBytes = size_t{4} << 20;
// Records of a batch one thread checks and encodes at a time: a batch up to this size is checked
// on the appending thread alone.
constexpr size_t kCheckGrain = 64;
// How often a leader re-stages a group after another process appended first (shared backends).
constexpr int kMaxConflictRetries = 64;
// A catch-up longer than this drops the stream cache instead of updating it record by record.
constexpr uint64_t kMaxCatchUpRecords = 4096;

// How many times an appender retries a held serial lock before it sleeps on it.
constexpr int kSerialSpins = 256;

// Locks `mu`, first retrying it for a moment: without group commit an append holds the lock for
// a microsecond or two, far less than a sleep and wake-up on the mutex costs. RocksDB's write
// thread spins before blocking for the same reason.
void LockSpinning(std::mutex& mu) {
  for (int i = 0; i < kSerialSpins; ++i) {
    if (mu.try_lock()) return;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
  mu.lock();
}

size_t EncodedBytes(const std::vector<std::string>& encoded) {
  size_t n = 0;
  for (const std::string& e : encoded) n += e.size();
  return n;
}

Status CheckStreamKey(std::string_view key) {
  if (!key.empty() && key.size() <= kMaxStreamKeySize) return Status::OK();
  return Status::InvalidArgument("stream key of " + std::to_string(key.size()) + " bytes (1 to " +
                                 std::to_string(kMaxStreamKeySize) + " allowed)");
}

// The first record of `records` (in their order) whose id an earlier record has, as {the earliest
// record with that id, that record}; nullopt when every id is distinct. The ids are sorted by
// value (leading word, then the whole id) rather than hashed: for a batch of a million records
// this takes a fraction of the time a hash map of them takes to build.
std::optional<std::pair<size_t, size_t>> FirstRepeatedId(std::span<const Record> records) {
  if (records.size() < 2) return std::nullopt;
  struct Key {
    uint64_t leading;
    size_t index;
  };
  std::vector<Key> keys(records.size());
  for (size_t i = 0; i < records.size(); ++i) keys[i] = {LeadingWordOf(records[i].id), i};
  std::sort(keys.begin(), keys.end(), [records](const Key& a, const Key& b) {
    if (a.leading != b.leading) return a.leading < b.leading;
    if (const auto c = records[a.index].id <=> records[b.index].id; c != 0) return c < 0;
    return a.index < b.index;
  });
  std::optional<std::pair<size_t, size_t>> repeat;
  for (size_t k = 1; k < keys.size(); ++k) {
    const Key& a = keys[k - 1];
    const Key& b = keys[k];
    // In a run of equal ids the first key is the earliest record and the second the first repeat.
    if (a.leading != b.leading || records[a.index].id != records[b.index].id) continue;
    if (k >= 2 && keys[k - 2].leading == a.leading &&
        records[keys[k - 2].index].id == records[a.index].id) {
      continue;  // a later repeat in the same run
    }
    if (!repeat || b.index < repeat->second) repeat = {{a.index, b.index}};
  }
  return repeat;
}

// Checks `record` and, when `encoded` is given, encodes its payload into *encoded first (its id is
// then checked against those bytes).
Status CheckRecord(const RecordFormat& format, const Record& record, std::string* encoded) {
  if (record.payload == nullptr) return Status::InvalidArgument("record without a payload");
  if (encoded != nullptr) {
    *encoded = record.payload->Encode();
    STATELOG_RETURN_IF_ERROR(format.CheckEncodedId(record, *encoded));
  } else {
    STATELOG_RETURN_IF_ERROR(format.CheckId(record));
  }
  for (size_t i = 0; i < record.streams.size(); ++i) {
    STATELOG_RETURN_IF_ERROR(CheckStreamKey(record.streams[i]));
    for (size_t j = 0; j < i; ++j) {
      if (record.streams[j] == record.streams[i]) {
        return Status::InvalidArgument("the record names " + format.StreamName(record.streams[i]) +
                                       " twice");
      }
    }
  }
  return Status::OK();
}

}  // namespace

// Stream tails, by stream key, in the order first set, each with the core's cache entry for the
// stream (so committing them hashes no key again). A commit group touches few streams, so a
// linear scan serves until it holds kLinear of them; then a hash index takes over. Keys view the
// records' own stream keys, which outlive the commit.
class StreamOverlay {
 public:
  using CacheEntry = std::optional<StreamTail>;
  struct Entry {
    std::string_view stream;
    StreamTail tail;
    CacheEntry* cached;  // the stream's entry in Log::Impl::tails_, or nullptr
  };

  const Entry* Find(std::string_view stream) const { return FindIn(*this, stream); }
  void Set(std::string_view stream, const StreamTail& tail, CacheEntry* cached) {
    if (Entry* e = FindIn(*this, stream)) {
      e->tail = tail;
      return;
    }
    entries_.push_back(Entry{stream, tail, cached});
    if (!index_.empty()) {
      index_.emplace(stream, entries_.size() - 1);
    } else if (entries_.size() > kLinear) {
      for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].stream, i);
    }
  }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  static constexpr size_t kLinear = 8;

  // Find() for a const or a mutable overlay.
  template <typename Self>
  static auto FindIn(Self& self, std::string_view stream) -> decltype(&self.entries_[0]) {
    if (self.index_.empty()) {
      for (auto& e : self.entries_) {
        if (e.stream == stream) return &e;
      }
      return nullptr;
    }
    auto it = self.index_.find(stream);
    return it == self.index_.end() ? nullptr : &self.entries_[it->second];
  }

  std::vector<Entry> entries_;
  std::unordered_map<std::string_view, size_t> index_;
};

struct Log::Impl::Stage {
  ChainHead head;                            // after the records staged so far
  StreamOverlay overlay;                     // streams the group touched
  std::unordered_map<RecordId, Offset> ids;  // the group's records, when a writer follows
  std::vector<StagedRecord> staged;
  // With a tree: its right edge after the records staged so far, the stored hashes they
  // complete, and where staged[i]'s end in `tree` (StagedRecord::tree is set before the append:
  // `tree` grows until then).
  tlog::RightEdge edge;
  std::vector<tlog::StoredHash> tree;
  std::vector<size_t> tree_end;
};

StatusOr<std::vector<AppendResult>> Log::Impl::Append(std::span<const Record> records,
                                                      const AppendOptions& options) {
  // Ids are checked (RecordFormat::CheckId) and records encoded on every core; the first error in
  // batch order is returned, as a check in order would.
  std::vector<Status> checked(records.size());
  Writer w;
  if (wants_encoded_) w.encoded.resize(records.size());
  if (stages_tree_) w.leaves.resize(records.size());
  ParallelFor(records.size(), 0, kCheckGrain, [&](size_t i) {
    checked[i] = CheckRecord(*format_, records[i], wants_encoded_ ? &w.encoded[i] : nullptr);
    if (stages_tree_ && checked[i].ok()) {
      // The leaf is the encoded payload, which a backend that stores no bytes does not get.
      w.leaves[i] = wants_encoded_ ? tlog::LeafHash(w.encoded[i])
                                   : tlog::LeafHash(records[i].payload->Encode());
    }
  });
  // The first record in batch order that fails its check or repeats an earlier record's id.
  const std::optional<std::pair<size_t, size_t>> repeat = FirstRepeatedId(records);
  const size_t end = repeat ? repeat->second : records.size();
  for (size_t i = 0; i < end; ++i) {
    if (!checked[i].ok()) return checked[i].WithIndex(i);
  }
  if (repeat) {
    const auto [first, i] = *repeat;
    if (!checked[i].ok()) return checked[i].WithIndex(i);
    return Status::InvalidArgument("records " + std::to_string(first) + " and " +
                                   std::to_string(i) + " have the same id " + records[i].id.ToHex())
        .WithIndex(i);
  }
  for (const StreamExpectation& e : options.expected_streams) {
    STATELOG_RETURN_IF_ERROR(CheckStreamKey(e.stream).WithPrefix("expected_streams"));
  }
  if (records.empty()) return std::vector<AppendResult>();

  w.records = records;
  w.options = &options;
  w.results.resize(records.size());  // sized here: staging runs under the commit lock
  w.found.resize(records.size());
  if (group_commit_) {
    Submit(&w);
  } else {
    LockSpinning(serial_mu_);
    std::lock_guard<std::mutex> lock(serial_mu_, std::adopt_lock);
    Writer* one = &w;
    CommitGroup(std::span<Writer* const>(&one, 1));
  }
  if (!w.status.ok()) return w.status;
  return std::move(w.results);
}

void Log::Impl::Submit(Writer* w) {
  std::unique_lock<std::mutex> lock(mu_);
  writers_.push_back(w);
  while (!w->done && w != writers_.front()) w->cv.wait(lock);
  if (w->done) return;  // a leader committed it

  // w leads: take the queued writers, up to the caps.
  std::vector<Writer*> group;
  size_t records = 0, bytes = 0;
  for (Writer* q : writers_) {
    const size_t n = q->records.size(), b = EncodedBytes(q->encoded);
    if (!group.empty() && (records + n > kMaxGroupRecords || bytes + b > kMaxGroupBytes)) break;
    group.push_back(q);
    records += n;
    bytes += b;
  }
  lock.unlock();
  CommitGroup(group);  // appenders arriving meanwhile queue behind the group
  lock.lock();
  for (Writer* q : group) {
    writers_.pop_front();
    q->done = true;
    if (q != w) q->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();  // the next leader
}

void Log::Impl::CommitGroup(std::span<Writer* const> group) {
  for (int attempt = 0;; ++attempt) {
    bool caught_up = false;
    if (stale_) {
      Status s = CatchUp();
      if (!s.ok()) {
        for (Writer* q : group) q->status = s;
        return;
      }
      caught_up = true;
    }
    Stage stage{known_, {}, {}, {}, stages_tree_ ? edge_ : tlog::RightEdge(), {}, {}};
    if (group.size() == 1) stage.staged.reserve(group[0]->records.size());
    bool conflict = false;
    for (size_t i = 0; i < group.size(); ++i) {
      group[i]->status = Status::OK();
      StageWriter(group[i], i + 1 == group.size(), &stage);
      conflict = conflict || group[i]->status.IsConflict();
    }
    // With other writers, an expectation can fail only because this process's head is old:
    // catch up once and decide again before reporting it.
    if (conflict && shared_ && !caught_up && attempt < kMaxConflictRetries) {
      stale_ = true;
      continue;
    }
    if (stage.staged.empty()) return;  // only retries or refused records
    if (stages_tree_) {
      for (size_t i = 0, begin = 0; i < stage.staged.size(); begin = stage.tree_end[i++]) {
        stage.staged[i].tree = std::span(stage.tree).subspan(begin, stage.tree_end[i] - begin);
      }
    }

    Status s = backend_->Append(known_, stage.staged);
    if (s.ok()) {
      known_ = stage.head;
      if (stages_tree_) edge_ = std::move(stage.edge);
      for (const StreamOverlay::Entry& e : stage.overlay) {
        if (e.cached != nullptr) *e.cached = e.tail;
      }
      Publish(known_);
      hub_->Notify();
      return;
    }
    stale_ = true;  // what the backend holds now is unknown until read again
    if (s.IsConflict() && shared_ && attempt < kMaxConflictRetries) continue;
    for (Writer* q : group) {
      bool staged = false;
      for (const AppendResult& r : q->results) staged = staged || r.appended;
      if (q->status.ok() && staged) q->status = s;
    }
    return;
  }
}

StatusOr<std::optional<StreamTail>> Log::Impl::ReadTail(std::string_view stream) const {
  // No stream has a record below offset 0: an import into a new log asks the backend nothing.
  if (known_.length == 0) return std::optional<StreamTail>();
  return backend_->ReadStreamTail(stream, known_.length);
}

Status Log::Impl::TailOf(std::string_view stream, const Stage& stage,
                         std::optional<StreamTail>* out, std::optional<StreamTail>** cached) {
  if (const StreamOverlay::Entry* e = stage.overlay.Find(stream)) {
    *out = e->tail;
    *cached = e->cached;
    return Status::OK();
  }
  if (!cache_tails_) {
    StatusOr<std::optional<StreamTail>> tail = ReadTail(stream);
    if (!tail.ok()) return tail.status();
    *out = *tail;
    *cached = nullptr;
    return Status::OK();
  }
  auto it = tails_.find(stream);
  if (it == tails_.end()) {
    StatusOr<std::optional<StreamTail>> tail = ReadTail(stream);
    if (!tail.ok()) return tail.status();
    it = tails_.emplace(std::string(stream), *tail).first;
  }
  *out = it->second;
  *cached = &it->second;  // node-based map: stays valid until the entry is erased
  return Status::OK();
}

void Log::Impl::StageWriter(Writer* w, bool last, Stage* stage) {
  std::fill(w->results.begin(), w->results.end(), AppendResult{});
  if (!FindExisting(w, *stage)) return;
  const size_t n = w->records.size();
  bool all_existing = true;
  for (size_t i = 0; i < n; ++i) {
    w->results[i] = w->found[i] ? AppendResult{*w->found[i], false} : AppendResult{};
    all_existing = all_existing && w->found[i].has_value();
  }
  if (all_existing) return;  // a retry: expectations are not checked again
  if (!CheckExpectations(w, *stage)) return;
  const size_t first = stage->staged.size();
  Status s = Place(w, stage);
  if (!s.ok()) {
    w->status = std::move(s);
    return;
  }
  if (!last) {
    for (size_t i = first; i < stage->staged.size(); ++i) {
      stage->ids.emplace(stage->staged[i].record->id, stage->staged[i].offset);
    }
  }
}

bool Log::Impl::FindExisting(Writer* w, const Stage& stage) {
  // An id already in the log (or earlier in the group) is a retry: reported, not appended. The
  // ids the group has not staged are looked up in the backend together.
  std::vector<RecordId> ids;
  std::vector<size_t> where;  // ids[k] is w->records[where[k]].id
  for (size_t i = 0; i < w->records.size(); ++i) {
    const RecordId& id = w->records[i].id;
    if (auto it = stage.ids.find(id); it != stage.ids.end()) {
      w->found[i] = it->second;
    } else {
      ids.push_back(id);
      where.push_back(i);
    }
  }
  if (ids.empty()) return true;
  std::vector<std::optional<Offset>> found;
  if (Status s = FindMany(ids, known_.length, &found); !s.ok()) {
    w->status = std::move(s);
    return false;
  }
  for (size_t k = 0; k < ids.size(); ++k) w->found[where[k]] = found[k];
  return true;
}

bool Log::Impl::CheckExpectations(Writer* w, const Stage& stage) {
  const AppendOptions& options = *w->options;
  if (options.expected_length && *options.expected_length != stage.head.length) {
    w->status =
        Status::Conflict("expected the log to hold " + std::to_string(*options.expected_length) +
                         " records; it holds " + std::to_string(stage.head.length));
    return false;
  }
  for (const StreamExpectation& e : options.expected_streams) {
    std::optional<StreamTail> tail;
    std::optional<StreamTail>* cached;
    Status s = TailOf(e.stream, stage, &tail, &cached);
    if (!s.ok()) {
      w->status = std::move(s);
      return false;
    }
    const uint64_t version = tail ? tail->version : 0;
    if (version != e.version) {
      w->status = Status::Conflict("expected " + format_->StreamName(e.stream) + " at version " +
                                   std::to_string(e.version) + "; it is at version " +
                                   std::to_string(version));
      return false;
    }
  }
  return true;
}

Status Log::Impl::Place(Writer* w, Stage* stage) {
  const size_t first = stage->staged.size();
  // What a refused record takes back: the tree's edge and the hashes staged before this writer.
  const tlog::RightEdge edge_before = stages_tree_ ? stage->edge : tlog::RightEdge();
  const size_t tree_before = stage->tree.size();
  auto undo = [&] {
    stage->staged.resize(first);
    if (stages_tree_) {
      stage->edge = edge_before;
      stage->tree.resize(tree_before);
      stage->tree_end.resize(first);
    }
  };
  StreamOverlay local;  // the writer's own stream tails, merged into the stage on success
  Offset at = stage->head.length;
  Hash256 chain = stage->head.chain;
  for (size_t i = 0; i < w->records.size(); ++i) {
    if (w->found[i]) continue;
    const Record& record = w->records[i];
    StagedRecord& staged = stage->staged.emplace_back();
    staged.offset = at;
    staged.chain = NextChain(chain, record.id);
    staged.record = &record;
    if (wants_encoded_) staged.encoded = w->encoded[i];
    staged.streams.reserve(record.streams.size());
    for (const std::string& stream : record.streams) {
      std::optional<StreamTail> tail;
      std::optional<StreamTail>* cached;
      if (const StreamOverlay::Entry* mine = local.Find(stream)) {
        tail = mine->tail;
        cached = mine->cached;
      } else if (Status s = TailOf(stream, *stage, &tail, &cached); !s.ok()) {
        undo();
        return s.WithIndex(i);
      }
      if (tail && record.timestamp < tail->last_timestamp) {
        undo();
        return Status::FailedPrecondition(
                   "record " + record.id.ToHex() + " (would be offset " + std::to_string(at) +
                   "): timestamp " + std::to_string(record.timestamp) +
                   " is earlier than timestamp " + std::to_string(tail->last_timestamp) +
                   " of the previous record of " + format_->StreamName(stream) + " at offset " +
                   std::to_string(tail->last_offset))
            .WithIndex(i);
      }
      const StreamTail next{tail ? tail->version + 1 : 1, at, record.timestamp};
      local.Set(stream, next, cached);
      staged.streams.push_back(StreamEntry{stream, next.version});
    }
    if (stages_tree_) {
      stage->edge.Append(w->leaves[i], &stage->tree);
      stage->tree_end.push_back(stage->tree.size());
    }
    w->results[i] = AppendResult{at, true};
    chain = staged.chain;
    ++at;
  }
  stage->head = ChainHead{at, chain};
  if (stage->overlay.empty()) {
    stage->overlay = std::move(local);
  } else {
    for (const StreamOverlay::Entry& e : local) stage->overlay.Set(e.stream, e.tail, e.cached);
  }
  return Status::OK();
}

Status Log::Impl::CatchUp() {
  StatusOr<ChainHead> head = backend_->ReadHead();
  if (!head.ok()) return head.status();
  if (head->length < known_.length) {
    return Status::Corruption("the log shrank from " + std::to_string(known_.length) + " to " +
                              std::to_string(head->length) + " records");
  }
  if (head->length - known_.length > kMaxCatchUpRecords) {
    tails_.clear();  // reloaded from the backend's index on demand
  } else if (head->length > known_.length) {
    std::vector<StoredRecord> missed;
    STATELOG_RETURN_IF_ERROR(backend_->ReadRange(known_.length, head->length, &missed));
    for (const StoredRecord& r : missed) {
      for (const std::string& stream : r.record.streams) {
        auto it = tails_.find(stream);
        if (it == tails_.end()) continue;  // not cached: read from the backend when needed
        const uint64_t version = it->second ? it->second->version + 1 : 1;
        it->second = StreamTail{version, r.offset, r.record.timestamp};
      }
    }
  }
  known_ = *head;
  Publish(known_);
  STATELOG_RETURN_IF_ERROR(LoadTree());  // stays stale until the edge is read
  stale_ = false;
  return Status::OK();
}

void Log::Impl::Publish(const ChainHead& head) const {
  std::lock_guard<std::mutex> lock(head_mu_);
  if (head.length < head_.length) return;
  head_ = head;
  length_.store(head.length, std::memory_order_release);  // the publication point
}

}  // namespace statelog
