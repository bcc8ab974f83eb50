// Migrating a go-nitro node's store to statelog (docs/migrating-from-go-nitro.md): the events
// that reproduce what the store held, the provenance event that announces them, and the compare
// step that checks a fold of the log against the store.
#ifndef STATELOG_GONITRO_MIGRATE_H_
#define STATELOG_GONITRO_MIGRATE_H_

#include <string>
#include <vector>

#include "gonitro/node_store.h"
#include "statelog/fold.h"

namespace statelog::gonitro {

struct MigrationPlan {
  // store_imported first (the provenance: node, files and digests, how many events follow),
  // then, per channel in id order: channel_created, a deposit_detected per asset held, and a
  // state_signed (this node's signature) or state_received per signature of each turn; then a
  // voucher_sent or voucher_received per voucher; then, per objective in id order,
  // objective_created and its approval, rejection or completion. Timestamps are start, start+1,
  // ... microseconds.
  std::vector<Event> events;
  // For each event, where its content came from: "FILE: key KEY: FIELD PATH".
  std::vector<std::string> sources;
  // What the store held that the log does not carry, or that go-nitro had already discarded;
  // one line each, for the operator.
  std::vector<std::string> missing;
};

// Builds the events from a store read by ReadGoNitroStore. Fails only for data that cannot
// become events (InvalidArgument naming the file, key and field): every signature is checked
// later, by the Ledger's checked append.
StatusOr<MigrationPlan> PlanMigration(const GoNitroStore& store, Timestamp start);

// Compares the fold of the migrated log, with every turn kept (TurnRetention::kAll, as go-nitro
// keeps them), with the store: each channel's fixed part, states,
// signatures, latest supported turn and holdings; each voucher's amount; each objective's status
// and channels; channel_to_objective. Returns one line per difference, empty when they agree.
std::vector<std::string> Compare(const GoNitroStore& store, const NodeView& view);

}  // namespace statelog::gonitro

#endif  // STATELOG_GONITRO_MIGRATE_H_
