// The memory LogBackend (ADR-0003): a segmented log with stable addresses and lock-free reads.
//
// Layout: a two-level segment directory that never reallocates.
//   top_[kTopSize] -> Block{segments[kBlockSize]} -> Segment{kSegmentSize slots}
// Offset o lives in top_[o >> 20]->segments[(o >> 10) % 1024], slot o % 1024. Blocks and segments
// are allocated lazily by the writer and freed only by the destructor. Nothing is ever moved, so
// a slot's address is fixed for the backend's lifetime: EventAt() references stay valid.
//
// Why reads by offset need no lock:
//  1. Only the writer, holding append_mu_, writes slots, and only slots at offsets >= length_.
//     It stores any new block and segment pointer and constructs every slot of an append before
//     it stores the new length with memory_order_release (Publish()).
//  2. A reader loads length_ with memory_order_acquire and touches only slots below the value it
//     loaded. That load synchronizes with the release store that published the value, so the
//     directory pointers and the slot's construction happen-before the reader's accesses: it
//     never sees a half-written event.
//  3. A published slot is never written again and is destroyed only with the store. Later
//     appends write other slots and other directory entries, i.e. other memory locations, so
//     readers and the writer never race on the same bytes. (Directory entries are atomics only
//     to keep that true by construction; their ordering comes from length_.)
// The indexes (id, streams) are under index_mu_. The writer updates them and stores length_ under
// one exclusive lock, so an index never names an offset at or past the length and Find() of a
// readable record always succeeds. They hold offsets only: a reader holding index_mu_ reads an
// indexed record's id or timestamp from its slot, which the lock's ordering makes visible.
//
// The Merkle tree (docs/adr/0016-merkle-tree-and-checkpoints.md) is derived from the events when
// it is read: ReadTreeHashes first extends it to the length then published, under its own mutex.
// Appends pay nothing for it (hashing every event as it is appended would add about 40% to a
// memory append); the first proof after n appends hashes those n events. Nothing here is durable,
// so there is no write for the tree to be atomic with: the tree only ever covers stored records.
//
// Slots hold events, never encoded, and no payload object: the Nitro layer reads the events in
// place, and a record read through the log core borrows its slot's event (BorrowedEventPayload).
#include "store/memory_backend.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <span>
#include <string>
#include <utility>

#include "statelog/codec.h"
#include "statelog/memory_store.h"
#include "store/event_record.h"
#include "store/id_table.h"
#include "store/stream_table.h"

namespace statelog {
namespace store_internal {
namespace {

constexpr unsigned kSegmentBits = 10;  // MemoryEventStore::kSegmentSize == 1 << kSegmentBits
constexpr unsigned kBlockBits = 10;    // segments per directory block
constexpr size_t kSegmentSize = size_t{1} << kSegmentBits;
constexpr size_t kBlockSize = size_t{1} << kBlockBits;
constexpr size_t kTopSize = 1024;  // directory blocks
constexpr uint64_t kCapacity = uint64_t{kTopSize} << (kBlockBits + kSegmentBits);  // 2^30 records
static_assert(MemoryEventStore::kSegmentSize == kSegmentSize);

// One record: its chain value and its event.
struct Slot {
  Hash256 chain;
  Event event;
};

// Raw storage for kSegmentSize slots; slot i is constructed by the writer before publication.
struct Segment {
  alignas(Slot) std::byte raw[kSegmentSize * sizeof(Slot)];
  void* slot(size_t i) { return raw + i * sizeof(Slot); }
};

// A record that borrows its slot's event (the log core's reads; the Nitro layer reads events).
StoredRecord RecordAt(Offset offset, const Slot& slot) {
  const Event& e = slot.event;
  return StoredRecord{offset, slot.chain,
                      Record{e.id, e.timestamp, EventStreams(e),
                             std::make_shared<BorrowedEventPayload>(&slot.event)}};
}

struct Block {
  std::atomic<Segment*> segments[kBlockSize] = {};
};

// Builds a StoredEvent from a slot straight into a vector's storage (emplace_back(CopyOut{...})):
// the event is copied once, with no temporary to move from.
struct CopyOut {
  Offset offset;
  const Slot& slot;
  operator StoredEvent() const { return StoredEvent{offset, slot.chain, slot.event}; }
};

// The indexes keep offsets in 32 bits.
static_assert(kCapacity - 1 <= IdTable::kMaxOffset);
static_assert(kCapacity <= uint64_t{UINT32_MAX} + 1);
static_assert(kMaxStreamKeySize <= StreamTable::kMaxKeySize);

// The first of a stream's offsets at or past `before` (the end, at once, for the core's tail
// reads).
std::span<const uint32_t>::iterator LowerBound(std::span<const uint32_t> offsets, Offset before) {
  if (offsets.empty() || offsets.back() < before) return offsets.end();
  return std::lower_bound(offsets.begin(), offsets.end(), before);
}

class MemoryBackendImpl final : public MemoryBackend {
 public:
  explicit MemoryBackendImpl(bool keep_tree) : keep_tree_(keep_tree) {}
  ~MemoryBackendImpl() override;

