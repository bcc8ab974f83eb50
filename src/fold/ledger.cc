// LedgerImpl: the checked domain API behind statelog/ledger.h.
#include "statelog/ledger.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "base/parallel.h"
#include "fold/nitro_rules.h"
#include "fold/snapshot_manager.h"
#include "fold/state_cache.h"
#include "statelog/nitro.h"
#include "statelog/reconstruct.h"

namespace statelog {
namespace {

// Events of a batch one thread takes at a time while proofs are checked.
constexpr size_t kProofGrain = 16;

// The entity states touched by a batch, as they would be after its events so far, and the stream
// versions the decision was made at.
struct Scratch {
  std::map<ObjectiveId, std::optional<ObjectiveState>> objectives;
  std::map<ChannelId, std::optional<ChannelState>> channels;
  std::vector<StreamExpectation> expected;
};

// Returns the state of `id` in the scratch, copying it from the view on first use and recording
// the version of its stream there (its event count: every event of an entity is in its stream).
template <class Id, class State>
std::optional<State>& Touch(const Id& id, const std::map<Id, State>& in_view,
                            std::map<Id, std::optional<State>>* touched,
                            std::vector<StreamExpectation>* expected, std::string stream) {
  auto [it, fresh] = touched->try_emplace(id);
  if (fresh) {
    uint64_t version = 0;
    if (auto found = in_view.find(id); found != in_view.end()) {
      it->second = found->second;
      version = found->second.event_count;
    }
    expected->push_back(StreamExpectation{std::move(stream), version});
  }
  return it->second;
}

// The entities a rule reads beyond an event's own, as the batch so far leaves them. Each one read
// is touched: its stream's version joins the append's expectations, so that a writer that changes
// it meanwhile makes this append a Conflict, decided again.
class ScratchLookup final : public fold_internal::EntityLookup {
 public:
  ScratchLookup(const NodeView& view, Scratch* scratch) : view_(view), scratch_(scratch) {}
  const ObjectiveState* Objective(const ObjectiveId& id) override {
    auto& s = Touch(id, view_.objectives, &scratch_->objectives, &scratch_->expected,
                    ObjectiveStream(id));
    return s ? &*s : nullptr;
  }
  const ChannelState* Channel(const ChannelId& id) override {
    auto& c =
        Touch(id, view_.channels, &scratch_->channels, &scratch_->expected, ChannelStream(id));
    return c ? &*c : nullptr;
  }

 private:
  const NodeView& view_;
  Scratch* scratch_;
};

// Applies `e` (at offset `at`) to its own entity's state in the scratch; a log_created sets *log.
Status ApplyOwn(const NodeView& view, const Event& e, Offset at, Scratch* scratch,
                LogIdentity* log) {
  if (const ObjectiveId* oid = e.objective()) {
    return ApplyObjectiveEvent(*log, e, at,
                               &Touch(*oid, view.objectives, &scratch->objectives,
                                      &scratch->expected, ObjectiveStream(*oid)));
  }
  if (const ChannelId* cid = e.channel()) {
    return ApplyChannelEvent(
        *log, e, at,
        &Touch(*cid, view.channels, &scratch->channels, &scratch->expected, ChannelStream(*cid)));
  }
  if (const auto* created = std::get_if<events::LogCreated>(&e.body)) {
    STATELOG_ASSIGN_OR_RETURN(*log, IdentityOfLog(*created, at));
  }
  return Status::OK();
}

// Checks that each new event applies to the state its entity would have after the events before
// it, under the log's rules (a log_created at offset 0 sets them for the rest of the batch). The
// error has the event's index.
Status CheckLegal(const NodeView& view, std::span<const Event> events,
                  const std::vector<std::optional<Offset>>& existing, Scratch* scratch) {
  uint64_t next = view.length;
  LogIdentity log = view.identity;
  ScratchLookup lookup(view, scratch);
  for (size_t i = 0; i < events.size(); ++i) {
    if (existing[i]) continue;
    const Event& e = events[i];
    Status st = log.nitro() ? fold_internal::CheckAcrossEntities(log, e, lookup) : Status::OK();
    if (st.ok()) st = ApplyOwn(view, e, next, scratch, &log);
    if (!st.ok()) return st.WithIndex(i);
    ++next;
  }
  return Status::OK();
}

class LedgerImpl final : public Ledger {
 public:
  LedgerImpl(EventStore* store, SnapshotStore* snapshots, LedgerOptions options)
      : store_(store),
        options_(options),
        snapshot_manager_(store, snapshots, options.snapshots),
        reconstructor_(store, &snapshot_manager_) {}

