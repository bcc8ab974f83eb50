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
// `statelog codec-demo`: encodes, hashes and decodes a few events.
void RegisterCodecDemoCommand(CLI::App& app, Context& ctx);
// `statelog demo`: statelog's main job (demo_command.cc).
void RegisterDemoCommand(CLI::App& app, Context& ctx);
// `statelog generate`: realistic signed histories of any size (generate_command.cc).
void RegisterGenerateCommand(CLI::App& app, Context& ctx);
// `statelog import`, `export`, `log`, `show` (data_commands.cc).
void RegisterDataCommands(CLI::App& app, Context& ctx);
// `statelog migrate-go-nitro` (migrate_command.cc).
void RegisterMigrateCommand(CLI::App& app, Context& ctx);
// `statelog snapshot`, `verify`, `stats` (admin_commands.cc).
void RegisterAdminCommands(CLI::App& app, Context& ctx);
// `statelog repair` (repair_command.cc).
void RegisterRepairCommand(CLI::App& app, Context& ctx);
// `statelog backup`, `restore`, `backup-check` (backup_commands.cc).
void RegisterBackupCommands(CLI::App& app, Context& ctx);
// `statelog checkpoint`, `prove`, `check-proof` (proof_commands.cc).
void RegisterProofCommands(CLI::App& app, Context& ctx);
void RegisterCheckProofCommand(CLI::App& app, Context& ctx);

}  // namespace statelog::cli

#endif  // STATELOG_CLI_COMMANDS_H_
