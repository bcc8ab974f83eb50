// Verification of a whole log: what `statelog verify` runs.
//
// Checks, for every event: its offset, its id (recomputed from the content), its hash-chain value
// (keccak256(previous chain || id)), its Nitro proof (state hashes, signatures; CheckEventProof),
// and the legality of the history (the fold); every stored snapshot against the log and the fold;
// the Merkle tree, when the store keeps one, against the events (Log::VerifyTree); and, when
// given, the head against a trusted head value kept elsewhere. The per-event checks run
// on every core; the fold runs once, in order.
//
// What it proves: the log is internally consistent and every signed state and voucher was signed
// by a participant. Without a trusted head it cannot tell a log from a consistent rewrite of it
// (docs/adr/0005-hashes-and-signatures.md).
#ifndef STATELOG_VERIFY_H_
#define STATELOG_VERIFY_H_

#include <functional>
#include <optional>
#include <vector>

#include "statelog/fold.h"
#include "statelog/snapshot_store.h"
#include "statelog/store.h"

namespace statelog {

struct VerifyOptions {
  // Threads for the per-event checks; 0 means one per core.
  unsigned threads = 0;
  // A head value kept outside the log (e.g. published or stored elsewhere). When set, the log
  // must be exactly as long as it and end in its chain value... or extend it: `allow_growth`.
  std::optional<ChainHead> trusted_head = std::nullopt;
  bool allow_growth = true;
  // Snapshots to check against the log (optional).
  const SnapshotStore* snapshots = nullptr;
  // Called now and then with (events checked, total) from the per-event phase; may be empty.
  std::function<void(uint64_t, uint64_t)> progress = nullptr;
};

struct VerifyReport {
  uint64_t events = 0;                     // events checked
  uint64_t signatures = 0;                 // signatures recovered
  uint64_t snapshots = 0;                  // snapshots checked
  ChainHead head;                          // the log's head
  LogIdentity identity;                    // its node and rule set (statelog-1 when it names none)
  std::optional<Offset> first_bad_offset;  // the first offset that fails, if any
  Status status;                       // OK when everything verifies; otherwise the first failure
  std::vector<ImportedRange> imports;  // the imported ranges of the checked prefix, in order
};

VerifyReport VerifyLog(const EventStore& store, const VerifyOptions& options = {});

}  // namespace statelog

#endif  // STATELOG_VERIFY_H_
