// Small helpers shared by the statelog command's subcommands.
#ifndef STATELOG_CLI_UTIL_H_
#define STATELOG_CLI_UTIL_H_

#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "statelog/status.h"

namespace statelog::cli {

// Prints "statelog: <message>" to stderr and records `exit_code` in `ctx`.
inline void Fail(Context& ctx, int exit_code, const Status& status) {
  std::fprintf(stderr, "statelog: %s\n", status.ToString().c_str());
  ctx.exit_code = exit_code;
}

// Returns the exit code for a failed store operation: bad input data or a failure.
int ExitCodeFor(const Status& status);

}  // namespace statelog::cli

#endif  // STATELOG_CLI_UTIL_H_
