// Helpers for the fold tests: stores, random legal histories, a read-counting store.
#ifndef STATELOG_TESTS_FOLD_FOLD_TEST_UTIL_H_
#define STATELOG_TESTS_FOLD_FOLD_TEST_UTIL_H_

#include <atomic>
#include <random>

#include "demo/scenario.h"
#include "statelog/codec.h"
#include "statelog/log_backend.h"
#include "statelog/memory_store.h"
#include "store/event_record.h"

namespace statelog::testing {

// Interleaves the direct-funding lifecycles of `channels` channels at random, keeping each
// channel's own order. Deterministic in `seed`.
inline std::vector<Event> RandomHistory(int channels, uint64_t seed, int payments = 3) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<Event>> lives;
  for (int c = 0; c < channels; ++c) {
    demo::ChannelScript s(c % 2 ? demo::Actor::Alice() : demo::Actor::Bob(),
                          c % 2 ? demo::Actor::Irene() : demo::Actor::Alice(), seed * 1000 + c,
                          1'700'000'000'000'000, Uint256(10));
    lives.push_back(s.DirectFundingLifecycle(payments));
  }
  std::vector<size_t> next(lives.size(), 0);
  std::vector<Event> out;
  size_t left = 0;
  for (auto& l : lives) left += l.size();
  while (left > 0) {
    size_t c = rng() % lives.size();
    if (next[c] == lives[c].size()) continue;
    out.push_back(lives[c][next[c]++]);
    --left;
  }
  return out;
}

// Appends `events` to `store`, failing the test on error.
inline void AppendAll(EventStore& store, const std::vector<Event>& events) {
  for (const Event& e : events) {
    auto r = store.Append(e);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
}

// Encodes the whole log: a byte-exact fingerprint to compare before and after.
inline std::string Fingerprint(const EventStore& store) {
  auto head = store.Head();
  std::string out = head.ok() ? head->chain.ToHex() : head.status().ToString();
  for (auto c = store.NewCursor(0); c->Valid(); c->Next()) out += EncodeEvent(c->event().event);
  return out;
}

// A read-only LogBackend over a vector of stored events, counting the events it reads: lets
// tests check which events a reconstruction touches, and build logs that statelog's append path
// would refuse.
class VectorBackend final : public LogBackend {
 public:
  VectorBackend(std::vector<StoredEvent> events, std::shared_ptr<std::atomic<uint64_t>> reads)
      : reads_(std::move(reads)) {
    for (const StoredEvent& e : events) {
      records_.push_back(StoredRecord{e.offset, e.chain, store_internal::ToRecord(e.event)});
    }
  }
  bool shared() const override { return false; }
  bool wants_encoded() const override { return false; }
  StatusOr<ChainHead> ReadHead() const override {
    return ChainHead{records_.size(), records_.empty() ? Hash256{} : records_.back().chain};
  }
  Status Append(const ChainHead&, std::span<const StagedRecord>) override {
    return Status::NotSupported("read-only");
  }
  Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const override {
    if (begin > end || end > records_.size()) return Status::OutOfRange("bad range");
    *reads_ += end - begin;
    out->assign(records_.begin() + begin, records_.begin() + end);
    return Status::OK();
  }
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const override {
    for (const auto& r : records_)
      if (r.record.id == id) return std::optional<Offset>(r.offset);
    return std::optional<Offset>();
  }
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream,
                                              Offset before) const override {
    std::vector<Offset> out;
    for (const auto& r : records_) {
      if (r.offset >= before) break;
      for (const std::string& s : r.record.streams)
        if (s == stream) out.push_back(r.offset);
    }
    return out;
  }
  StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view stream,
                                                     Offset before) const override {
    std::optional<StreamTail> tail;
    for (const auto& r : records_) {
      if (r.offset >= before) break;
      for (const std::string& s : r.record.streams) {
        if (s == stream) {
          tail = StreamTail{tail ? tail->version + 1 : 1, r.offset, r.record.timestamp};
        }
      }
    }
    return tail;
  }

 private:
  std::vector<StoredRecord> records_;
  std::shared_ptr<std::atomic<uint64_t>> reads_;
};

// An EventStore over a VectorBackend, with its read count.
class VectorStore : public EventStore {
 public:
  explicit VectorStore(
      std::vector<StoredEvent> events,
      std::shared_ptr<std::atomic<uint64_t>> reads = std::make_shared<std::atomic<uint64_t>>(0))
      : EventStore(Log::Open(std::make_unique<VectorBackend>(std::move(events), reads),
                             &EventRecordFormat())
                       .value()),
        reads_(std::move(reads)) {}
  uint64_t reads() const { return reads_->load(); }

 private:
  std::shared_ptr<std::atomic<uint64_t>> reads_;
};

// Returns the stored events of `events` with offsets and a correct hash chain.
inline std::vector<StoredEvent> Chained(const std::vector<Event>& events) {
  std::vector<StoredEvent> out;
  Hash256 chain;
  for (size_t i = 0; i < events.size(); ++i) {
    chain = NextChain(chain, events[i].id);
    out.push_back({i, chain, events[i]});
  }
  return out;
}

}  // namespace statelog::testing

#endif  // STATELOG_TESTS_FOLD_FOLD_TEST_UTIL_H_
