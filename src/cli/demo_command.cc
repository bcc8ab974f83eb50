// `statelog demo`: statelog's main job. Irene's node (a hub) runs ledger channels with Alice, Bob
// and Ivan and a virtual channel from Alice to Bob through the checked domain API into the
// embedded store, under go-nitro's rules, then shows what the log proves: reconstructed states,
// time travel, the chain head and a full verification.
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
#include "demo/network.h"
#include "statelog/nitro.h"
#include "statelog/verify.h"

namespace statelog::cli {
namespace {

// Conflicts the demo waits out per event, beyond the Ledger's own retries.
constexpr int kConflictRetries = 20;

using demo::Actor;

struct DemoArgs {
  StoreFlags flags;
  bool fresh = false;
};

// Vouchers Alice pays Bob (`statelog generate` makes histories of any size).
constexpr int kPayments = 5;

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
  StoreFlags flags = a.flags;
  flags.node = Actor::Irene().address.ToHex();      // the demo's log is the hub's
  auto opened = OpenStore(flags, Access::kCreate);  // a new log is created for Irene's node
  if (!opened.ok()) {
    const Status& st = opened.status();
    return Fail(ctx, kExitFailure,
                st.code() == StatusCode::kFailedPrecondition
                    ? st.WithPrefix("this store is not Irene's log (start over with --fresh)")
                    : st);
  }
  DB& db = **opened;
  const EventStore& store = db.events();
  auto length = store.Length();
  if (!length.ok()) return Fail(ctx, kExitFailure, length.status());
  // A new log holds only its log_created, written by the open; a new run on an older one continues
  // it with new channels.
  const uint64_t run = *length > 1 ? *length : 0;

  Actor irene = Actor::Irene(), alice = Actor::Alice(), bob = Actor::Bob(), ivan = Actor::Ivan();
  // Channel nonces no other run can pick, even one running at the same time on a shared log: 62
  // random bits (the channels take nonce to nonce + 3).
  std::random_device entropy;
  const uint64_t nonce =
      ((uint64_t{entropy()} << 32 | entropy()) & ((uint64_t{1} << 62) - 1)) & ~uint64_t{3};
  Timestamp now = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::printf("statelog demo: Irene's node (a hub, %s) on the %s\n", irene.address.ToHex().c_str(),
              db.description().c_str());
  if (run) {
    std::printf("  the log already holds %llu events; this run adds new channels after them\n\n",
                static_cast<unsigned long long>(run));
  } else {
    std::printf("  a new log: its first event names Irene's node and rule set %s\n\n",
                std::string(RuleSetName(kCurrentRuleSet)).c_str());
  }

  // The story as Irene's node records it (docs/architecture/nitro-rules.md): Alice and Bob fund
  // ledger channels with the hub, Ivan's is rejected; Alice pays Bob through Irene on a virtual
  // channel; Alice's ledger is challenged and cleared; the virtual channel is defunded, then
  // Alice's ledger.
  demo::Network net(now, {irene.address});
  demo::LedgerChannel& with_alice = net.FundLedger(alice, irene, nonce, Uint256(100), Uint256(100));
  const size_t funded = net.Log(irene.address).size();  // Alice's ledger is funded here
  demo::LedgerChannel& with_bob = net.FundLedger(bob, irene, nonce + 1, Uint256(50), Uint256(100));
  net.Message(ivan, irene, "ledger channel proposal");
  net.RejectLedger(ivan, irene, nonce + 2);
  net.RegisterChallenge(with_alice, 1'700'086'400);
  demo::VirtualChannel& v =
      net.FundVirtual({alice, irene, bob}, {&with_alice, &with_bob}, nonce + 3, Uint256(40));
  net.ClearChallenge(with_alice);
  for (int k = 0; k < kPayments; ++k) net.Pay(v, Uint256(5));
  net.DefundVirtual(v);
  net.DefundLedger(with_alice, 1'700'100'000);
  const std::vector<Event> all = net.TakeLog(irene.address);

  auto start = std::chrono::steady_clock::now();
  std::optional<Offset> first, last;
  for (const Event& e : all) {
    // The Ledger already re-decides an append other writers raced with; on a busy shared log
    // it can still give up (Conflict): the demo then waits a little and tries again.
    StatusOr<AppendResult> r = db.Append(e);
    for (int retry = 0; !r.ok() && r.status().IsConflict() && retry < kConflictRetries; ++retry) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1 << std::min(retry, 6)));
      r = db.Append(e);
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
  for (const ChannelId& id : {with_alice.id, with_bob.id, v.id}) {
    auto state = db.Channel(id);
    if (!state.ok()) return Fail(ctx, kExitFailure, state.status());
    std::printf("%s\n", Describe(*state).c_str());
  }
  std::printf("== objectives ==\n");
  const ChannelId ivans = nitro::ComputeChannelId(
      FixedPart{{ivan.address, irene.address}, nonce + 2, Address{}, 86400});
  for (const ObjectiveId& id : {ObjectiveId{ObjectiveKind::kDirectFunding, with_alice.id},
                                ObjectiveId{ObjectiveKind::kDirectFunding, with_bob.id},
                                ObjectiveId{ObjectiveKind::kDirectFunding, ivans},
                                ObjectiveId{ObjectiveKind::kVirtualFund, v.id},
                                ObjectiveId{ObjectiveKind::kVirtualDefund, v.id},
                                ObjectiveId{ObjectiveKind::kDirectDefunding, with_alice.id}}) {
    auto state = db.Objective(id);
    if (!state.ok()) return Fail(ctx, kExitFailure, state.status());
    std::printf("%s", Describe(*state).c_str());
  }

  auto funded_at = store.Find(all[funded - 1].id);
  if (!funded_at.ok()) return Fail(ctx, kExitFailure, funded_at.status());
  if (*funded_at) {
    auto then = db.Channel(with_alice.id, {.as_of = **funded_at});
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
  options.snapshots = &db.snapshots();
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
      "demo",
      "Run a hub's node (Irene's) through ledger and virtual channels, payments, a challenge and "
      "defunding under go-nitro's rules; show the log");
  cmd->add_flag("--fresh", a->fresh, "Delete the store first and start a new log");
  AddStoreFlags(cmd, &a->flags);
  cmd->callback([&ctx, a] { RunDemo(ctx, *a); });
}

}  // namespace statelog::cli
