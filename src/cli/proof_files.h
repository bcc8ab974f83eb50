// Reading and writing the files of the proof commands: proof files, signed checkpoints, their
// output (proof_commands.cc, check_proof_command.cc).
#ifndef STATELOG_CLI_PROOF_FILES_H_
#define STATELOG_CLI_PROOF_FILES_H_

#include <cstddef>
#include <string>

#include "statelog/checkpoint.h"
#include "statelog/status.h"

namespace statelog::cli {

// Larger proof and checkpoint files are refused: a proof is a few KiB, a bundle of a long
// channel a few MiB.
inline constexpr size_t kMaxProofFileBytes = size_t{256} << 20;

// Reads all of `path` (at most `limit` bytes); errors start with `what`.
Status ReadSmallFile(const std::string& path, const std::string& what, size_t limit,
                     std::string* out);
// Writes `text` to `path`, or to stdout when `path` is empty.
Status WriteOutput(const std::string& path, const std::string& text);
// Parses a signed checkpoint file without checking its signature (the prover's input: the
// checker checks it).
StatusOr<tlog::Checkpoint> ReadCheckpointFile(const std::string& path);

}  // namespace statelog::cli

#endif  // STATELOG_CLI_PROOF_FILES_H_