  bool shared() const override { return false; }
  bool wants_encoded() const override { return false; }
  bool group_commit() const override { return false; }
  bool cheap_stream_tails() const override { return true; }
  bool keeps_tree() const override { return keep_tree_; }
  bool wants_tree_hashes() const override { return false; }
  Status ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                        std::span<tlog::Hash> out) const override;
  // The kept checkpoints, in a vector under their own mutex.
  bool keeps_checkpoints() const override { return true; }
  StatusOr<std::optional<KeptCheckpoint>> ReadLatestCheckpoint() const override {
    std::lock_guard<std::mutex> lock(checkpoints_mu_);
    if (checkpoints_.empty()) return std::optional<KeptCheckpoint>();
    return std::optional<KeptCheckpoint>(checkpoints_.back());
  }
  Status KeepCheckpoint(const KeptCheckpoint& checkpoint) override {
    std::lock_guard<std::mutex> lock(checkpoints_mu_);
    if (checkpoint.number != checkpoints_.size()) {
      return Status::Conflict("cannot keep checkpoint " + std::to_string(checkpoint.number) + ": " +
                              std::to_string(checkpoints_.size()) + " checkpoints are kept");
    }
    checkpoints_.push_back(checkpoint);
    return Status::OK();
  }
  StatusOr<ChainHead> ReadHead() const override;
  Status Append(const ChainHead& expected, std::span<const StagedRecord> records) override;
  Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const override;
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const override;
  Status FindMany(std::span<const RecordId> ids,
                  std::vector<std::optional<Offset>>* out) const override;
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream,
                                              Offset before) const override;
  StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view stream,
                                                     Offset before) const override;
  const Event& EventAt(Offset offset) const override { return SlotAt(offset)->event; }
  const Hash256& ChainAt(Offset offset) const override { return SlotAt(offset)->chain; }
  void CopyEvents(Offset begin, Offset end, std::vector<StoredEvent>* out) const override {
    for (Offset o = begin; o < end; ++o) {
      out->emplace_back(CopyOut{o, *SlotAt(o)});
    }
  }

 private:
  // REQUIRES: offset < a length this thread loaded with acquire, or the writer's own slot.
  const Slot* SlotAt(Offset offset) const {
    Block* block = top_[offset >> (kBlockBits + kSegmentBits)].load(std::memory_order_relaxed);
    Segment* seg = block->segments[(offset >> kSegmentBits) & (kBlockSize - 1)].load(
        std::memory_order_relaxed);
    return std::launder(static_cast<const Slot*>(seg->slot(offset & (kSegmentSize - 1))));
  }
  // The id of the record at an offset, for ids_. REQUIRES: as for SlotAt().
  auto IdAt() const {
    return [this](Offset o) -> const RecordId& { return SlotAt(o)->event.id; };
  }
  // Returns the raw storage for `offset`, allocating its block and segment if needed.
  // REQUIRES: append_mu_ held, offset < kCapacity.
  void* PrepareSlot(Offset offset);
  ChainHead HeadAt(uint64_t length) const {
    return ChainHead{length, length == 0 ? Hash256() : SlotAt(length - 1)->chain};
  }

