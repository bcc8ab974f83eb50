#include "statelog/ledger.h"

#include <map>

#include "base/overloaded.h"
#include "statelog/nitro.h"

namespace statelog {
namespace {

Status CheckSigner(const Hash256& hash, const Signature& sig, const Address& signer,
                   std::string_view what) {
  auto recovered = nitro::RecoverSigner(hash, sig);
  if (!recovered.ok()) {
    return Status::InvalidArgument(
        std::string(what) + " signature is invalid: " + std::string(recovered.status().message()));
  }
  if (*recovered != signer) {
    return Status::InvalidArgument(std::string(what) + " signature recovers to " +
                                   recovered->ToHex() + ", not to the signer " + signer.ToHex());
  }
  return Status::OK();
}

template <class E>
Status CheckSignedState(const E& e) {
  Hash256 hash = nitro::ComputeStateHash(e.channel_id, e.state);
  if (hash != e.state_hash) {
    return Status::InvalidArgument("state_hash " + e.state_hash.ToHex() +
                                   " is not the hash of the state (" + hash.ToHex() + ")");
  }
  return CheckSigner(hash, e.signature, e.signer, "state");
}

template <class E>
Status CheckVoucher(const E& e) {
  return CheckSigner(nitro::ComputeVoucherHash(e.channel_id, e.amount), e.signature, e.signer,
                     "voucher");
}

// The entity states touched by a batch, as they would be after its events so far.
struct Scratch {
  std::map<ObjectiveId, std::optional<ObjectiveState>> objectives;
  std::map<ChannelId, std::optional<ChannelState>> channels;
};

}  // namespace

Status CheckEventProof(const Event& event) {
  return std::visit(Overloaded{
                        [](const events::ChannelCreated& e) {
                          ChannelId id = nitro::ComputeChannelId(e.fixed);
                          if (id != e.channel_id) {
                            return Status::InvalidArgument("channel_id " + e.channel_id.ToHex() +
                                                           " is not the id of the fixed part (" +
                                                           id.ToHex() + ")");
                          }
                          return Status::OK();
                        },
                        [](const events::StateSigned& e) { return CheckSignedState(e); },
                        [](const events::StateReceived& e) { return CheckSignedState(e); },
                        [](const events::VoucherSent& e) { return CheckVoucher(e); },
                        [](const events::VoucherReceived& e) { return CheckVoucher(e); },
                        [](const auto&) { return Status::OK(); },
                    },
                    event.body);
}

Ledger::Ledger(EventStore* store, SnapshotStore* snapshots, LedgerOptions options)
    : store_(store),
      snapshot_manager_(store, snapshots, options.snapshots),
      reconstructor_(store, &snapshot_manager_) {}

Ledger::~Ledger() = default;

StatusOr<std::unique_ptr<Ledger>> Ledger::Open(EventStore* store, SnapshotStore* snapshots,
                                               LedgerOptions options) {
  std::unique_ptr<Ledger> ledger(new Ledger(store, snapshots, options));
  // A snapshot that does not match the log is not used (snapshot_status() reports it).
  std::optional<NodeView> start = ledger->snapshot_manager_.UsableView(store->Length());
  ledger->snapshot_status_ = ledger->snapshot_manager_.last_refusal();
  STATELOG_ASSIGN_OR_RETURN(ledger->cache_,
                            StateCache::Open(store, start ? std::move(*start) : NodeView{}));
  return ledger;
}

StatusOr<AppendResult> Ledger::Append(const Event& event) {
  STATELOG_ASSIGN_OR_RETURN(std::vector<AppendResult> r,
                            AppendChecked(std::span(&event, 1), /*name_events=*/false));
  return r[0];
}

StatusOr<std::vector<AppendResult>> Ledger::AppendBatch(std::span<const Event> events) {
  return AppendChecked(events, /*name_events=*/true);
}

StatusOr<std::vector<AppendResult>> Ledger::AppendChecked(std::span<const Event> events,
                                                          bool name_events) {
  std::lock_guard<std::mutex> lock(append_mu_);
  // An event already in the log is a retry: it is reported, not checked again.
  std::vector<std::optional<Offset>> existing(events.size());
  bool all_existing = true;
  for (size_t i = 0; i < events.size(); ++i) {
    existing[i] = store_->Find(events[i].id);
    all_existing = all_existing && existing[i].has_value();
  }
  if (all_existing) {
    std::vector<AppendResult> out;
    for (const auto& off : existing) out.push_back({*off, false});
    return out;
  }
  for (size_t i = 0; i < events.size(); ++i) {
    if (existing[i]) continue;
    Status st = CheckEventProof(events[i]);
    if (!st.ok()) return name_events ? st.WithPrefix("event " + std::to_string(i)) : st;
  }
  Status legal;
  STATELOG_RETURN_IF_ERROR(
      cache_->WithView([&](const NodeView& view) { legal = CheckLegal(view, events, existing); }));
  if (!legal.ok() && !name_events) {
    // Drop the "event 0 (type): " prefix CheckLegal adds for batches.
    std::string_view msg = legal.message();
    size_t colon = msg.find("): ");
    if (msg.starts_with("event 0 (") && colon != std::string_view::npos) {
      legal = Status(legal.code(), msg.substr(colon + 3));
    }
  }
  STATELOG_RETURN_IF_ERROR(legal);
  STATELOG_ASSIGN_OR_RETURN(std::vector<AppendResult> results, store_->AppendBatch(events));
  // A snapshot is only a cache: failing to take one loses nothing, but is not hidden either.
  Status snap = MaybeSnapshot(events.back().timestamp);
  std::lock_guard<std::mutex> slock(snapshot_mu_);
  snapshot_status_ = snap;
  return results;
}

Status Ledger::CheckLegal(const NodeView& view, std::span<const Event> events,
                          const std::vector<std::optional<Offset>>& existing) {
  // Each new event applies to the state its entity would have after the events before it.
  Scratch scratch;
  uint64_t next = view.length;
  for (size_t i = 0; i < events.size(); ++i) {
    if (existing[i]) continue;
    const Event& e = events[i];
    Status st;
    if (const ObjectiveId* oid = e.objective()) {
      auto [it, fresh] = scratch.objectives.try_emplace(*oid);
      if (fresh) {
        auto found = view.objectives.find(*oid);
        if (found != view.objectives.end()) it->second = found->second;
      }
      st = ApplyObjectiveEvent(e, next, &it->second);
    } else if (const ChannelId* cid = e.channel()) {
      auto [it, fresh] = scratch.channels.try_emplace(*cid);
      if (fresh) {
        auto found = view.channels.find(*cid);
        if (found != view.channels.end()) it->second = found->second;
      }
      st = ApplyChannelEvent(e, next, &it->second);
    }
    if (!st.ok()) {
      return st.WithPrefix("event " + std::to_string(i) + " (" +
                           std::string(EventTypeName(e.type())) + ")");
    }
    ++next;
  }
  return Status::OK();
}

Status Ledger::MaybeSnapshot(Timestamp now) {
  if (!snapshot_manager_.Due(store_->Length())) return Status::OK();
  STATELOG_ASSIGN_OR_RETURN(NodeView view, cache_->View());
  return snapshot_manager_.Create(view, now).status();
}

Status Ledger::snapshot_status() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_status_;
}

}  // namespace statelog
