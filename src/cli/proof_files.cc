#include "cli/proof_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/read_file.h"
#include "statelog/note.h"

namespace statelog::cli {

// Reads all of `path` (at most `limit` bytes). IOError naming the file and the reason.
Status ReadSmallFile(const std::string& path, const std::string& what, size_t limit,
                     std::string* out) {
  const ReadFailure failure = ReadWholeFile(path, limit, out);
  switch (failure.kind) {
    case ReadFailure::kNone:
      return Status::OK();
    case ReadFailure::kDirectory:
      return Status::InvalidArgument(what + ": it is a directory");
    case ReadFailure::kTooLarge:
      return Status::InvalidArgument(what + ": larger than " + std::to_string(limit) + " bytes");
    case ReadFailure::kOpen:
    case ReadFailure::kRead:
      break;
  }
  return Status::IOError(what + ": cannot read it: " + std::strerror(failure.error));
}

// Writes `text` to `path`, or to stdout when `path` is empty.
Status WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty()) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      return Status::IOError("cannot write stdout: " + std::string(std::strerror(errno)));
    }
    return Status::OK();
  }
  std::FILE* f = std::fopen(path.c_str(), "wbe");
  if (f == nullptr) return Status::IOError("--out: cannot create " + path + ": " + strerror(errno));
  const bool wrote = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed) {
    return Status::IOError("--out: cannot write " + path + ": " + strerror(errno));
  }
  return Status::OK();
}

// Parses a signed checkpoint file without checking its signature (the prover's input: the
// checker checks it).
StatusOr<tlog::Checkpoint> ReadCheckpointFile(const std::string& path) {
  std::string text;
  STATELOG_RETURN_IF_ERROR(ReadSmallFile(path, path, kMaxProofFileBytes, &text));
  StatusOr<tlog::SignedNote> note = tlog::ParseNote(text);
  if (!note.ok()) return note.status().WithPrefix(path);
  StatusOr<tlog::Checkpoint> c = tlog::Checkpoint::ParseText(note->text);
  if (!c.ok()) return c.status().WithPrefix(path);
  return c;
}

}  // namespace statelog::cli
