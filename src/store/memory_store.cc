// The in-memory EventStore (ADR-0003): a segmented log with stable addresses and lock-free reads.
//
// Layout: a two-level segment directory that never reallocates.
//   top_[kTopSize] -> Block{segments[kBlockSize]} -> Segment{kSegmentSize slots}
// Offset o lives in top_[o >> 20]->segments[(o >> 10) % 1024], slot o % 1024. Blocks and segments
// are allocated lazily by the writer and freed only by the destructor. Nothing is ever moved, so
// a slot's address is fixed for the store's lifetime: At() references stay valid.
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
// The indexes (id, channel, objective) are ordinary hash maps under index_mu_. The writer
// updates them and stores length_ under one exclusive lock, so an index never names an offset at
// or past Length() and Find() of a readable event always succeeds.
#include "statelog/memory_store.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstddef>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/append_checks.h"

namespace statelog {
namespace {

constexpr unsigned kSegmentBits = 10;  // MemoryEventStore::kSegmentSize == 1 << kSegmentBits
constexpr unsigned kBlockBits = 10;    // segments per directory block
constexpr size_t kBlockSize = size_t{1} << kBlockBits;
constexpr size_t kTopSize = 1024;  // directory blocks
constexpr uint64_t kCapacity = uint64_t{kTopSize} << (kBlockBits + kSegmentBits);  // 2^30 events
static_assert(MemoryEventStore::kSegmentSize == size_t{1} << kSegmentBits);

// Raw storage for kSegmentSize events; slot i is constructed by the writer before publication.
struct Segment {
  alignas(StoredEvent) std::byte raw[MemoryEventStore::kSegmentSize * sizeof(StoredEvent)];
  void* slot(size_t i) { return raw + i * sizeof(StoredEvent); }
};

struct Block {
  std::atomic<Segment*> segments[kBlockSize] = {};
};

// One channel's or one objective's events.
struct EntityLog {
  std::vector<Offset> offsets;  // increasing
  Timestamp last_timestamp = 0;
};

// Entities' last (timestamp, offset) within a batch being validated.
struct BatchOrder {
  struct Last {
    Timestamp timestamp;
    Offset offset;
  };
  std::unordered_map<ChannelId, Last> channels;
  std::unordered_map<ObjectiveId, Last> objectives;
};

std::string OffsetError(Offset begin, Offset end, uint64_t length) {
  return "range [" + std::to_string(begin) + ", " + std::to_string(end) +
         ") is not within the log (length " + std::to_string(length) + ")";
}

class MemoryStore final : public MemoryEventStore {
 public:
  MemoryStore() = default;
  ~MemoryStore() override;

  StatusOr<AppendResult> Append(const Event& event) override;
  StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events) override;

  uint64_t Length() const override { return length_.load(std::memory_order_acquire); }
  ChainHead Head() const override;
  StatusOr<StoredEvent> Read(Offset offset) const override;
  Status ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const override;
  std::unique_ptr<EventCursor> NewCursor(Offset begin, std::optional<Offset> end) const override;
  const StoredEvent& At(Offset offset) const override {
    assert(offset < Length());
    return *Slot(offset);
  }

  std::optional<Offset> Find(const EventId& id) const override;
  std::vector<Offset> ChannelOffsets(const ChannelId& id, Offset before) const override;
  std::vector<Offset> ObjectiveOffsets(const ObjectiveId& id, Offset before) const override;

 private:
  // REQUIRES: offset < a length this thread loaded with acquire, or the writer's own slot.
  const StoredEvent* Slot(Offset offset) const {
    Block* block = top_[offset >> (kBlockBits + kSegmentBits)].load(std::memory_order_relaxed);
    Segment* seg = block->segments[(offset >> kSegmentBits) & (kBlockSize - 1)].load(
        std::memory_order_relaxed);
    return std::launder(static_cast<const StoredEvent*>(seg->slot(offset & (kSegmentSize - 1))));
  }
  // Returns the raw storage for `offset`, allocating its block and segment if needed.
  // REQUIRES: append_mu_ held, offset < kCapacity.
  void* PrepareSlot(Offset offset);
  // REQUIRES: append_mu_ held. Returns the chain value after the last published event.
  Hash256 HeadChainLocked(uint64_t length) const {
    return length == 0 ? Hash256() : Slot(length - 1)->chain;
  }
  // Checks that `event`, appended at `at`, does not go back in time for its channel or objective.
  // `batch` holds the entities' last events earlier in the same batch (may be null).
  // REQUIRES: append_mu_ held.
  Status CheckOrderLocked(const Event& event, Offset at, BatchOrder* batch) const;
  // Constructs the slots of `staged` (offsets from `length` on), indexes them and publishes the
  // new length. REQUIRES: append_mu_ held.
  void WriteAndPublishLocked(uint64_t length, std::vector<StoredEvent*>& staged);