  const bool keep_tree_;
  std::mutex append_mu_;  // serializes appends
  std::atomic<uint64_t> length_{0};
  std::atomic<Block*> top_[kTopSize] = {};

  // Written under append_mu_ and an exclusive index_mu_; read under a shared index_mu_.
  mutable std::shared_mutex index_mu_;
  IdTable ids_;
  StreamTable streams_;

  // The tree, derived up to tree_edge_.size() records.
  mutable std::mutex tree_mu_;
  mutable tlog::RightEdge tree_edge_;
  mutable std::vector<std::vector<tlog::Hash>> tree_;  // tree_[level][n]

  mutable std::mutex checkpoints_mu_;
  std::vector<KeptCheckpoint> checkpoints_;  // checkpoints_[number]
};

MemoryBackendImpl::~MemoryBackendImpl() {
  const uint64_t length = length_.load(std::memory_order_acquire);
  for (Offset i = 0; i < length; ++i) SlotAt(i)->~Slot();
  for (auto& top : top_) {
    Block* block = top.load(std::memory_order_relaxed);
    if (block == nullptr) break;
    for (auto& seg : block->segments) delete seg.load(std::memory_order_relaxed);
    delete block;
  }
}

void* MemoryBackendImpl::PrepareSlot(Offset offset) {
  std::atomic<Block*>& top = top_[offset >> (kBlockBits + kSegmentBits)];
  Block* block = top.load(std::memory_order_relaxed);
  if (block == nullptr) {
    block = new Block();
    top.store(block, std::memory_order_release);
  }
  std::atomic<Segment*>& entry = block->segments[(offset >> kSegmentBits) & (kBlockSize - 1)];
  Segment* seg = entry.load(std::memory_order_relaxed);
  if (seg == nullptr) {
    seg = new Segment;  // default-initialized: no zeroing of the raw bytes
    entry.store(seg, std::memory_order_release);
  }
  return seg->slot(offset & (kSegmentSize - 1));
}

StatusOr<ChainHead> MemoryBackendImpl::ReadHead() const {
  return HeadAt(length_.load(std::memory_order_acquire));
}

Status MemoryBackendImpl::Append(const ChainHead& expected, std::span<const StagedRecord> records) {
  std::lock_guard<std::mutex> lock(append_mu_);
  const uint64_t length = length_.load(std::memory_order_relaxed);
  const ChainHead head = HeadAt(length);
  if (head != expected) {
    return Status::Conflict("the memory log holds " + std::to_string(length) +
                            " records, the append expected " + std::to_string(expected.length));
  }
  if (length + records.size() > kCapacity) {
    return Status::FailedPrecondition("the memory store is full (" + std::to_string(kCapacity) +
                                      " records)");
  }
  for (size_t i = 0; i < records.size(); ++i) {
    if (dynamic_cast<const EventPayload*>(records[i].record->payload.get()) == nullptr) {
      return Status::InvalidArgument("staged record " + std::to_string(i) +
                                     ": the memory event store holds events only");
    }
  }
  Offset offset = length;
  for (const StagedRecord& s : records) {
    auto& payload = const_cast<EventPayload&>(static_cast<const EventPayload&>(*s.record->payload));
    void* slot = PrepareSlot(offset);
    // When only the appender's record refers to an owned payload, which it lets go after the
    // append, take the event instead of copying it. (Payloads are made non-const, by ToRecord.)
    if (Event* owned = s.record->payload.use_count() == 1 ? payload.owned() : nullptr) {
      new (slot) Slot{s.chain, std::move(*owned)};
    } else {
      new (slot) Slot{s.chain, payload.event()};
    }
    ++offset;
  }
  std::unique_lock<std::shared_mutex> index_lock(index_mu_);
  for (const StagedRecord& s : records) {
    ids_.Insert(s.record->id, s.offset, IdAt());
    for (const StreamEntry& e : s.streams) streams_.Add(e.stream, static_cast<uint32_t>(s.offset));
  }
  length_.store(offset, std::memory_order_release);  // the publication point
  return Status::OK();
}