  Status Start() {
    STATELOG_ASSIGN_OR_RETURN(uint64_t length, store_->Length());
    // A snapshot that does not match the log is not used (snapshot_status() reports it).
    STATELOG_ASSIGN_OR_RETURN(std::optional<NodeView> start, snapshot_manager_.UsableView(length));
    snapshot_status_ = snapshot_manager_.last_refusal();
    STATELOG_ASSIGN_OR_RETURN(cache_,
                              StateCache::Open(store_, start ? std::move(*start) : NodeView{}));
    if (options_.node) return BelongTo(*options_.node);
    return Status::OK();
  }

  StatusOr<LogIdentity> Identity() override {
    LogIdentity identity;
    STATELOG_RETURN_IF_ERROR(cache_->WithView([&](const NodeView& v) { identity = v.identity; }));
    return identity;
  }

  StatusOr<AppendResult> Append(const Event& event, const AppendOptions& options) override {
    STATELOG_ASSIGN_OR_RETURN(std::vector<AppendResult> r,
                              AppendChecked(std::span(&event, 1), options, /*batch=*/false));
    return r[0];
  }

  StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events,
                                                  const AppendOptions& options) override {
    return AppendChecked(events, options, /*batch=*/true);
  }

  StatusOr<ObjectiveState> Objective(const ObjectiveId& id, const ReadOptions& options) override {
    if (options.as_of) return reconstructor_.Objective(id, options.as_of);
    return cache_->Objective(id);
  }
  StatusOr<ChannelState> Channel(const ChannelId& id, const ReadOptions& options) override {
    if (options.as_of) return reconstructor_.Channel(id, options.as_of);
    return cache_->Channel(id);
  }
  StatusOr<NodeView> View(const ReadOptions& options) override {
    if (options.as_of) return reconstructor_.View(options.as_of);
    return cache_->View();
  }

  const EventStore& log() const override { return *store_; }

  StatusOr<Offset> TakeSnapshot(Timestamp now) override {
    STATELOG_ASSIGN_OR_RETURN(NodeView view, cache_->View());
    STATELOG_ASSIGN_OR_RETURN(std::optional<Offset> offset, snapshot_manager_.Create(view, now));
    return *offset;  // without only_if_due, Create appends or fails
  }

  Status snapshot_status() const override {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    return snapshot_status_;
  }

 private:
  StatusOr<std::vector<AppendResult>> AppendChecked(std::span<const Event> events,
                                                    const AppendOptions& options, bool batch);
  // Decides once: retries, proofs and legality against the cache's current view, then appends
  // with the decision's expectations.
  StatusOr<std::vector<AppendResult>> Attempt(std::span<const Event> events,
                                              const AppendOptions& options,
                                              const std::vector<bool>& proven, bool batch);
  // Where each of `events` is in the log, if it is.
  StatusOr<std::vector<std::optional<Offset>>> FindAll(std::span<const Event> events);
  // Looks each event up in the log; returns whether all of them are there.
  StatusOr<bool> FindExisting(std::span<const Event> events, const std::vector<bool>& proven,
                              std::vector<std::optional<Offset>>* existing);
  void MaybeSnapshot(Timestamp now);
  // Creates an empty log for `node`, or checks that the log belongs to it.
  Status BelongTo(const Address& node);

