// Reading a whole input file (or stdin) for a command, with what went wrong kept as data so that
// each command words its own message.
#ifndef STATELOG_CLI_READ_FILE_H_
#define STATELOG_CLI_READ_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace statelog::cli {

struct ReadFailure {
  enum Kind { kNone, kOpen, kDirectory, kRead, kTooLarge };
  Kind kind = kNone;
  int error = 0;    // errno, for kOpen and kRead
  uint64_t at = 0;  // bytes read before a kRead
  bool ok() const { return kind == kNone; }
};

// Reads all of `path` ("-": standard input) into *out, refusing a directory and more than `limit`
// bytes. A failed read is a failure, never taken for the end of the input. A regular file is read
// into one allocation of its size.
ReadFailure ReadWholeFile(const std::string& path, size_t limit, std::string* out);

}  // namespace statelog::cli

#endif  // STATELOG_CLI_READ_FILE_H_
