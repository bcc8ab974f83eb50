// EventStore's non-virtual parts: subscriptions (delegated to SubscriptionHub), the default
// cursor and the hash chain.
#include "statelog/store.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "statelog/keccak.h"
#include "store/subscription_hub.h"

namespace statelog {
namespace {

// Reads [begin, end) through ReadRange() in chunks; works for every backend.
class ChunkedCursor final : public EventCursor {
 public:
  static constexpr uint64_t kChunk = 256;

  ChunkedCursor(const EventStore* store, Offset begin, Offset end)
      : store_(store), next_(begin), end_(end) {
    if (begin > end) {
      status_ = Status::OutOfRange("cursor begin " + std::to_string(begin) + " is past its end " +
                                   std::to_string(end));
      return;
    }
    Fill();
  }

  bool Valid() const override { return pos_ < chunk_.size(); }
  void Next() override {
    if (++pos_ == chunk_.size()) Fill();
  }
  const StoredEvent& event() const override { return chunk_[pos_]; }
  Status status() const override { return status_; }

 private:
  void Fill() {
    chunk_.clear();
    pos_ = 0;
    if (next_ >= end_) return;
    const Offset stop = next_ + std::min(kChunk, end_ - next_);
    status_ = store_->ReadRange(next_, stop, &chunk_);
    if (!status_.ok()) {
      chunk_.clear();
      return;
    }
    next_ = stop;
  }

  const EventStore* const store_;
  Offset next_;  // first offset not yet in chunk_
  const Offset end_;
  std::vector<StoredEvent> chunk_;
  size_t pos_ = 0;
  Status status_;
};

}  // namespace

EventStore::EventStore() : hub_(std::make_unique<SubscriptionHub>(this)) {}

// A backend must have called StopSubscriptions() already; this is the safety net for one that
// has no subscriptions to stop.
EventStore::~EventStore() { hub_->StopAll(); }

std::unique_ptr<EventCursor> EventStore::NewCursor(Offset begin, std::optional<Offset> end) const {
  return std::make_unique<ChunkedCursor>(this, begin, end.value_or(Length()));
}

SubscriptionId EventStore::Subscribe(EventCallback callback) {
  return hub_->Start(Length(), std::move(callback));
}

SubscriptionId EventStore::SubscribeFrom(Offset from, EventCallback callback) {
  return hub_->Start(from, std::move(callback));
}

Status EventStore::Unsubscribe(SubscriptionId id) { return hub_->Stop(id); }

Status EventStore::SubscriptionError(SubscriptionId id) const { return hub_->Error(id); }

Status EventStore::WaitForDelivery(SubscriptionId id, Offset offset) const {
  return hub_->WaitFor(id, offset);
}

void EventStore::NotifyAppended() { hub_->Notify(); }

void EventStore::StopSubscriptions() { hub_->StopAll(); }

Hash256 NextChain(const Hash256& previous, const EventId& id) {
  std::array<uint8_t, 64> buf;
  std::copy(previous.bytes.begin(), previous.bytes.end(), buf.begin());
  std::copy(id.bytes.begin(), id.bytes.end(), buf.begin() + 32);
  return Keccak256(std::span<const uint8_t>(buf));
}

}  // namespace statelog