  EventStore* const store_;
  const LedgerOptions options_;
  SnapshotManager snapshot_manager_;
  Reconstructor reconstructor_;
  std::unique_ptr<StateCache> cache_;
  mutable std::mutex snapshot_mu_;
  Status snapshot_status_;  // guarded by snapshot_mu_
};

// Names event `i` of a batch in an error about it.
Status NameEvent(const Status& st, std::span<const Event> events, bool batch) {
  if (!batch || !st.index() || *st.index() >= events.size()) return st;
  const size_t i = *st.index();
  return st.WithPrefix("event " + std::to_string(i) + " (" +
                       std::string(EventTypeName(events[i].type())) + ")");
}

StatusOr<bool> LedgerImpl::FindExisting(std::span<const Event> events,
                                        const std::vector<bool>& proven,
                                        std::vector<std::optional<Offset>>* existing) {
  STATELOG_ASSIGN_OR_RETURN(*existing, FindAll(events));
  bool all = true;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!(*existing)[i] && !proven[i]) {
      // Was in the log when proofs were checked, and is not now: impossible for an append-only
      // log unless it was replaced underneath.
      return Status::Corruption("event " + events[i].id.ToHex() + " disappeared from the log");
    }
    all = all && (*existing)[i].has_value();
  }
  return all;
}

StatusOr<std::vector<std::optional<Offset>>> LedgerImpl::FindAll(std::span<const Event> events) {
  // One batched lookup (EventStore::FindMany): one query on PostgreSQL, a batched read on
  // RocksDB, instead of one of each per event.
  std::vector<EventId> ids(events.size());
  for (size_t i = 0; i < events.size(); ++i) ids[i] = events[i].id;
  return store_->FindMany(ids);
}

std::vector<AppendResult> RetryResults(const std::vector<std::optional<Offset>>& existing) {
  std::vector<AppendResult> out;
  out.reserve(existing.size());
  for (const std::optional<Offset>& at : existing) out.push_back({*at, false});
  return out;
}

StatusOr<std::vector<AppendResult>> LedgerImpl::AppendChecked(std::span<const Event> events,
                                                              const AppendOptions& options,
                                                              bool batch) {
  // Proofs depend on no state: checked once, before any attempt (an event already in the log is
  // a retry and is not checked again, Attempt() sees to that).
  // A batch's proofs (one signature recovery per signed event) are checked on every core; the
  // first error in batch order is returned, as a check in order would.
  STATELOG_ASSIGN_OR_RETURN(const std::vector<std::optional<Offset>> found, FindAll(events));
  std::vector<Status> checked(events.size());
  std::vector<char> proven_flags(events.size(), 0);
  ParallelFor(events.size(), options_.proof_threads, kProofGrain, [&](size_t i) {
    if (!found[i]) {
      checked[i] = CheckEventProof(events[i]).WithIndex(i);
      proven_flags[i] = checked[i].ok();
    } else {
      // A retry is answered from the log without reaching the log core's id check: an event
      // that only claims a stored event's id must not pass for it.
      checked[i] = events[i].CheckId().WithIndex(i);
    }
  });
  for (const Status& st : checked) {
    if (!st.ok()) return st.index() ? NameEvent(st, events, batch) : st;
  }
  const std::vector<bool> proven(proven_flags.begin(), proven_flags.end());
  const bool callers_expectations =
      options.expected_length.has_value() || !options.expected_streams.empty();
  const int attempts = std::max(1, options_.max_attempts);
  Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    StatusOr<std::vector<AppendResult>> r = Attempt(events, options, proven, batch);
    if (r.ok() || !r.status().IsConflict() || callers_expectations) return r;
    last = r.status();
  }
  return Status::Conflict(
      "other writers changed the same channels or objectives " + std::to_string(attempts) +
      " times while this append was decided; last: " + std::string(last.message()));
}

