// Exit codes of the statelog command (documented in docs/cli.md).
#ifndef STATELOG_CLI_EXIT_CODES_H_
#define STATELOG_CLI_EXIT_CODES_H_

namespace statelog::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // the operation failed (I/O, store error)
inline constexpr int kExitUsage = 2;         // bad command line
inline constexpr int kExitBadInput = 3;      // input data rejected (JSON, hex, a bad event line)
inline constexpr int kExitVerifyFailed = 4;  // `verify` or `check-proof` found a problem

}  // namespace statelog::cli

#endif  // STATELOG_CLI_EXIT_CODES_H_
