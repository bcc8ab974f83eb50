// `statelog migrate-go-nitro DIR`: a go-nitro node's store into a new statelog log
// (docs/migrating-from-go-nitro.md).
#include <chrono>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "gonitro/migrate.h"
#include "statelog/reconstruct.h"

namespace statelog::cli {
namespace {

struct MigrateArgs {
  StoreFlags flags;
  std::string dir;
  bool dry_run = false;
  std::optional<uint64_t> timestamp;
};

Timestamp Now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Names the source of the batch event an error is about (Status::index()).
Status WithSource(const Status& st, const gonitro::MigrationPlan& plan) {
  if (!st.index() || *st.index() >= plan.sources.size()) return st;
  return st.WithPrefix(plan.sources[*st.index()]);
}

// Names event `i` of the plan in an error about it, as the Ledger does.
Status ForEvent(const Status& st, size_t i, const Event& e) {
  return st.WithIndex(
      i, "event " + std::to_string(i) + " (" + std::string(EventTypeName(e.type())) + ")");
}

// Fails with the differences, one per line after the first.
Status Differences(std::string_view when, const std::vector<std::string>& diffs) {
  std::string text = std::string(when) + ": " + std::to_string(diffs.size()) + " differences";
  for (const std::string& d : diffs) text += "\n  " + d;
  return Status::FailedPrecondition(text);
}

// The log folded as go-nitro keeps channels: every signed turn, superseded ones included.
StatusOr<NodeView> FoldEveryTurn(const EventStore& store) {
  STATELOG_ASSIGN_OR_RETURN(uint64_t length, store.Length());
  NodeView view;
  STATELOG_RETURN_IF_ERROR(store.Scan(0, length, [&view](Offset offset, const Event& event) {
    Status st = ApplyToView(event, offset, &view, TurnRetention::kAll);
    return st.ok() ? st : FoldError(st, offset, event);
  }));
  return view;
}

void PrintReport(const gonitro::GoNitroStore& store, const gonitro::MigrationPlan& plan,
                 std::string_view target) {
  std::printf("go-nitro store of node %s (%s)\n", store.node.ToHex().c_str(), store.dir.c_str());
  for (const gonitro::SourceFile& f : store.files) {
    std::printf("  %-32s %10llu bytes  %6llu keys  keccak256 %s\n", f.name.c_str(),
                static_cast<unsigned long long>(f.size), static_cast<unsigned long long>(f.keys),
                f.digest.ToHex().c_str());
  }
  size_t ledgers = 0, signatures = 0, vouchers = 0;
  for (const auto& [id, v] : store.vouchers) vouchers += store.channels.count(id);
  for (const auto& [id, c] : store.channels) {
    ledgers += c.consensus ? 1 : 0;
    for (const auto& [turn, s] : c.states) signatures += s.sigs.size();
  }
  std::printf(
      "%s: %zu events: %zu channels (%zu ledger), %zu signatures, %zu vouchers, "
      "%zu objectives, after a store_imported event at offset 0\n",
      std::string(target).c_str(), plan.events.size(), store.channels.size(), ledgers, signatures,
      vouchers, store.objectives.size());
  std::printf("compare: every channel, objective and voucher of the store equals the log's fold\n");
  std::printf("not imported:\n");
  for (const std::string& m : plan.missing) std::printf("  %s\n", m.c_str());
}

void RunMigrate(Context& ctx, const MigrateArgs& a) {
  auto store = gonitro::ReadGoNitroStore(a.dir);
  if (!store.ok()) return Fail(ctx, ExitCodeFor(store.status()), store.status());
  auto plan = gonitro::PlanMigration(*store, a.timestamp ? *a.timestamp : Now());
  if (!plan.ok()) return Fail(ctx, ExitCodeFor(plan.status()), plan.status());

  // Legality and the compare step first, on a fold of the events alone: a store the log cannot
  // reproduce appends nothing.
  NodeView view;
  for (size_t i = 0; i < plan->events.size(); ++i) {
    Status st = ApplyToView(plan->events[i], i, &view, TurnRetention::kAll);
    if (!st.ok()) {
      return Fail(
          ctx, kExitBadInput,
          WithSource(ForEvent(st, i, plan->events[i]), *plan).WithPrefix("nothing imported"));
    }
  }
  if (auto diffs = gonitro::Compare(*store, view); !diffs.empty()) {
    return Fail(ctx, kExitBadInput,
                Differences("nothing imported: the log would not reproduce the store", diffs));
  }

  // The checked append: the Ledger recomputes every id and state hash and recovers every
  // signature as it appends. An embedded store this run creates is removed again if the append
  // fails, so that bad input leaves nothing behind.
  std::unique_ptr<DB> db;
  bool created = false;
  std::string target;
  if (a.dry_run) {
    auto memory = DB::Open("memory:");
    if (!memory.ok()) return Fail(ctx, kExitFailure, memory.status());
    db = std::move(*memory);
    target = "dry run (nothing written)";
  } else {
    std::error_code ec;
    created = a.flags.store.empty() && !std::filesystem::exists(a.flags.data, ec);
    auto o = OpenStore(a.flags, Access::kCreate);
    if (!o.ok()) return Fail(ctx, kExitFailure, o.status());
    db = std::move(*o);
    auto length = db->events().Length();
    if (!length.ok()) return Fail(ctx, kExitFailure, length.status());
    if (*length != 0) {
      return Fail(ctx, kExitBadInput,
                  Status::FailedPrecondition("nothing imported: " + db->description() +
                                             " already holds " + std::to_string(*length) +
                                             " events; migrate into a new store"));
    }
    target = "imported into " + db->description();
  }
  AppendOptions expect;
  expect.expected_length = 0;
  auto results = db->AppendBatch(plan->events, expect);
  if (!results.ok()) {
    db.reset();  // closed before it is removed
    std::error_code ec;
    if (created) std::filesystem::remove_all(a.flags.data, ec);
    return Fail(ctx, ExitCodeFor(results.status()),
                WithSource(results.status(), *plan).WithPrefix("nothing imported"));
  }
  // The compare step again, on what the store now holds.
  auto stored = FoldEveryTurn(db->events());
  if (!stored.ok()) return Fail(ctx, kExitFailure, stored.status());
  if (auto diffs = gonitro::Compare(*store, *stored); !diffs.empty()) {
    return Fail(ctx, kExitFailure, Differences("the imported log differs from the store", diffs));
  }
  PrintReport(*store, *plan, target);
}

}  // namespace

void RegisterMigrateCommand(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<MigrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "migrate-go-nitro",
      "Import a go-nitro node's store (its buntdb files) into a new log, checked and compared");
  cmd->add_option("DIR", a->dir,
                  "The node's store directory (0x<node address>), or the folder holding it")
      ->required()
      ->check(NonEmpty());
  AddStoreFlags(cmd, &a->flags);
  cmd->add_flag("--dry-run", a->dry_run, "Read, check and compare; write nothing");
  cmd->add_option("--timestamp", a->timestamp,
                  "Microseconds since the epoch for the first imported event (default: now)")
      ->check(Decimal());
  cmd->callback([&ctx, a] { RunMigrate(ctx, *a); });
}

}  // namespace statelog::cli
