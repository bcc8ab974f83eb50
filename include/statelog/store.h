// EventStore: the append-only event log every backend implements (memory, RocksDB, PostgreSQL).
//
// The log is a dense sequence of events at offsets 0, 1, 2, ... Each stored event also records
// its hash-chain value, chain[i] = keccak256(chain[i-1] || id[i]) with chain[-1] = 32 zero bytes,
// so the head's chain value commits to the whole history.
//
// Thread safety: every method may be called concurrently from any thread. Reads never observe a
// half-written event; an event is visible to readers only once Length() covers it.
// Reads return copies (StoredEvent by value): they stay valid for as long as the caller keeps
// them, whatever the store does next. The memory backend also offers stable references
// (statelog/memory_store.h).
#ifndef STATELOG_STORE_H_
#define STATELOG_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "statelog/event.h"
#include "statelog/status.h"

namespace statelog {

class SubscriptionHub;

struct StoredEvent {
  Offset offset = 0;
  Hash256 chain;  // hash-chain value after this event
  Event event;
  friend bool operator==(const StoredEvent&, const StoredEvent&) = default;
};

struct AppendResult {
  Offset offset = 0;
  // False when an event with the same id was already in the log: nothing was appended and
  // `offset` is the original event's offset (an idempotent retry).
  bool appended = true;
  friend bool operator==(const AppendResult&, const AppendResult&) = default;
};

// The log's length and the chain value of its last event (zero bytes for an empty log).
struct ChainHead {
  uint64_t length = 0;
  Hash256 chain;
  friend bool operator==(const ChainHead&, const ChainHead&) = default;
};

using SubscriptionId = uint64_t;
// Called once per event, in offset order, on the subscription's own delivery thread.
// The reference is valid only during the call. A callback that throws stops its subscription
// (SubscriptionError() then names the offset and the exception); other subscriptions go on.
using EventCallback = std::function<void(const StoredEvent&)>;

// Forward cursor over a range of the log, LevelDB style:
//   for (auto c = store.NewCursor(0); c->Valid(); c->Next()) use(c->event());
//   if (!c->status().ok()) ...
class EventCursor {
 public:
  virtual ~EventCursor() = default;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid(). The reference is valid until the next call to Next() or destruction.
  virtual const StoredEvent& event() const = 0;
  // OK unless reading failed; a cursor that ran into an error is not Valid().
  virtual Status status() const = 0;
};

class EventStore {
 public:
  EventStore();
  virtual ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends `event` atomically at offset Length() and returns it. Checks, leaving the log
  // unchanged on failure:
  //   - the id equals the id computed from the content (InvalidArgument);
  //   - the timestamp is not earlier than the last event of the same channel or objective
  //     (FailedPrecondition). The global order is the offset; different entities never conflict.
  // An event whose id is already in the log appends nothing and returns the original offset with
  // appended == false.
  virtual StatusOr<AppendResult> Append(const Event& event) = 0;

  // Appends all of `events` at consecutive offsets, or none of them. Duplicates of events already
  // in the log are reported with appended == false; a duplicate within `events` is an error.
  virtual StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events) = 0;

  // Returns the number of events in the log.
  virtual uint64_t Length() const = 0;
  // Returns the length and chain value of the head, consistently with each other.
  virtual ChainHead Head() const = 0;

  // Returns the event at `offset`; OutOfRange when offset >= Length().
  virtual StatusOr<StoredEvent> Read(Offset offset) const = 0;
  // Replaces *out with the events at [begin, end). OutOfRange when end > Length() or begin > end.
  virtual Status ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const = 0;
  // Returns a cursor over [begin, end); end defaults to the length at the time of the call.
  virtual std::unique_ptr<EventCursor> NewCursor(Offset begin,
                                                 std::optional<Offset> end = std::nullopt) const;

  // Returns the offset of the event with `id`, or nullopt.
  virtual std::optional<Offset> Find(const EventId& id) const = 0;
  // Returns, in increasing order, the offsets below `before` of the channel's events
  // (Event::channel() == id). Cost is proportional to the channel's events, not the log.
  virtual std::vector<Offset> ChannelOffsets(const ChannelId& id, Offset before) const = 0;
  // Same for an objective's events (Event::objective() == id).
  virtual std::vector<Offset> ObjectiveOffsets(const ObjectiveId& id, Offset before) const = 0;

  // Subscriptions. Each subscription has its own delivery thread that tails the log by offset
  // (through Length() and ReadRange()), so every backend gets the same semantics. An append only
  // signals a condition variable (one futex wake if a delivery thread sleeps); it never runs a
  // callback and never waits for a subscriber. A slow subscriber therefore adds nothing to append
  // latency: it just lags, and its backlog is the log itself (no per-subscriber queue grows).
  // Callbacks of different subscriptions run concurrently; one subscription's callbacks never
  // overlap. Unsubscribing or waiting on one another from inside callbacks can deadlock.

  // Subscribes to every event appended from now on (from Length() at the time of the call),
  // exactly once, in offset order.
  SubscriptionId Subscribe(EventCallback callback);
  // Catch-up subscription: delivers the events from `from` (history first, then live events as
  // they are appended) with no gap and no duplicate. `from` may exceed Length(): delivery then
  // starts when the log reaches it.
  SubscriptionId SubscribeFrom(Offset from, EventCallback callback);
  // Stops a subscription and joins its delivery thread. On return the callback is not running and
  // will not run again. Idempotent; NotFound for an unknown id. Must not be called from inside
  // that subscription's own callback (returns FailedPrecondition).
  Status Unsubscribe(SubscriptionId id);
  // Returns OK while the subscription runs (or ended by Unsubscribe); the error that stopped it
  // otherwise (a throwing callback, a read error); NotFound for an unknown id.
  Status SubscriptionError(SubscriptionId id) const;
  // Blocks until subscription `id` has delivered every event below `offset` or has stopped.
  // Returns the subscription's status. Useful in tests and at shutdown.
  Status WaitForDelivery(SubscriptionId id, Offset offset) const;

 protected:
  // Backends call this after new events became visible to readers (Length() grew).
  void NotifyAppended();
  // Backends call this at the start of their destructor, before their own members are destroyed:
  // it stops and joins every subscription's delivery thread (so no callback runs afterwards and
  // later Subscribe calls give subscriptions stopped with Aborted). Must not be called from a
  // callback.
  void StopSubscriptions();

 private:
  std::unique_ptr<SubscriptionHub> hub_;
};

// Returns the chain value that follows `previous` for an event with `id`.
Hash256 NextChain(const Hash256& previous, const EventId& id);

}  // namespace statelog

#endif  // STATELOG_STORE_H_