Status MemoryBackendImpl::ReadRange(Offset begin, Offset end,
                                    std::vector<StoredRecord>* out) const {
  const uint64_t length = length_.load(std::memory_order_acquire);
  if (begin > end || end > length) {
    return Status::OutOfRange("range [" + std::to_string(begin) + ", " + std::to_string(end) +
                              ") is not within the log (length " + std::to_string(length) + ")");
  }
  out->clear();
  out->reserve(end - begin);
  for (Offset o = begin; o < end; ++o) out->push_back(RecordAt(o, *SlotAt(o)));
  return Status::OK();
}

Status MemoryBackendImpl::ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                                         std::span<tlog::Hash> out) const {
  if (!keep_tree_) return Status::NotSupported("this memory backend keeps no Merkle tree");
  std::lock_guard<std::mutex> lock(tree_mu_);
  // Extend the tree to every record stored now: leaf i is the event's canonical encoding, the
  // bytes a durable backend stores for it.
  const uint64_t length = length_.load(std::memory_order_acquire);
  std::vector<tlog::StoredHash> added;
  for (Offset o = tree_edge_.size(); o < length; ++o) {
    added.clear();
    tree_edge_.Append(tlog::LeafHash(EncodeEvent(SlotAt(o)->event)), &added);
    for (const tlog::StoredHash& h : added) {
      if (tree_.size() <= static_cast<size_t>(h.id.level)) tree_.resize(h.id.level + 1);
      tree_[h.id.level].push_back(h.hash);
    }
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const tlog::StoredHashId& id = ids[i];
    if (id.level < 0 || static_cast<size_t>(id.level) >= tree_.size() ||
        id.n >= tree_[id.level].size()) {
      return Status::OutOfRange("the memory log of " + std::to_string(length) +
                                " records has no stored hash " + tlog::ToString(id));
    }
    out[i] = tree_[id.level][id.n];
  }
  return Status::OK();
}

StatusOr<std::optional<Offset>> MemoryBackendImpl::Find(const RecordId& id) const {
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  return ids_.Find(id, IdAt());
}

Status MemoryBackendImpl::FindMany(std::span<const RecordId> ids,
                                   std::vector<std::optional<Offset>>* out) const {
  out->resize(ids.size());
  std::shared_lock<std::shared_mutex> lock(index_mu_);  // once, not once per id
  for (size_t i = 0; i < ids.size(); ++i) (*out)[i] = ids_.Find(ids[i], IdAt());
  return Status::OK();
}

StatusOr<std::vector<Offset>> MemoryBackendImpl::StreamOffsets(std::string_view stream,
                                                               Offset before) const {
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  const std::span<const uint32_t> offsets = streams_.Offsets(stream);
  return std::vector<Offset>(offsets.begin(), LowerBound(offsets, before));
}

StatusOr<std::optional<StreamTail>> MemoryBackendImpl::ReadStreamTail(std::string_view stream,
                                                                      Offset before) const {
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  const std::span<const uint32_t> offsets = streams_.Offsets(stream);
  const size_t n = LowerBound(offsets, before) - offsets.begin();
  if (n == 0) return std::optional<StreamTail>();
  const Offset tail = offsets[n - 1];
  return std::optional<StreamTail>(StreamTail{n, tail, SlotAt(tail)->event.timestamp});
}

