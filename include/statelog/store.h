// EventStore: the log of Nitro events, on top of the generic log core (statelog/log.h).
//
// This is the Nitro layer of the log: it maps each event to a record (its id, timestamp and
// canonical JSON, statelog/codec.h) and to the streams it belongs to: its channel
// (ChannelStream), its objective (ObjectiveStream), and, for snapshot_created, the snapshot
// stream. Everything else (id checks, per-stream ordering, expected-version appends, the hash
// chain, group commit, subscriptions) is the core's, written once for every backend: memory
// (statelog/memory_store.h), RocksDB (statelog/rocksdb_store.h), PostgreSQL
// (statelog/postgres_store.h).
//
// The log is a dense sequence of events at offsets 0, 1, 2, ... Each stored event also records
// its hash-chain value, chain[i] = keccak256(chain[i-1] || id[i]) with chain[-1] = 32 zero bytes,
// so the head's chain value commits to the whole history.
//
// Errors: every method that can do I/O returns Status or StatusOr; an error is never turned into
// an answer (an absent id, an empty offset list, a stale head).
//
// Thread safety: every method may be called concurrently from any thread. Reads never observe a
// half-written event; an event is visible to readers only once the head covers it. Reads return
// copies (StoredEvent by value): they stay valid for as long as the caller keeps them.
#ifndef STATELOG_STORE_H_
#define STATELOG_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "statelog/event.h"
#include "statelog/log.h"
#include "statelog/status.h"

namespace statelog {

class LogBackend;

struct StoredEvent {
  Offset offset = 0;
  Hash256 chain;  // hash-chain value after this event
  Event event;
  friend bool operator==(const StoredEvent&, const StoredEvent&) = default;
};

// Called once per event, in offset order, on the subscription's own delivery thread (see
// Log::SubscribeFrom). The reference is valid only during the call.
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

// The stream keys of the Nitro layer (opaque to the core): "c" || channel id (33 bytes),
// "o" || kind || channel id (34 bytes), "s" for snapshot_created and "i" for store_imported events.
std::string ChannelStream(const ChannelId& id);
std::string ObjectiveStream(const ObjectiveId& id);
std::string SnapshotStream();
std::string ImportStream();
// The streams `event` belongs to, in that order.
std::vector<std::string> EventStreams(const Event& event);

// The record format of Nitro events: canonical JSON payloads, ids checked by recomputation.
const RecordFormat& EventRecordFormat();

// Events imported from another system's store: a store_imported event and the events it
// announces, history statelog did not record as it happened (docs/migrating-from-go-nitro.md).
struct ImportedRange {
  Offset offset = 0;    // of the store_imported event
  uint64_t events = 0;  // at offsets [offset + 1, offset + 1 + events)
  std::string source;   // e.g. "go-nitro"
  Address node;
  size_t files = 0;
  bool Contains(Offset o) const { return o > offset && o - offset <= events; }
  friend bool operator==(const ImportedRange&, const ImportedRange&) = default;
};

// Where a durable store's bytes are (DB::disk_usage, `statelog stats`): the backend's own
// accounting, approximate for RocksDB (table files are measured by key range, compressed).
struct DiskUsage {
  uint64_t events = 0;       // the event records
  uint64_t indexes = 0;      // the event-id and stream indexes
  uint64_t tree = 0;         // the Merkle tree's stored hashes
  uint64_t snapshots = 0;    // the stored snapshots
  uint64_t checkpoints = 0;  // the kept signed checkpoints
  uint64_t logs = 0;         // RocksDB: write-ahead logs (appends not yet in table files)
  // All the store occupies: the parts above and the rest (the tables' block indexes and filters,
  // RocksDB's manifest and info logs, PostgreSQL's other tables).
  uint64_t total = 0;

