// Snapshots: the node view at an offset, serialized (docs/snapshot-format.md). Only a cache:
// restore = the latest snapshot at or before the target + a fold of the tail, and deleting every
// snapshot changes no answer.
#ifndef STATELOG_SNAPSHOT_H_
#define STATELOG_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "statelog/fold.h"

namespace statelog {

// Returns the snapshot encoding of `view`: format 3, binary, with a CRC-32C
// (docs/snapshot-format.md). Equal views with equal prefix chains give identical bytes.
std::string EncodeNodeView(const NodeView& view, const Hash256& prefix_chain);
// Returns the JSON of one entity's state, in the snapshot encoding (also `statelog show --json`).
std::string EncodeObjectiveState(const ObjectiveState& state);
std::string EncodeChannelState(const ChannelState& state);
// Returns a log's identity in the same form: {"rules":"nitro-2","node":"0x..."}, or
// {"rules":"statelog-1","node":null} (`statelog_identity` in the C API, `verify --json`).
std::string EncodeLogIdentity(const LogIdentity& identity);
// Decodes a snapshot encoding, format 3, 2 or 1 (canonical JSON, whose superseded turns are
// dropped as the fold drops them); *prefix_chain receives the chain value it records.
// InvalidArgument naming the byte offset and field path of damage; NotSupported for a newer format.
StatusOr<NodeView> DecodeNodeView(std::string_view data, Hash256* prefix_chain);

struct SnapshotOptions {
  // A snapshot is taken each time the log passes a multiple of `interval` events. 0 disables.
  uint64_t interval = 1000;
  // The newest `keep` snapshots are kept; once a newer one is stored, older ones are deleted
  // (docs/adr/0022-snapshot-retention.md). They are a cache: a read as of an offset before the
  // oldest kept one folds from an older kept snapshot or from the start of the log, and the
  // log's snapshot_created events still record every snapshot's digest. 0 keeps them all.
  uint64_t keep = 4;
};

}  // namespace statelog

#endif  // STATELOG_SNAPSHOT_H_
