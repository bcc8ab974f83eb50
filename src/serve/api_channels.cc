// Channels and objectives as JSON: summaries, full states, timelines and payment histories.
#include "serve/api_internal.h"
#include "statelog/codec.h"
#include "statelog/reconstruct.h"
#include "statelog/snapshot.h"

namespace statelog::serve::internal {

std::string_view ChannelKindName(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::kLedger:
      return "ledger";
    case ChannelKind::kPayment:
      return "payment";
    default:
      return "unknown";
  }
}

ChannelKind KindOf(const ChannelId& id, const std::map<ObjectiveId, ObjectiveState>& objectives) {
  for (ObjectiveKind k : {ObjectiveKind::kDirectFunding, ObjectiveKind::kDirectDefunding}) {
    if (objectives.count(ObjectiveId{k, id})) return ChannelKind::kLedger;
  }
  for (ObjectiveKind k : {ObjectiveKind::kVirtualFund, ObjectiveKind::kVirtualDefund}) {
    if (objectives.count(ObjectiveId{k, id})) return ChannelKind::kPayment;
  }
  return ChannelKind::kUnknown;
}

std::set<ChannelId> PaymentChannelsOf(const ChannelId& ledger,
                                      const std::map<ObjectiveId, ObjectiveState>& objectives) {
  std::set<ChannelId> out;
  for (const auto& [id, o] : objectives) {
    if (id.kind != ObjectiveKind::kVirtualFund || id.channel == ledger) continue;
    for (const ChannelId& c : o.channels) {
      if (c == ledger) out.insert(id.channel);
    }
  }
  return out;
}

namespace {

const KnownState* BalanceState(const ChannelState& c) {
  if (const KnownState* s = c.LatestSupported()) return s;
  return c.states.empty() ? nullptr : &c.states.rbegin()->second;
}

void WriteHoldings(JsonOut& j, const ChannelState& c) {
  j.BeginArray();
  for (const auto& [asset, amount] : c.holdings) {
    j.BeginObject();
    j.Field("asset", asset);
    j.Field("amount", amount);
    j.EndObject();
  }
  j.EndArray();
}

void WriteChallenge(JsonOut& j, const ChannelState& c) {
  j.BeginObject();
  j.Field("status", ChallengeStatusName(c.challenge));
  if (c.challenge != ChallengeStatus::kNone) j.Field("turn", c.challenge_turn);
  if (c.challenge == ChallengeStatus::kRegistered)
    j.Field("finalizes_at", c.challenge_finalizes_at);
  j.EndObject();
}

void WriteOptionalTurn(JsonOut& j, const std::optional<uint64_t>& turn) {
  if (turn) {
    j.Value(*turn);
  } else {
    j.Null();
  }
}

}  // namespace

void WriteBalances(JsonOut& j, const ChannelState& c) {
  j.BeginArray();
  if (const KnownState* s = BalanceState(c)) {
    for (const SingleAssetExit& e : s->state.outcome) {
      for (const Allocation& a : e.allocations) {
        j.BeginObject();
        j.Field("asset", e.asset);
        j.Field("destination", a.destination);
        j.Field("amount", a.amount);
        j.EndObject();
      }
    }
  }
  j.EndArray();
}

namespace {

// The channel as of now: latest supported turn, balances, holdings, challenge, concluded.
void WriteCurrent(JsonOut& j, const ChannelState& c) {
  j.Key("latest_supported_turn");
  WriteOptionalTurn(j, c.latest_supported);
  j.Key("balances");
  WriteBalances(j, c);
  j.Key("holdings");
  WriteHoldings(j, c);
  j.Key("challenge");
  WriteChallenge(j, c);
  j.Field("concluded", c.concluded);
}

}  // namespace

void WriteChannelSummary(JsonOut& j, const ChannelState& c, ChannelKind kind) {
  j.BeginObject();
  j.Field("id", c.id);
  j.Field("kind", ChannelKindName(kind));
  j.Field("participants", c.fixed.participants);
  j.Field("channel_nonce", c.fixed.channel_nonce);
  WriteCurrent(j, c);
  if (c.concluded) j.Field("finalized_at", c.finalized_at);
  j.Key("vouchers");
  j.BeginObject();
  j.Field("paid", c.paid);
  j.Field("received", c.received);
  j.EndObject();
  j.Field("event_count", c.event_count);
  j.Field("first_offset", c.first_offset);
  j.Field("last_offset", c.last_offset);
  j.EndObject();
}