  // The parts by name ("events", "indexes", "tree", "snapshots", "checkpoints", "logs"), in
  // that order: the names `statelog stats` and /metrics use.
  std::vector<std::pair<const char*, uint64_t>> Parts() const {
    return {{"events", events},       {"indexes", indexes},         {"tree", tree},
            {"snapshots", snapshots}, {"checkpoints", checkpoints}, {"logs", logs}};
  }
};

// What a salvage of a damaged store found and did (RepairStore in statelog/db.h).
struct RepairReport {
  bool repaired = false;           // false: the store opened cleanly and was left unchanged
  std::string damage;              // why it did not open (Status::ToString())
  uint64_t kept = 0;               // the log now holds offsets [0, kept)
  uint64_t acknowledged = 0;       // the length the store had acknowledged (0: unknown)
  std::string moved_to;            // the directory holding the files set aside
  std::vector<std::string> moved;  // "<name> (<bytes> bytes)" for each file moved or copied
  std::vector<std::string> cut;    // "<name> at byte N" for each write-ahead log cut short
};

class EventStore {
 public:
  // Opens the Nitro layer over `backend`, which must hold (or be about to hold) Nitro events.
  static StatusOr<std::unique_ptr<EventStore>> Open(std::unique_ptr<LogBackend> backend);
  explicit EventStore(std::unique_ptr<Log> log);
  virtual ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends `event` at the end of the log (Log::Append). Checks, leaving the log unchanged on
  // failure: the id equals the id computed from the content (InvalidArgument); `options`'
  // expectations (Conflict); the timestamp is not earlier than the last event of the same
  // channel or objective (FailedPrecondition). An event whose id is already in the log appends
  // nothing and returns the original offset with appended == false.
  StatusOr<AppendResult> Append(const Event& event, const AppendOptions& options = {});
  // Appends all of `events` at consecutive offsets, or none of them. Errors about one event have
  // its index in Status::index() and start "batch event I: ". Duplicates of events already in
  // the log are reported with appended == false; a duplicate within `events` is an error.
  StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events,
                                                  const AppendOptions& options = {});

  // Returns the length and chain value of the head, consistently with each other.
  StatusOr<ChainHead> Head() const;
  // Returns the number of events in the log.
  StatusOr<uint64_t> Length() const;

  // Returns the event at `offset`; OutOfRange when offset >= the length.
  virtual StatusOr<StoredEvent> Read(Offset offset) const;
  // Replaces *out with the events at [begin, end). OutOfRange when end > length or begin > end.
  virtual Status ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const;
  // Returns a cursor over [begin, end); end defaults to the length at the time of the call.
  virtual std::unique_ptr<EventCursor> NewCursor(Offset begin,
                                                 std::optional<Offset> end = std::nullopt) const;

  // Calls fn(offset, event) for each event of [begin, end) in order and returns the first error fn
  // returns (stopping there), or a read error. The event is valid only during the call. Where the
  // backend holds its events in memory they are lent, not copied (a fold of the memory store
  // copies nothing it does not keep). OutOfRange when begin > end or end > the length.
  virtual Status Scan(Offset begin, Offset end,
                      const std::function<Status(Offset, const Event&)>& fn) const;

  // Returns the offset of the event with `id`, or nullopt.
  StatusOr<std::optional<Offset>> Find(const EventId& id) const;
  // Returns Find() of each of `ids`, in order, looked up together (Log::FindMany).
  StatusOr<std::vector<std::optional<Offset>>> FindMany(std::span<const EventId> ids) const;
  // Returns, in increasing order, the offsets below `before` of the channel's events
  // (Event::channel() == id). Cost is proportional to the channel's events, not the log.
  StatusOr<std::vector<Offset>> ChannelOffsets(const ChannelId& id, Offset before) const;
  // Same for an objective's events (Event::objective() == id).
  StatusOr<std::vector<Offset>> ObjectiveOffsets(const ObjectiveId& id, Offset before) const;

  // Returns the store_imported events below `before` and the ranges they announce, in order.
  StatusOr<std::vector<ImportedRange>> Imports(Offset before) const;

  // Subscriptions (Log::SubscribeFrom for the semantics).
  // Subscribes to every event appended from now on (from the length at the time of the call).
  StatusOr<SubscriptionId> Subscribe(EventCallback callback);
  // Catch-up subscription: the events from `from` on, history first, no gap, no duplicate;
  // `options`: what it does while the store is unreachable.
  SubscriptionId SubscribeFrom(Offset from, EventCallback callback, SubscribeOptions options = {});
  Status Unsubscribe(SubscriptionId id);
  Status SubscriptionError(SubscriptionId id) const;
  Status WaitForDelivery(SubscriptionId id, Offset offset) const;

  // The generic log underneath.
  Log& log() { return *log_; }
  const Log& log() const { return *log_; }

 private:
  std::unique_ptr<Log> log_;
};

}  // namespace statelog

#endif  // STATELOG_STORE_H_