std::string RangeError(Offset begin, Offset end, uint64_t length) {
  return "range [" + std::to_string(begin) + ", " + std::to_string(end) +
         ") is not within the log (length " + std::to_string(length) + ")";
}

// Walks At() references and copies only the events: the cursor of MemoryEventStore.
class MemoryEventCursor final : public EventCursor {
 public:
  MemoryEventCursor(const MemoryBackend* backend, Offset begin, Offset end, Status status)
      : backend_(backend), pos_(begin), end_(end), status_(std::move(status)) {
    Load();
  }
  bool Valid() const override { return status_.ok() && pos_ < end_; }
  void Next() override {
    ++pos_;
    Load();
  }
  const StoredEvent& event() const override { return current_; }
  Status status() const override { return status_; }

 private:
  void Load() {
    if (Valid()) current_ = StoredEvent{pos_, backend_->ChainAt(pos_), backend_->EventAt(pos_)};
  }
  const MemoryBackend* const backend_;
  Offset pos_;
  const Offset end_;
  const Status status_;
  StoredEvent current_;
};

// MemoryEventStore: the Nitro layer over a memory backend, which it reads directly: the stored
// records are in memory, so a read is a copy of the event and nothing else. Appends go through
// the log core like every other backend's.
class MemoryStore final : public MemoryEventStore {
 public:
  MemoryStore(std::unique_ptr<Log> log, const MemoryBackend* backend)
      : MemoryEventStore(std::move(log)), backend_(backend) {}
  const Event& At(Offset offset) const override { return backend_->EventAt(offset); }

  StatusOr<StoredEvent> Read(Offset offset) const override {
    const uint64_t length = Published();
    if (offset >= length) {
      return Status::OutOfRange("offset " + std::to_string(offset) +
                                " is past the end of the log (length " + std::to_string(length) +
                                ")");
    }
    return StoredEvent{offset, backend_->ChainAt(offset), backend_->EventAt(offset)};
  }
  Status ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const override {
    const uint64_t length = Published();
    if (begin > end || end > length) return Status::OutOfRange(RangeError(begin, end, length));
    out->clear();
    out->reserve(end - begin);
    backend_->CopyEvents(begin, end, out);
    return Status::OK();
  }
  Status Scan(Offset begin, Offset end,
              const std::function<Status(Offset, const Event&)>& fn) const override {
    const uint64_t length = Published();
    if (begin > end || end > length) return Status::OutOfRange(RangeError(begin, end, length));
    for (Offset o = begin; o < end; ++o) STATELOG_RETURN_IF_ERROR(fn(o, backend_->EventAt(o)));
    return Status::OK();
  }
  std::unique_ptr<EventCursor> NewCursor(Offset begin, std::optional<Offset> end) const override {
    const uint64_t length = Published();
    const Offset stop = end.value_or(length);
    Status status;
    if (begin > stop || stop > length) status = Status::OutOfRange(RangeError(begin, stop, length));
    return std::make_unique<MemoryEventCursor>(backend_, begin, stop, std::move(status));
  }

 private:
  // The length the log core published: every record below it is complete. (The backend's own
  // length can be ahead of it for the moment between its write and the core's publication.)
  uint64_t Published() const { return log().KnownLength(); }

  const MemoryBackend* const backend_;  // owned by the log
};

}  // namespace

std::unique_ptr<MemoryBackend> NewMemoryBackend(bool keep_tree) {
  return std::make_unique<MemoryBackendImpl>(keep_tree);
}

}  // namespace store_internal

std::unique_ptr<MemoryEventStore> MemoryEventStore::Create() {
  auto backend = store_internal::NewMemoryBackend();
  const store_internal::MemoryBackend* raw = backend.get();
  // Opening a memory backend reads its head, which cannot fail.
  auto log = Log::Open(std::move(backend), &EventRecordFormat());
  return std::make_unique<store_internal::MemoryStore>(std::move(log).value(), raw);
}

}  // namespace statelog
