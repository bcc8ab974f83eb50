// The statelog command's subcommands. Each Register* function adds one subcommand (with its own
// --help) to `app`; main.cc calls them all. Exit codes are in exit_codes.h.
#ifndef STATELOG_CLI_COMMANDS_H_
#define STATELOG_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace statelog::cli {

// Shared state for a run of the command: the exit code a subcommand chose.
struct Context {
  int exit_code = 0;
};

// `statelog state id|hash|sign|recover`: Nitro developer tools on go-nitro State JSON (stdin).
void RegisterStateCommands(CLI::App& app, Context& ctx);
// `statelog codec-demo`: encodes, hashes and decodes a few events (the foundation's main job).
void RegisterCodecDemoCommand(CLI::App& app, Context& ctx);

}  // namespace statelog::cli

#endif  // STATELOG_CLI_COMMANDS_H_
