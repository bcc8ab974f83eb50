// `statelog serve` (serve_command.cc), registered by the statelog command's main.cc.
#ifndef STATELOG_CLI_SERVE_COMMAND_H_
#define STATELOG_CLI_SERVE_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace statelog::serve {

// Adds `statelog serve` to `app`.
void RegisterServeCommand(CLI::App& app, cli::Context& ctx);

}  // namespace statelog::serve

#endif  // STATELOG_CLI_SERVE_COMMAND_H_
