// Small helpers shared by the statelog command's subcommands.
#ifndef STATELOG_CLI_UTIL_H_
#define STATELOG_CLI_UTIL_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <string>

#include "base/decimal.h"
#include "cli/commands.h"
#include "statelog/status.h"

namespace statelog::cli {

// Prints "statelog: <message>" to stderr and records `exit_code` in `ctx`.
inline void Fail(Context& ctx, int exit_code, const Status& status) {
  std::fprintf(stderr, "statelog: %s\n", status.ToString().c_str());
  ctx.exit_code = exit_code;
}

// Accepts only a plain decimal number that fits in 64 bits (checked before conversion: CLI11
// alone takes "-1" for 2^64-1, "" for 0 and "0x10" for 16). Every numeric option uses it.
inline CLI::Validator Decimal() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (!ParseDecimal64(text).ok()) {
          return "must be a decimal number from 0 to 18446744073709551615, not '" + text + "'";
        }
        return "";
      },
      "", "decimal");
}

// Refuses an empty value (an option given as "" would otherwise mean "not given").
inline CLI::Validator NonEmpty() {
  return CLI::Validator(
      [](std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; }, "",
      "non-empty");
}

// Returns the exit code for a failed store operation: bad input data or a failure.
int ExitCodeFor(const Status& status);

}  // namespace statelog::cli

#endif  // STATELOG_CLI_UTIL_H_