StatusOr<std::vector<AppendResult>> LedgerImpl::Attempt(std::span<const Event> events,
                                                        const AppendOptions& options,
                                                        const std::vector<bool>& proven,
                                                        bool batch) {
  std::vector<std::optional<Offset>> existing(events.size());
  STATELOG_ASSIGN_OR_RETURN(bool all_existing, FindExisting(events, proven, &existing));
  if (all_existing) return RetryResults(existing);
  Scratch scratch;
  Status legal;
  STATELOG_RETURN_IF_ERROR(cache_->WithView(
      [&](const NodeView& view) { legal = CheckLegal(view, events, existing, &scratch); }));
  if (!legal.ok()) {
    // The view may be newer than the lookups above: an event another writer appended in between
    // is in the view, and checking it again against itself fails. It is a retry, not illegal.
    std::vector<std::optional<Offset>> now(events.size());
    STATELOG_ASSIGN_OR_RETURN(bool all_now, FindExisting(events, proven, &now));
    if (all_now) return RetryResults(now);
    if (now != existing) return Status::Conflict("an event of the append was appended meanwhile");
    return NameEvent(legal, events, batch);
  }

  AppendOptions decided = options;
  for (StreamExpectation& e : scratch.expected) decided.expected_streams.push_back(std::move(e));
  std::vector<AppendResult> results;
  if (batch) {
    STATELOG_ASSIGN_OR_RETURN(results, store_->AppendBatch(events, decided));
  } else {
    STATELOG_ASSIGN_OR_RETURN(AppendResult r, store_->Append(events[0], decided));
    results.push_back(r);
  }
  // The cache folds what was just appended from memory. A fold error there (which the legality
  // check rules out) is kept by the cache and returned by its every later read.
  (void)cache_->Appended(events, results);
  MaybeSnapshot(events.back().timestamp);
  return results;
}

Status LedgerImpl::BelongTo(const Address& node) {
  uint64_t length = 0;
  STATELOG_RETURN_IF_ERROR(cache_->WithView([&](const NodeView& v) { length = v.length; }));
  if (length == 0) {
    Timestamp at = options_.created_at;
    if (at == 0) {
      at = std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
    }
    AppendOptions first;
    first.expected_length = 0;  // another writer that created the log first wins
    StatusOr<AppendResult> r = Append(
        Event::Make(at, events::LogCreated{node, static_cast<uint64_t>(kCurrentRuleSet)}), first);
    if (!r.ok() && !r.status().IsConflict()) return r.status().WithPrefix("creating the log");
  }
  STATELOG_ASSIGN_OR_RETURN(LogIdentity identity, Identity());
  if (!identity.node) {
    return Status::FailedPrecondition(
        "the log was written under rule set statelog-1 and records no node, so it cannot be "
        "opened as the log of node " +
        node.ToHex());
  }
  if (*identity.node != node) {
    return Status::FailedPrecondition("the log belongs to node " + identity.node->ToHex() +
                                      ", not to " + node.ToHex());
  }
  return Status::OK();
}

void LedgerImpl::MaybeSnapshot(Timestamp now) {
  StatusOr<uint64_t> length = store_->Length();
  Status snap;
  if (!length.ok()) {
    snap = length.status();
  } else if (snapshot_manager_.Due(*length)) {
    StatusOr<NodeView> view = cache_->View();
    snap = view.ok() ? snapshot_manager_.Create(*view, now, /*only_if_due=*/true).status()
                     : view.status();
  } else {
    return;
  }
  // A snapshot is only a cache: failing to take one loses nothing, but is not hidden either.
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_status_ = snap;
}

}  // namespace

StatusOr<std::unique_ptr<Ledger>> Ledger::Open(EventStore* store, SnapshotStore* snapshots,
                                               LedgerOptions options) {
  auto ledger = std::make_unique<LedgerImpl>(store, snapshots, options);
  STATELOG_RETURN_IF_ERROR(ledger->Start());
  return std::unique_ptr<Ledger>(std::move(ledger));
}

}  // namespace statelog
