// The statelog command: `statelog --help` lists the subcommands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/serve_command.h"

namespace {

// Reports an argument nothing on the command line took, e.g. the unknown subcommand of `statelog
// vacuum --help`, whose help request would otherwise print the general help and exit 0. Returns
// false when every argument was taken.
bool ReportLeftover(const CLI::App& app, const std::string& path) {
  const std::vector<std::string> left = app.remaining(false);
  if (!left.empty()) {
    const std::string& arg = left.front();
    const bool has_subcommands = !app.get_subcommands([](const CLI::App*) { return true; }).empty();
    if (has_subcommands && arg.rfind('-', 0) != 0) {
      std::fprintf(stderr, "statelog: unknown subcommand \"%s\" of %s (%s --help lists them)\n",
                   arg.c_str(), path.c_str(), path.c_str());
    } else if (path == "statelog") {  // not "statelog: statelog: ..."
      std::fprintf(stderr,
                   "statelog: unexpected argument \"%s\" (statelog --help lists the options)\n",
                   arg.c_str());
    } else {
      std::fprintf(stderr,
                   "statelog: %s: unexpected argument \"%s\" (%s --help lists the options)\n",
                   path.c_str(), arg.c_str(), path.c_str());
    }
    return true;
  }
  for (const CLI::App* sub : app.get_subcommands()) {
    if (ReportLeftover(*sub, path + " " + sub->get_name())) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"statelog: the event-sourced store of a Nitro state-channel node", "statelog"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "statelog " STATELOG_VERSION_STRING);
  statelog::cli::Context ctx;
  statelog::cli::RegisterDemoCommand(app, ctx);
  statelog::cli::RegisterGenerateCommand(app, ctx);
  statelog::cli::RegisterDataCommands(app, ctx);
  statelog::cli::RegisterAdminCommands(app, ctx);
  statelog::cli::RegisterRepairCommand(app, ctx);
  statelog::cli::RegisterBackupCommands(app, ctx);
  statelog::cli::RegisterProofCommands(app, ctx);
  statelog::cli::RegisterCheckProofCommand(app, ctx);
  statelog::cli::RegisterMigrateCommand(app, ctx);
  statelog::cli::RegisterStateCommands(app, ctx);
  statelog::cli::RegisterCodecDemoCommand(app, ctx);
  statelog::serve::RegisterServeCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // An argument that names nothing is a usage error, also beside --help.
    if (ReportLeftover(app, "statelog")) return statelog::cli::kExitUsage;
    int rc = app.exit(e);
    return rc == 0 ? statelog::cli::kExitOk : statelog::cli::kExitUsage;
  } catch (const std::exception& e) {
    // A bug, never an expected outcome: every refusal is a Status. Reported instead of aborting.
    std::fprintf(stderr, "statelog: internal error: %s\n", e.what());
    return statelog::cli::kExitFailure;
  } catch (...) {
    std::fprintf(stderr, "statelog: internal error: unknown exception\n");
    return statelog::cli::kExitFailure;
  }
  return ctx.exit_code;
}
