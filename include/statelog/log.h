// Log: statelog's generic append-only log core (docs/adr/0008-log-core.md). It knows nothing of
// Nitro: a record is an id, a timestamp, the streams it belongs to and an opaque payload. The
// layer above (statelog/store.h for Nitro events) decides what those are.
//
// The core owns, once for every backend:
//   - the id check (through the RecordFormat of the layer above) and idempotent retries: a record
//     whose id is already in the log is not appended again;
//   - per-stream ordering: a record's timestamp is not earlier than the previous record of any
//     of its streams;
//   - optimistic concurrency: an append may state the log's length and/or the versions of named
//     streams it was decided against (AppendOptions); a mismatch is a Conflict;
//   - the hash chain: chain[i] = keccak256(chain[i-1] || id[i]), chain[-1] = 32 zero bytes;
//   - group commit: concurrent appenders share one backend write;
//   - subscriptions.
// A LogBackend (statelog/log_backend.h) only stores: it appends a staged batch atomically at an
// expected head, reads ranges, lists a stream's offsets, finds an id and reads the head.
//
// Errors: every operation that can do I/O returns Status or StatusOr. A transient error (IOError,
// Busy) is returned to the caller and leaves nothing behind: the next call works once the fault
// clears. Only Corruption is sticky in the sense that the data stays damaged.
//
// Thread safety: every method may be called concurrently from any thread.
#ifndef STATELOG_LOG_H_
#define STATELOG_LOG_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/bytes.h"
#include "statelog/status.h"

