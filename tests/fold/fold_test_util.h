// Helpers for the fold tests: stores, random legal histories, a read-counting store.
#ifndef STATELOG_TESTS_FOLD_FOLD_TEST_UTIL_H_
#define STATELOG_TESTS_FOLD_FOLD_TEST_UTIL_H_

#include <atomic>
#include <random>

#include "demo/scenario.h"
#include "statelog/codec.h"
#include "statelog/memory_store.h"

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
  std::string out = store.Head().chain.ToHex();
  for (auto c = store.NewCursor(0); c->Valid(); c->Next()) out += EncodeEvent(c->event().event);
  return out;
}

// A read-only EventStore over a vector of stored events, counting reads: lets tests check which
// events a reconstruction touches, and build logs that statelog's append path would refuse.
class VectorStore : public EventStore {
 public:
  explicit VectorStore(std::vector<StoredEvent> events) : events_(std::move(events)) {}
  ~VectorStore() override { StopSubscriptions(); }
  StatusOr<AppendResult> Append(const Event&) override { return Status::NotSupported("read-only"); }
  StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event>) override {
    return Status::NotSupported("read-only");
  }
  uint64_t Length() const override { return events_.size(); }
  ChainHead Head() const override {
    return {events_.size(), events_.empty() ? Hash256{} : events_.back().chain};
  }
  StatusOr<StoredEvent> Read(Offset offset) const override {
    reads_++;
    if (offset >= events_.size()) return Status::OutOfRange("past the end");
    return events_[offset];
  }
  Status ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const override {
    if (begin > end || end > events_.size()) return Status::OutOfRange("bad range");
    reads_ += end - begin;
    out->assign(events_.begin() + begin, events_.begin() + end);
    return Status::OK();
  }
  std::optional<Offset> Find(const EventId& id) const override {
    for (const auto& e : events_)
      if (e.event.id == id) return e.offset;
    return std::nullopt;
  }
  std::vector<Offset> ChannelOffsets(const ChannelId& id, Offset before) const override {
    std::vector<Offset> out;
    for (const auto& e : events_)
      if (e.offset < before && e.event.channel() && *e.event.channel() == id)
        out.push_back(e.offset);
    return out;
  }
  std::vector<Offset> ObjectiveOffsets(const ObjectiveId& id, Offset before) const override {
    std::vector<Offset> out;
    for (const auto& e : events_)
      if (e.offset < before && e.event.objective() && *e.event.objective() == id)
        out.push_back(e.offset);
    return out;
  }
  uint64_t reads() const { return reads_; }

 private:
  std::vector<StoredEvent> events_;
  mutable std::atomic<uint64_t> reads_{0};
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
