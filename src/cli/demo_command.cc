// `statelog demo`: statelog's main job. Irene's node (a hub) runs ledger channels with Alice, Bob
// and Ivan through the checked domain API into the embedded store, then shows what the log
// proves: reconstructed states, time travel, the chain head and a full verification.
#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "demo/scenario.h"
#include "statelog/verify.h"

namespace statelog::cli {
namespace {

// Conflicts the demo waits out per event, beyond the Ledger's own retries.
constexpr int kConflictRetries = 20;

using demo::Actor;
using demo::ChannelScript;
using S = ObjectiveStep;

struct DemoArgs {
  StoreFlags flags;
  bool fresh = false;
};

// Vouchers per channel (`statelog generate` makes histories of any size).
constexpr int kPayments = 5;

// The funding half of a direct-funding lifecycle.
void Fund(ChannelScript& c, const Actor& me, const Actor& peer, const Uint256& deposit,
          std::vector<Event>* out) {
  ObjectiveId fund = c.funding();
  out->push_back(c.ObjectiveCreated(fund, true));
  out->push_back(c.ChannelCreated());
  out->push_back(c.ObjectiveProgressed(fund, S::kCompletePrefund));
  out->push_back(c.Sign(me, 0));
  out->push_back(c.Message(true, "prefund signature"));
  out->push_back(c.Message(false, "prefund signature"));
  out->push_back(c.Sign(peer, 0));
  out->push_back(c.ObjectiveProgressed(fund, S::kMyTurnToFund));
  out->push_back(c.Deposit(deposit));
  out->push_back(c.Deposit(deposit));
  out->push_back(c.ObjectiveProgressed(fund, S::kCompletePostFund));
  out->push_back(c.Sign(me, 1));
  out->push_back(c.Sign(peer, 1));
  out->push_back(c.ObjectiveProgressed(fund, S::kNothing));
  out->push_back(c.ObjectiveCompleted(fund));
}

// Interleaves per-channel histories round-robin, as a busy node's log would.
std::vector<Event> Interleave(const std::vector<std::vector<Event>>& lists) {
  std::vector<Event> out;
  std::vector<size_t> next(lists.size(), 0);
  for (bool more = true; more;) {
    more = false;
    for (size_t i = 0; i < lists.size(); ++i) {
      for (int k = 0; k < 3 && next[i] < lists[i].size(); ++k) out.push_back(lists[i][next[i]++]);
      more = more || next[i] < lists[i].size();
    }
  }
  return out;
}

Status RemoveStore(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return Status::OK();
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec) &&
      !std::filesystem::is_empty(dir, ec)) {
    return Status::InvalidArgument("--fresh: " + dir + " is not a statelog store; not deleting it");
  }
  std::filesystem::remove_all(dir, ec);
  if (ec) return Status::IOError("--fresh: cannot delete " + dir + ": " + ec.message());
  return Status::OK();
}