namespace statelog {

namespace tlog {
class HashReader;
}  // namespace tlog

// Microseconds since the Unix epoch, UTC.
using Timestamp = int64_t;
// Position of a record in the log; dense from 0.
using Offset = uint64_t;
// A record's id: 32 bytes fixed by the layer above (for Nitro events, keccak256 of the content).
using RecordId = FixedBytes<32>;

// Stream keys are opaque byte strings of 1 to kMaxStreamKeySize bytes. A stream's version is the
// number of its records: 0 before its first record.
inline constexpr size_t kMaxStreamKeySize = 64;

// A record's content, owned by the layer above. Immutable once appended; shared, never copied,
// by the memory backend, and encoded by the durable ones.
class RecordPayload {
 public:
  virtual ~RecordPayload() = default;
  // Returns the bytes a durable backend stores. RecordFormat::Decode of them gives back a record
  // equal to the one appended. Called from several threads at once (for different records).
  virtual std::string Encode() const = 0;
};

struct Record {
  RecordId id;
  Timestamp timestamp = 0;
  std::vector<std::string> streams;  // distinct keys, each 1..kMaxStreamKeySize bytes
  std::shared_ptr<const RecordPayload> payload;
};

// What the layer above tells the core about its records. Its methods are called from several
// threads at once (a batch's ids are checked on every core).
class RecordFormat {
 public:
  virtual ~RecordFormat() = default;
  // OK when `record.id` is the id of its content; InvalidArgument naming both ids otherwise.
  virtual Status CheckId(const Record& record) const = 0;
  // CheckId() given `encoded`, the bytes record.payload->Encode() returned (a backend that stores
  // encoded records has the core encode each one before its check): a format whose id hashes
  // those bytes, or a part of them, need not encode the content again. The same answer as
  // CheckId(record) is required. The default calls CheckId(record).
  virtual Status CheckEncodedId(const Record& record, std::string_view encoded) const;
  // Rebuilds a record (id, timestamp, streams, payload) from the bytes Encode() wrote. Does not
  // recompute the id (the bytes were checked when appended). Errors name what is wrong.
  virtual Status Decode(std::string_view bytes, Record* out) const = 0;
  // Names `stream` in error messages (e.g. "channel 0x12.."). The default: "stream 0x<hex>".
  virtual std::string StreamName(std::string_view stream) const;
};

struct StoredRecord {
  Offset offset = 0;
  Hash256 chain;  // hash-chain value after this record
  Record record;
};

// The log's length and the chain value of its last record (zero bytes for an empty log).
struct ChainHead {
  uint64_t length = 0;
  Hash256 chain;
  friend bool operator==(const ChainHead&, const ChainHead&) = default;
};

// Returns the chain value that follows `previous` for a record with `id`.
Hash256 NextChain(const Hash256& previous, const RecordId& id);

struct StreamExpectation {
  std::string stream;
  uint64_t version = 0;  // the stream holds exactly this many records
  friend bool operator==(const StreamExpectation&, const StreamExpectation&) = default;
};

// Optimistic concurrency: what the caller decided its append against. Every expectation is
// checked at the position the append's records would take, atomically with the append: on a
// mismatch nothing is written (the log stays byte-identical) and the append fails with Conflict,
// whose message names the expectation and what the log holds.
//
// An append whose records are all in the log already is an idempotent retry: it returns their
// offsets with appended == false and checks no expectation (the retry of an append whose
// acknowledgement was lost succeeds as the original did).
struct AppendOptions {
  // The log holds exactly this many records before the first new one.
  std::optional<uint64_t> expected_length;
  // Each named stream holds exactly this many records before the first new one.
  std::vector<StreamExpectation> expected_streams;
};

struct AppendResult {
  Offset offset = 0;
  // False when a record with the same id was already in the log: nothing was appended for it and
  // `offset` is the original's offset.
  bool appended = true;
  friend bool operator==(const AppendResult&, const AppendResult&) = default;
};

// Forward cursor over a range of the log, LevelDB style:
//   for (auto c = log.NewCursor(0); c->Valid(); c->Next()) use(c->record());
//   if (!c->status().ok()) ...
class RecordCursor {
 public:
  virtual ~RecordCursor() = default;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid(). The reference is valid until the next call to Next() or destruction.
  virtual const StoredRecord& record() const = 0;
  // REQUIRES: Valid(). Returns the current record, moved out of the cursor where it owns it (then
  // record() is unspecified until Next()); the default returns a copy.
  virtual StoredRecord TakeRecord() { return record(); }
  // OK unless reading failed; a cursor that ran into an error is not Valid().
  virtual Status status() const = 0;
};

using SubscriptionId = uint64_t;
// Called once per record, in offset order, on the subscription's own delivery thread. The
// reference is valid only during the call. A callback that throws stops its subscription
// (SubscriptionError() then names the offset and the exception); other subscriptions go on.
using RecordCallback = std::function<void(const StoredRecord&)>;

// A change of a subscription's state, reported to SubscribeOptions::on_state.
struct SubscriptionState {
  enum Kind {
    kUnreachable,  // a read failed because the store cannot be reached; retrying
    kReachable,    // a read succeeded again after kUnreachable; delivery goes on from `next`
    kStopped,      // the subscription stopped on an error (`error`, as SubscriptionError())
  };
  Kind kind = kUnreachable;
  // kUnreachable, kReachable: when the outage began (its first failed read), microseconds since
  // the Unix epoch.
  Timestamp since = 0;
  // kUnreachable: the failed read; kStopped: why the subscription stopped; OK for kReachable.
  Status error;
  // The offset of the next record to deliver: every record below it was delivered.
  Offset next = 0;
};

// How a subscription rides through an outage of its store: a read that fails because the store
// cannot be reached (Status::unreachable(): a PostgreSQL server down, restarting or failing over)
// is retried, and the subscription goes on where it was, with no gap and no duplicate, once the
// store answers. Any other read error stops the subscription at once.
struct SubscribeOptions {
  // How long the store may stay unreachable before the subscription stops with the last failed
  // read's error (its message says since when); nullopt: retry without end. Zero: stop at the
  // first failed read. Default: 60 s.
  std::optional<std::chrono::milliseconds> reconnect_timeout = std::chrono::seconds(60);
  // Called on the delivery thread, never concurrently with the record callback, when the store
  // becomes unreachable, when it answers again, and when the subscription stops on an error. May
  // be empty. Must not unsubscribe or wait on its own subscription.
  std::function<void(const SubscriptionState&)> on_state;
};

// A signed checkpoint the log keeps (docs/adr/0016-merkle-tree-and-checkpoints.md, "Key handling
// and kept checkpoints"): its number among the log's kept checkpoints (0 for the first, then 1,
// 2, ... in the order they were signed), the tree size it is a checkpoint of, and the signed note
// (docs/tlog-format.md, "Checkpoints"), byte for byte as it was signed.
struct KeptCheckpoint {
  uint64_t number = 0;
  uint64_t size = 0;
  std::string note;
  friend bool operator==(const KeptCheckpoint&, const KeptCheckpoint&) = default;
};

class LogBackend;
class SubscriptionHub;

class Log {
 public:
  // Opens the core over `backend`, whose records are in `format` (must outlive the Log).
  // Reads the backend's head; errors are the backend's.
  static StatusOr<std::unique_ptr<Log>> Open(std::unique_ptr<LogBackend> backend,
                                             const RecordFormat* format);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends `records` at consecutive offsets, all or none, after checking, in this order:
  //   - every id (RecordFormat::CheckId) and stream key; no id twice in `records`
  //     (InvalidArgument, index() = the record);
  //   - idempotent retries (see AppendOptions);
  //   - `options`' expectations (Conflict);
  //   - per-stream ordering: no record earlier than the previous record of one of its streams
  //     (FailedPrecondition, index() = the record).
  // Returns one result per record. Errors from the backend (IOError, Busy, ...) are returned as
  // they are; the append then may or may not have happened only if the message says so (a broken
  // connection during commit): retrying is safe.
  StatusOr<std::vector<AppendResult>> Append(std::span<const Record> records,
                                             const AppendOptions& options = {});

