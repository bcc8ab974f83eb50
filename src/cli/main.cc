// The statelog command: `statelog --help` lists the subcommands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "serve/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"statelog: the event-sourced store of a Nitro state-channel node", "statelog"};
  app.require_subcommand(1);
  statelog::cli::Context ctx;
  statelog::cli::RegisterDemoCommand(app, ctx);
  statelog::cli::RegisterGenerateCommand(app, ctx);
  statelog::cli::RegisterDataCommands(app, ctx);
  statelog::cli::RegisterAdminCommands(app, ctx);
  statelog::cli::RegisterMigrateCommand(app, ctx);
  statelog::cli::RegisterStateCommands(app, ctx);
  statelog::cli::RegisterCodecDemoCommand(app, ctx);
  statelog::serve::RegisterServeCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
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