void WriteObjective(JsonOut& j, const ObjectiveState& o) { j.Raw(EncodeObjectiveState(o)); }

void WriteStoredEvent(JsonOut& j, const StoredEvent& s) {
  j.BeginObject();
  j.Field("offset", s.offset);
  j.Field("chain", s.chain);
  j.Key("event");
  j.Raw(EncodeEvent(s.event));
  j.EndObject();
}

namespace {

// Calls fn(stored, state after it) for each of the channel's events below `end`.
template <class Fn>
Status ForEachChannelEvent(const EventStore& store, const ChannelId& id, uint64_t end, Fn&& fn) {
  STATELOG_ASSIGN_OR_RETURN(std::vector<Offset> offsets, store.ChannelOffsets(id, end));
  if (offsets.empty()) {
    return Status::NotFound("channel " + id.ToHex() + " has no event in the first " +
                            std::to_string(end) + " events of the log");
  }
  STATELOG_ASSIGN_OR_RETURN(LogIdentity log, ReadLogIdentity(store));
  std::optional<ChannelState> state;
  for (Offset off : offsets) {
    STATELOG_ASSIGN_OR_RETURN(StoredEvent s, store.Read(off));
    Status st = ApplyChannelEvent(log, s.event, off, &state);
    if (!st.ok()) return FoldError(st, off, s.event);
    fn(s, *state);
  }
  return Status::OK();
}

}  // namespace

StatusOr<std::string> ChannelTimeline(const EventStore& store, const ChannelId& id, uint64_t end) {
  JsonOut j;
  j.BeginObject();
  j.Field("channel", id);
  j.Field("length", end);
  bool first = true;
  Status st = ForEachChannelEvent(store, id, end, [&](const StoredEvent& s, const ChannelState& c) {
    if (first) {
      j.Field("participants", c.fixed.participants);
      j.Key("events");
      j.BeginArray();
      first = false;
    }
    j.BeginObject();
    j.Field("offset", s.offset);
    j.Field("timestamp", s.event.timestamp);
    j.Field("type", EventTypeName(s.event.type()));
    j.Key("event");
    j.Raw(EncodeEvent(s.event));
    j.Key("after");
    j.BeginObject();
    WriteCurrent(j, c);
    j.Field("paid", c.paid);
    j.Field("received", c.received);
    j.EndObject();
    j.EndObject();
  });
  if (!st.ok()) return st;
  j.EndArray();
  j.EndObject();
  return j.Take();
}

StatusOr<std::string> ChannelPayments(const EventStore& store, const ChannelId& id, uint64_t end) {
  JsonOut j;
  j.BeginObject();
  j.Field("channel", id);
  j.Field("length", end);
  j.Key("payments");
  j.BeginArray();
  Uint256 last_sent, last_received;
  Uint256 paid, received;
  Status st = ForEachChannelEvent(store, id, end, [&](const StoredEvent& s, const ChannelState& c) {
    paid = c.paid;
    received = c.received;
    const bool sent = s.event.type() == EventType::kVoucherSent;
    if (!sent && s.event.type() != EventType::kVoucherReceived) return;
    const Uint256& amount = sent ? std::get<events::VoucherSent>(s.event.body).amount
                                 : std::get<events::VoucherReceived>(s.event.body).amount;
    const Address& signer = sent ? std::get<events::VoucherSent>(s.event.body).signer
                                 : std::get<events::VoucherReceived>(s.event.body).signer;
    Uint256& last = sent ? last_sent : last_received;
    Uint256 increment;
    if (!Uint256::CheckedSub(amount, last, &increment)) increment = Uint256();
    if (last < amount) last = amount;
    j.BeginObject();
    j.Field("offset", s.offset);
    j.Field("timestamp", s.event.timestamp);
    j.Field("direction", sent ? "sent" : "received");
    j.Field("signer", signer);
    j.Field("amount", amount);
    j.Field("increment", increment);
    j.EndObject();
  });
  if (!st.ok()) return st;
  j.EndArray();
  j.Field("paid", paid);
  j.Field("received", received);
  j.EndObject();
  return j.Take();
}

}  // namespace statelog::serve::internal