  std::mutex append_mu_;  // serializes appends
  std::atomic<uint64_t> length_{0};
  std::atomic<Block*> top_[kTopSize] = {};

  // Written under append_mu_ and an exclusive index_mu_; read under a shared index_mu_ or by
  // the writer holding append_mu_.
  mutable std::shared_mutex index_mu_;
  std::unordered_map<EventId, Offset> ids_;
  std::unordered_map<ChannelId, EntityLog> channels_;
  std::unordered_map<ObjectiveId, EntityLog> objectives_;
};

using store_internal::CheckTimestampOrder;
using store_internal::EntityName;

template <typename Key>
Status CheckEntity(const Event& event, Offset at, const Key& key,
                   const std::unordered_map<Key, EntityLog>& committed,
                   std::unordered_map<Key, BatchOrder::Last>* batch) {
  Timestamp previous;
  Offset previous_offset;
  bool found = false;
  if (batch) {
    if (auto it = batch->find(key); it != batch->end()) {
      previous = it->second.timestamp;
      previous_offset = it->second.offset;
      found = true;
    }
  }
  if (!found) {
    auto it = committed.find(key);
    if (it != committed.end()) {
      previous = it->second.last_timestamp;
      previous_offset = it->second.offsets.back();
      found = true;
    }
  }
  if (found) {
    STATELOG_RETURN_IF_ERROR(
        CheckTimestampOrder(event, at, EntityName(key), previous, previous_offset));
  }
  if (batch) (*batch)[key] = BatchOrder::Last{event.timestamp, at};
  return Status::OK();
}

Status MemoryStore::CheckOrderLocked(const Event& event, Offset at, BatchOrder* batch) const {
  if (const ChannelId* channel = event.channel()) {
    STATELOG_RETURN_IF_ERROR(
        CheckEntity(event, at, *channel, channels_, batch ? &batch->channels : nullptr));
  }
  if (const ObjectiveId* objective = event.objective()) {
    STATELOG_RETURN_IF_ERROR(
        CheckEntity(event, at, *objective, objectives_, batch ? &batch->objectives : nullptr));
  }
  return Status::OK();
}

MemoryStore::~MemoryStore() {
  StopSubscriptions();  // delivery threads read this object; stop them first
  const uint64_t length = length_.load(std::memory_order_acquire);
  for (Offset i = 0; i < length; ++i) Slot(i)->~StoredEvent();
  for (auto& top : top_) {
    Block* block = top.load(std::memory_order_relaxed);
    if (block == nullptr) break;
    for (auto& seg : block->segments) delete seg.load(std::memory_order_relaxed);
    delete block;
  }
}

void* MemoryStore::PrepareSlot(Offset offset) {
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

void MemoryStore::WriteAndPublishLocked(uint64_t length, std::vector<StoredEvent*>& staged) {
  Hash256 chain = HeadChainLocked(length);
  Offset offset = length;
  for (StoredEvent* s : staged) {
    s->offset = offset;
    chain = NextChain(chain, s->event.id);
    s->chain = chain;
    new (PrepareSlot(offset)) StoredEvent(std::move(*s));
    ++offset;
  }
  std::unique_lock<std::shared_mutex> lock(index_mu_);
  for (Offset o = length; o < offset; ++o) {
    const Event& event = Slot(o)->event;
    ids_.emplace(event.id, o);
    if (const ChannelId* channel = event.channel()) {
      EntityLog& log = channels_[*channel];
      log.offsets.push_back(o);
      log.last_timestamp = event.timestamp;
    }
    if (const ObjectiveId* objective = event.objective()) {
      EntityLog& log = objectives_[*objective];
      log.offsets.push_back(o);
      log.last_timestamp = event.timestamp;
    }
  }
  length_.store(offset, std::memory_order_release);  // the publication point
}

StatusOr<AppendResult> MemoryStore::Append(const Event& event) {
  STATELOG_RETURN_IF_ERROR(store_internal::CheckEventId(event));
  StoredEvent staged{0, Hash256(), event};  // copy outside the lock
  Offset offset;
  {
    std::lock_guard<std::mutex> lock(append_mu_);
    if (auto it = ids_.find(event.id); it != ids_.end()) return AppendResult{it->second, false};
    offset = length_.load(std::memory_order_relaxed);
    if (offset >= kCapacity) {
      return Status::FailedPrecondition("the memory store is full (" + std::to_string(kCapacity) +
                                        " events)");
    }
    STATELOG_RETURN_IF_ERROR(CheckOrderLocked(event, offset, nullptr));
    std::vector<StoredEvent*> one{&staged};
    WriteAndPublishLocked(offset, one);
  }
  NotifyAppended();
  return AppendResult{offset, true};
}

StatusOr<std::vector<AppendResult>> MemoryStore::AppendBatch(std::span<const Event> events) {
  STATELOG_RETURN_IF_ERROR(store_internal::CheckBatchIds(events));
  std::vector<StoredEvent> copies;  // copied outside the lock
  copies.reserve(events.size());
  for (const Event& e : events) copies.push_back(StoredEvent{0, Hash256(), e});

  std::vector<AppendResult> results(events.size());
  {
    std::lock_guard<std::mutex> lock(append_mu_);
    const uint64_t length = length_.load(std::memory_order_relaxed);
    BatchOrder order;
    std::vector<StoredEvent*> staged;
    Offset next = length;
    for (size_t i = 0; i < events.size(); ++i) {
      if (auto it = ids_.find(events[i].id); it != ids_.end()) {
        results[i] = AppendResult{it->second, false};
        continue;
      }
      Status s = CheckOrderLocked(events[i], next, &order);
      if (!s.ok()) return s.WithPrefix("batch event " + std::to_string(i));
      results[i] = AppendResult{next++, true};
      staged.push_back(&copies[i]);
    }
    if (staged.empty()) return results;
    if (next > kCapacity) {
      return Status::FailedPrecondition("the memory store is full (" + std::to_string(kCapacity) +
                                        " events)");
    }
    WriteAndPublishLocked(length, staged);
  }
  NotifyAppended();
  return results;
}

ChainHead MemoryStore::Head() const {
  const uint64_t length = Length();
  return ChainHead{length, length == 0 ? Hash256() : Slot(length - 1)->chain};
}

StatusOr<StoredEvent> MemoryStore::Read(Offset offset) const {
  const uint64_t length = Length();
  if (offset >= length) {
    return Status::OutOfRange("offset " + std::to_string(offset) +
                              " is past the end of the log (length " + std::to_string(length) +
                              ")");
  }
  return *Slot(offset);
}

Status MemoryStore::ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const {
  const uint64_t length = Length();
  if (begin > end || end > length) return Status::OutOfRange(OffsetError(begin, end, length));
  out->clear();
  out->reserve(end - begin);
  for (Offset o = begin; o < end; ++o) out->push_back(*Slot(o));
  return Status::OK();
}

// Walks At() references: no copies. Valid while the store lives.
class MemoryCursor final : public EventCursor {
 public:
  MemoryCursor(const MemoryEventStore* store, Offset begin, Offset end, Status status)
      : store_(store), pos_(begin), end_(end), status_(std::move(status)) {}
  bool Valid() const override { return status_.ok() && pos_ < end_; }
  void Next() override { ++pos_; }
  const StoredEvent& event() const override { return store_->At(pos_); }
  Status status() const override { return status_; }

 private:
  const MemoryEventStore* const store_;
  Offset pos_;
  const Offset end_;
  const Status status_;
};

std::unique_ptr<EventCursor> MemoryStore::NewCursor(Offset begin, std::optional<Offset> end) const {
  const uint64_t length = Length();
  const Offset stop = end.value_or(length);
  Status status;
  if (begin > stop || stop > length) status = Status::OutOfRange(OffsetError(begin, stop, length));
  return std::make_unique<MemoryCursor>(this, begin, stop, std::move(status));
}

std::optional<Offset> MemoryStore::Find(const EventId& id) const {
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  auto it = ids_.find(id);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

template <typename Key>
std::vector<Offset> OffsetsBefore(const std::unordered_map<Key, EntityLog>& index, const Key& key,
                                  Offset before) {
  auto it = index.find(key);
  if (it == index.end()) return {};
  const std::vector<Offset>& offsets = it->second.offsets;
  return std::vector<Offset>(offsets.begin(),
                             std::lower_bound(offsets.begin(), offsets.end(), before));
}

std::vector<Offset> MemoryStore::ChannelOffsets(const ChannelId& id, Offset before) const {
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  return OffsetsBefore(channels_, id, before);
}

std::vector<Offset> MemoryStore::ObjectiveOffsets(const ObjectiveId& id, Offset before) const {
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  return OffsetsBefore(objectives_, id, before);
}

}  // namespace

std::unique_ptr<MemoryEventStore> MemoryEventStore::Create() {
  return std::make_unique<MemoryStore>();
}

}  // namespace statelog
