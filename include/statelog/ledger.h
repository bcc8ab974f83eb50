// Ledger: statelog's domain API. Every event appended through it is checked first, so the log it
// writes holds only provable, legal history:
//   - Nitro content (CheckEventProof, statelog/nitro.h): a channel_created id is the Nitro id of
//     its fixed part; a signed state's hash is the recomputed StateHash and its signature recovers
//     to `signer`; a voucher's signature recovers to `signer`.
//   - Legality (statelog/fold.h): the event applies to the current state of its entity (signer a
//     participant, completed only after approved, no deposit after conclusion, ...).
// A refused event is an error (InvalidArgument for a bad proof, FailedPrecondition for illegal
// history, with Status::index() naming the event of a batch) and the log is unchanged.
//
// Several writers (threads, or processes sharing a PostgreSQL log, each with its own Ledger):
// legality is decided against the state at a known log position, and the events are appended
// with that decision's expectation, the versions of the channel and objective streams they touch
// (statelog/log.h). If another writer changed one of those entities first, the append is refused
// (Conflict) and the Ledger catches up, decides again and retries, up to
// LedgerOptions::max_attempts times; after that it returns Conflict. An append that loses a race
// therefore gets a legality error (the winner made it illegal) or a Conflict, never a log that
// holds both sides. Appends the caller gives expectations of its own are not retried: their
// Conflict is the caller's to handle.
//
// After an append, a snapshot is taken when one is due; of several writers, at most one takes it
// per interval (docs/snapshot-format.md, "Creation").
//
// Thread-safe. An interface, as statelog::DB (statelog/db.h) is; DB opens one for its store.
#ifndef STATELOG_LEDGER_H_
#define STATELOG_LEDGER_H_

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "statelog/fold.h"
#include "statelog/snapshot.h"
#include "statelog/snapshot_store.h"
#include "statelog/store.h"

namespace statelog {

struct LedgerOptions {
  SnapshotOptions snapshots;
  // How many times a checked append is decided and tried when other writers keep changing the
  // entities it touches (at least 1).
  int max_attempts = 16;
  // Threads that check the proofs (signature recoveries) of a batch and look its events up in
  // the log; 0: one per core. The legality of the batch is decided in order, on the calling
  // thread, and the first refused event in batch order is the one reported.
  unsigned proof_threads = 0;
  // The node the log belongs to (docs/architecture/nitro-rules.md). An empty log is created for
  // it: its first event, log_created, records the node and kCurrentRuleSet, whose rules every
  // later append is checked against. A log that is not empty must belong to this node:
  // FailedPrecondition naming both otherwise, and for a log of rule set statelog-1, which records
  // no node. nullopt opens a log as it is; an empty one then stays without a node, under rule set
  // statelog-1.
  std::optional<Address> node = std::nullopt;
  // The timestamp of the log_created event a new log gets; 0: the time of the call.
  Timestamp created_at = 0;
};

struct ReadOptions {
  // The state after the event at this offset (time travel); nullopt: the log's current end.
  std::optional<Offset> as_of;
};

class Ledger {
 public:
  // Opens the domain API over `store` and `snapshots` (neither owned; both must outlive the
  // Ledger). The state cache starts from the latest usable snapshot and folds the rest.
  static StatusOr<std::unique_ptr<Ledger>> Open(EventStore* store, SnapshotStore* snapshots,
                                                LedgerOptions options = {});
  virtual ~Ledger() = default;

  // Checks `event` and appends it. An event already in the log returns its original offset with
  // appended == false, without checks beyond its id (an idempotent retry; an event whose id does
  // not hash from its content is InvalidArgument, never a retry). `options` adds the caller's own
  // expectations (see above).
  virtual StatusOr<AppendResult> Append(const Event& event, const AppendOptions& options = {}) = 0;
  // Checks every event against the state left by the ones before it, then appends them all or
  // none. Errors about one event start "event I (type): " and have I in Status::index().
  virtual StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events,
                                                          const AppendOptions& options = {}) = 0;

  // Reads. Without `as_of`, from the state cache (current: it first folds what the log holds
  // beyond it); with it, reconstructed from the log (entity reads go through the stream index,
  // View() starts from the latest usable snapshot at or before it).
  // NotFound when the entity has no event (as of that offset); OutOfRange past the log.
  virtual StatusOr<ObjectiveState> Objective(const ObjectiveId& id,
                                             const ReadOptions& options = {}) = 0;
  virtual StatusOr<ChannelState> Channel(const ChannelId& id, const ReadOptions& options = {}) = 0;
  virtual StatusOr<NodeView> View(const ReadOptions& options = {}) = 0;

  // The node the log belongs to and the rules it is checked under (its first event).
  virtual StatusOr<LogIdentity> Identity() = 0;

  // The log, read-only: appends go through the checks above.
  virtual const EventStore& log() const = 0;

  // Takes a snapshot of the current view now, whether or not one is due. Returns the offset of
  // its snapshot_created event.
  virtual StatusOr<Offset> TakeSnapshot(Timestamp now) = 0;
  // The outcome of the last attempt to take or use a snapshot (OK when all went well): a
  // failed snapshot, or one refused at Open because it does not match the log. Either loses
  // nothing: snapshots are only a cache, and the state is folded from the log instead.
  virtual Status snapshot_status() const = 0;
};

}  // namespace statelog

#endif  // STATELOG_LEDGER_H_