  // The log's head. With a backend shared by several processes this reads the backend.
  StatusOr<ChainHead> Head() const;
  // The length of the longest head this process knows is committed (appended or read), without
  // I/O and without a lock: every record below it is readable. For a backend no other process
  // writes, Head().length.
  uint64_t KnownLength() const;
  // Returns the record at `offset`; OutOfRange when offset >= the length.
  StatusOr<StoredRecord> Read(Offset offset) const;
  // Replaces *out with the records at [begin, end). OutOfRange when end > length or begin > end.
  Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const;
  // Returns a cursor over [begin, end); end defaults to the length at the time of the call (a
  // cursor whose head read failed is not Valid() and has that status).
  std::unique_ptr<RecordCursor> NewCursor(Offset begin,
                                          std::optional<Offset> end = std::nullopt) const;
  // Returns the offset of the record with `id`, or nullopt.
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const;
  // Returns Find() of each of `ids`, in order, looked up together: one batched lookup where the
  // backend has one (LogBackend::FindMany), e.g. one query on PostgreSQL instead of one per id.
  StatusOr<std::vector<std::optional<Offset>>> FindMany(std::span<const RecordId> ids) const;
  // Returns, in increasing order, the offsets below `before` of `stream`'s records. Cost is
  // proportional to the stream's records, not the log.
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream, Offset before) const;
  // Returns the number of records of `stream` (its version).
  StatusOr<uint64_t> StreamVersion(std::string_view stream) const;

  // Subscriptions. Each subscription has its own delivery thread that tails the log by offset, so
  // every backend gets the same semantics. An append only signals a condition variable; it never
  // runs a callback and never waits for a subscriber: a slow subscriber only lags.
  // Callbacks of different subscriptions run concurrently; one subscription's callbacks never
  // overlap. Unsubscribing or waiting on one another from inside callbacks can deadlock.
  // A read error stops the subscription with that error (SubscriptionError()), unless the store
  // was unreachable: then the read is retried (SubscribeOptions).

  // Delivers the records from `from` (history first, then live records) with no gap and no
  // duplicate. `from` may exceed the length: delivery then starts when the log reaches it.
  // `options` say how long it retries while the store is unreachable and whom it tells.
  SubscriptionId SubscribeFrom(Offset from, RecordCallback callback, SubscribeOptions options = {});
  // Stops a subscription and joins its delivery thread. On return the callback is not running
  // and will not run again. NotFound for an unknown id; FailedPrecondition from inside that
  // subscription's own callback.
  Status Unsubscribe(SubscriptionId id);
  // OK while the subscription runs (or ended by Unsubscribe); the error that stopped it
  // otherwise; NotFound for an unknown id.
  Status SubscriptionError(SubscriptionId id) const;
  // Blocks until subscription `id` has delivered every record below `offset` or has stopped.
  // Returns the subscription's status.
  Status WaitForDelivery(SubscriptionId id, Offset offset) const;

  const RecordFormat& format() const;

  // The log's Merkle tree (docs/adr/0016-merkle-tree-and-checkpoints.md), when its backend keeps
  // one (LogBackend::keeps_tree), else nullptr: a reader of its stored hashes, for
  // tlog::TreeHash, ProveInclusion and ProveConsistency at any size up to the head. Leaf i is
  // the encoded payload of the record at offset i. Valid as long as the Log.
  const tlog::HashReader* tree() const;
  // Recomputes the tree of the first `length` records from their encoded payloads and compares
  // every stored hash with it: one pass over the records, two SHA-256 per record. OK when the
  // backend keeps no tree. Corruption naming the first stored hash (level, n) that differs and
  // the records it covers; *first_bad (when given) is then the first of those records.
  Status VerifyTree(uint64_t length, Offset* first_bad = nullptr) const;

  // The signed checkpoints the log keeps (LogBackend::keeps_checkpoints). The log keeps them
  // only: what is signed, and that each extends the one before, is checked by the caller that
  // signs (statelog/kept_checkpoint.h), before it keeps one.
  bool keeps_checkpoints() const;
  // The latest kept checkpoint (the highest number), or nullopt when none was kept.
  // NotSupported when the backend keeps none.
  StatusOr<std::optional<KeptCheckpoint>> LatestCheckpoint() const;
  // Keeps `checkpoint`, whose number must be one more than the latest kept one's (0 for the
  // first): Conflict, keeping nothing, when another was kept since the caller read the latest.
  // InvalidArgument when its size exceeds the log's length; NotSupported when the backend keeps
  // no checkpoints.
  Status KeepCheckpoint(const KeptCheckpoint& checkpoint);

 private:
  class Impl;
  explicit Log(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace statelog

#endif  // STATELOG_LOG_H_
