// `statelog repair`: salvages an embedded store whose write-ahead log is damaged or shorter than
// what it acknowledged, and prints exactly what it dropped (RepairStore).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "statelog/db.h"

namespace statelog::cli {
namespace {

void RunRepair(Context& ctx, const std::string& dir) {
  auto report = RepairStore("rocksdb:" + dir);
  if (!report.ok()) return Fail(ctx, kExitFailure, report.status());
  if (!report->repaired) {
    std::printf("statelog repair: %s opens cleanly (%llu events); nothing to repair\n", dir.c_str(),
                static_cast<unsigned long long>(report->kept));
    return;
  }
  std::printf("statelog repair: %s\n", dir.c_str());
  std::printf("  damage:      %s\n", report->damage.c_str());
  if (report->kept == 0) {
    std::printf("  kept:        no event\n");
  } else {
    std::printf("  kept:        %llu events (offsets 0..%llu)\n",
                static_cast<unsigned long long>(report->kept),
                static_cast<unsigned long long>(report->kept - 1));
  }
  if (report->acknowledged > report->kept) {
    std::printf("  dropped:     offsets %llu..%llu (%llu acknowledged events)\n",
                static_cast<unsigned long long>(report->kept),
                static_cast<unsigned long long>(report->acknowledged - 1),
                static_cast<unsigned long long>(report->acknowledged - report->kept));
  } else if (report->acknowledged == 0) {
    std::printf("  dropped:     unknown: no acknowledged head was readable (ACKED)\n");
  } else {
    std::printf("  dropped:     no acknowledged event (%llu were acknowledged)\n",
                static_cast<unsigned long long>(report->acknowledged));
  }
  for (const std::string& cut : report->cut) std::printf("  cut:         %s\n", cut.c_str());
  for (const std::string& moved : report->moved) {
    std::printf("  copied:      %s\n", moved.c_str());
  }
}

}  // namespace

void RegisterRepairCommand(CLI::App& app, Context& ctx) {
  auto dir = std::make_shared<std::string>("./statelog-data");
  CLI::App* cmd = app.add_subcommand(
      "repair",
      "Salvage an embedded store whose write-ahead log is damaged or shorter than what it "
      "acknowledged: keep the undamaged prefix, set the rest aside, print what was dropped");
  cmd->add_option("--data", *dir, "Store directory (the embedded RocksDB store)")
      ->check(NonEmpty())
      ->capture_default_str();
  cmd->callback([&ctx, dir] { RunRepair(ctx, *dir); });
}

}  // namespace statelog::cli