void RunDemo(Context& ctx, const DemoArgs& a) {
  if (a.fresh && !a.flags.store.empty()) {
    return Fail(ctx, kExitUsage,
                Status::InvalidArgument("--fresh deletes an embedded store; it does not drop a "
                                        "shared PostgreSQL log"));
  }
  if (a.fresh) {
    Status st = RemoveStore(a.flags.data);
    if (!st.ok()) return Fail(ctx, kExitFailure, st);
  }
  auto opened = OpenStore(a.flags, Access::kCreate);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  auto ledger_or = opened->ledger();
  if (!ledger_or.ok()) return Fail(ctx, kExitFailure, ledger_or.status());
  Ledger& ledger = **ledger_or;
  EventStore& store = *opened->store;

  Actor irene = Actor::Irene(), alice = Actor::Alice(), bob = Actor::Bob(), ivan = Actor::Ivan();
  auto length = store.Length();
  if (!length.ok()) return Fail(ctx, kExitFailure, length.status());
  const uint64_t run = *length;  // a new run continues the log with new channels
  // Channel nonces no other run can pick, even one running at the same time on a shared log: 62
  // random bits (the three channels take nonce, nonce + 1, nonce + 2).
  std::random_device entropy;
  const uint64_t nonce =
      ((uint64_t{entropy()} << 32 | entropy()) & ((uint64_t{1} << 62) - 1)) & ~uint64_t{3};
  Timestamp now = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::printf("statelog demo: Irene's node (a hub) on the %s\n", opened->description.c_str());
  std::printf("  the log already holds %llu events%s\n\n", static_cast<unsigned long long>(run),
              run ? "; this run adds new channels after them" : "");

  // Alice pays Irene through a funded channel; Alice's node goes quiet, Irene registers a
  // challenge, Alice answers with a newer state, then they close the channel cooperatively.
  ChannelScript with_alice(irene, alice, nonce, now, Uint256(100));
  std::vector<Event> a_events;
  Fund(with_alice, irene, alice, Uint256(100), &a_events);
  for (int k = 1; k <= kPayments; ++k) {
    a_events.push_back(with_alice.Voucher(alice, Uint256(static_cast<uint64_t>(10 * k))));
  }
  size_t funded_index = 14;  // ObjectiveCompleted(fund) in Fund()
  a_events.push_back(with_alice.ChallengeRegistered(1, 1'700'086'400));
  with_alice.Transfer(alice, Uint256(static_cast<uint64_t>(10 * kPayments)));
  a_events.push_back(with_alice.Sign(alice, 2));
  a_events.push_back(with_alice.Sign(irene, 2));
  a_events.push_back(with_alice.ChallengeCleared(2));
  ObjectiveId defund = with_alice.defunding();
  a_events.push_back(with_alice.ObjectiveCreated(defund, true));
  a_events.push_back(with_alice.ObjectiveProgressed(defund, S::kFinalization));
  a_events.push_back(with_alice.Sign(irene, 3, true));
  a_events.push_back(with_alice.Sign(alice, 3, true));
  a_events.push_back(with_alice.Concluded(1'700'100'000));
  a_events.push_back(with_alice.ObjectiveProgressed(defund, S::kWithdraw));
  a_events.push_back(with_alice.AllocationUpdated(Uint256(0)));
  a_events.push_back(with_alice.ObjectiveProgressed(defund, S::kNothing));
  a_events.push_back(with_alice.ObjectiveCompleted(defund));

  // Irene forwards payments to Bob; this channel stays open.
  ChannelScript with_bob(irene, bob, nonce + 1, now, Uint256(50));
  std::vector<Event> b_events;
  Fund(with_bob, irene, bob, Uint256(50), &b_events);
  for (int k = 1; k <= kPayments; ++k) {
    b_events.push_back(with_bob.Voucher(irene, Uint256(static_cast<uint64_t>(9 * k))));
  }

  // Ivan proposes a channel; Irene's policy rejects it.
  ChannelScript with_ivan(irene, ivan, nonce + 2, now, Uint256(10));
  std::vector<Event> i_events = {
      with_ivan.Message(false, "proposal"), with_ivan.ObjectiveCreated(with_ivan.funding(), false),
      with_ivan.ObjectiveRejected(with_ivan.funding(), "policy: unknown counterparty")};

  Event funded_marker = a_events[funded_index];
  std::vector<Event> all = Interleave({a_events, b_events, i_events});
  auto start = std::chrono::steady_clock::now();
  std::optional<Offset> first, last;
  for (const Event& e : all) {
    // The Ledger already re-decides an append other writers raced with; on a busy shared log
    // it can still give up (Conflict): the demo then waits a little and tries again.
    StatusOr<AppendResult> r = ledger.Append(e);
    for (int retry = 0; !r.ok() && r.status().IsConflict() && retry < kConflictRetries; ++retry) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1 << std::min(retry, 6)));
      r = ledger.Append(e);
    }
    if (!r.ok()) {
      return Fail(ctx, kExitFailure,
                  r.status().WithPrefix("appending " + std::string(EventTypeName(e.type()))));
    }
    if (!first) first = r->offset;
    last = r->offset;
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const uint64_t others = *last - *first + 1 - all.size();
  std::printf("appended %zu checked events (%s appends) in %.1f ms: offsets %llu..%llu%s\n\n",
              all.size(), a.flags.relaxed ? "relaxed" : "durable", ms,
              static_cast<unsigned long long>(*first), static_cast<unsigned long long>(*last),
              others == 0 ? ""
                          : (" (" + std::to_string(others) +
                             " of them are others: snapshot records or other writers' events)")
                                .c_str());

  std::printf("== channels, reconstructed from the log ==\n");
  for (const ChannelScript* c : {&with_alice, &with_bob}) {
    auto state = ledger.Channel(c->id());
    if (!state.ok()) return Fail(ctx, kExitFailure, state.status());
    std::printf("%s\n", Describe(*state).c_str());
  }
  std::printf("== objectives ==\n");
  for (const ObjectiveId& id :
       {with_alice.funding(), defund, with_bob.funding(), with_ivan.funding()}) {
    auto state = ledger.Objective(id);
    if (!state.ok()) return Fail(ctx, kExitFailure, state.status());
    std::printf("%s", Describe(*state).c_str());
  }

  auto funded_at = store.Find(funded_marker.id);
  if (!funded_at.ok()) return Fail(ctx, kExitFailure, funded_at.status());
  if (*funded_at) {
    auto then = ledger.Channel(with_alice.id(), {.as_of = **funded_at});
    if (!then.ok()) return Fail(ctx, kExitFailure, then.status());
    std::printf("\n== time travel: the channel with Alice as of offset %llu (just funded) ==\n%s",
                static_cast<unsigned long long>(**funded_at), Describe(*then).c_str());
  }

  auto head_or = store.Head();
  if (!head_or.ok()) return Fail(ctx, kExitFailure, head_or.status());
  const ChainHead head = *head_or;
  std::printf("\n== chain head ==\n  %llu events, chain %s\n",
              static_cast<unsigned long long>(head.length), head.chain.ToHex().c_str());
  std::printf(
      "  (keep this value elsewhere: `statelog verify --head %llu:%s` then proves the log\n"
      "   was not rewritten)\n",
      static_cast<unsigned long long>(head.length), head.chain.ToHex().c_str());

  VerifyOptions options;
  options.snapshots = opened->snapshots;
  VerifyReport report = VerifyLog(store, options);
  std::printf("\n== verify ==\n  %llu events, %llu signatures, %llu snapshots re-checked: %s\n",
              static_cast<unsigned long long>(report.events),
              static_cast<unsigned long long>(report.signatures),
              static_cast<unsigned long long>(report.snapshots),
              report.status.ok() ? "OK" : report.status.ToString().c_str());
  if (!report.status.ok()) ctx.exit_code = kExitVerifyFailed;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run channels through funding, payments, a challenge and defunding; show the log");
  cmd->add_flag("--fresh", a->fresh, "Delete the store first and start a new log");
  AddStoreFlags(cmd, &a->flags);
  cmd->callback([&ctx, a] { RunDemo(ctx, *a); });
}

}  // namespace statelog::cli
