// Pieces of the API shared by api.cc and api_channels.cc.
#ifndef STATELOG_SERVE_API_INTERNAL_H_
#define STATELOG_SERVE_API_INTERNAL_H_

#include <map>
#include <optional>
#include <set>
#include <string>

#include "serve/api.h"
#include "serve/json.h"
#include "serve/params.h"
#include "statelog/fold.h"

namespace statelog::serve::internal {

// Ledger (direct funding) or payment (virtual funding) channel, from the objectives that own it.
enum class ChannelKind { kUnknown, kLedger, kPayment };
std::string_view ChannelKindName(ChannelKind kind);
ChannelKind KindOf(const ChannelId& id, const std::map<ObjectiveId, ObjectiveState>& objectives);
// The payment channels whose virtual-funding objectives name `ledger` among their channels.
std::set<ChannelId> PaymentChannelsOf(const ChannelId& ledger,
                                      const std::map<ObjectiveId, ObjectiveState>& objectives);

// A channel's summary, as the channel list shows it (one channel's state itself is
// EncodeChannelState's JSON, the one shape of a channel statelog writes).
void WriteChannelSummary(JsonOut& j, const ChannelState& c, ChannelKind kind);
// An objective: EncodeObjectiveState's JSON, the one shape of an objective statelog writes.
void WriteObjective(JsonOut& j, const ObjectiveState& o);
// The outcome of the latest supported state (or, if none, of the highest turn), flattened:
// [{"asset","destination","amount"}].
void WriteBalances(JsonOut& j, const ChannelState& c);
// One stored event: {"offset","chain","event"} (as `statelog log --json`).
void WriteStoredEvent(JsonOut& j, const StoredEvent& s);

// The channel's events up to `end` with the state after each: the timeline and the payments.
StatusOr<std::string> ChannelTimeline(const EventStore& store, const ChannelId& id, uint64_t end);
StatusOr<std::string> ChannelPayments(const EventStore& store, const ChannelId& id, uint64_t end);

// `micros` (since the Unix epoch) as UTC, e.g. "2026-12-07T13:00:00Z".
std::string FormatUtc(Timestamp micros);

// The answer for a failed read: 404 for NotFound, 500 otherwise.
HttpResponse StatusError(const Status& st);
HttpResponse BadParam(const ParamError& e);
HttpResponse Json(std::string body);

}  // namespace statelog::serve::internal

#endif  // STATELOG_SERVE_API_INTERNAL_H_
