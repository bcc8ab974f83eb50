// Ledger: statelog's domain API. Every event appended through it is checked first, so the log it
// writes holds only provable, legal history:
//   - Nitro content (CheckEventProof): a channel_created id is the Nitro id of its fixed part; a
//     signed state's hash is the recomputed StateHash and its signature recovers to `signer`; a
//     voucher's signature recovers to `signer`.
//   - Legality (statelog/fold.h): the event applies to the current state of its entity (signer
//     a participant, completed only after approved, no deposit after conclusion, ...).
// A refused event is an error (InvalidArgument for a bad proof, FailedPrecondition for illegal
// history) and the log is unchanged. After an append, a snapshot is taken when one is due.
//
// Thread-safe: appends through one Ledger are serialized; reads go through the cache. The checks
// assume the Ledger is the only writer of the log: events appended to the store directly are not
// checked (`statelog verify` re-checks a whole log).
#ifndef STATELOG_LEDGER_H_
#define STATELOG_LEDGER_H_

#include <memory>
#include <mutex>
#include <span>

#include "statelog/reconstruct.h"
#include "statelog/snapshot.h"
#include "statelog/store.h"

namespace statelog {

// Checks the Nitro content of one event, independent of any state (see above). Message, objective
// and snapshot events have nothing to check. Costs one signature recovery for signed events.
Status CheckEventProof(const Event& event);

struct LedgerOptions {
  SnapshotOptions snapshots;
};

class Ledger {
 public:
  // Opens the domain API over `store` and `snapshots` (neither owned; both must outlive the
  // Ledger). The state cache starts from the latest usable snapshot and folds the rest.
  static StatusOr<std::unique_ptr<Ledger>> Open(EventStore* store, SnapshotStore* snapshots,
                                                LedgerOptions options = {});
  ~Ledger();

  // Checks `event` and appends it. An event already in the log returns its original offset with
  // appended == false, without checks (an idempotent retry).
  StatusOr<AppendResult> Append(const Event& event);
  // Checks every event against the state left by the ones before it, then appends them all or
  // none.
  StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events);

  // The outcome of the last attempt to take or use a snapshot (OK when all went well): a
  // failed snapshot, or one refused at Open because it does not match the log. Either loses
  // nothing: snapshots are only a cache, and the state is folded from the log instead.
  Status snapshot_status() const;

  EventStore& store() { return *store_; }
  StateCache& cache() { return *cache_; }
  const Reconstructor& reconstructor() const { return reconstructor_; }
  SnapshotManager& snapshots() { return snapshot_manager_; }

 private:
  Ledger(EventStore* store, SnapshotStore* snapshots, LedgerOptions options);
  Status MaybeSnapshot(Timestamp now);
  StatusOr<std::vector<AppendResult>> AppendChecked(std::span<const Event> events,
                                                    bool name_events);
  static Status CheckLegal(const NodeView& view, std::span<const Event> events,
                           const std::vector<std::optional<Offset>>& existing);

  EventStore* store_;
  SnapshotManager snapshot_manager_;
  Reconstructor reconstructor_;
  std::unique_ptr<StateCache> cache_;
  std::mutex append_mu_;  // serializes checked appends
  mutable std::mutex snapshot_mu_;
  Status snapshot_status_;  // guarded by snapshot_mu_
};

}  // namespace statelog

#endif  // STATELOG_LEDGER_H_
