// Internal text helpers of the tlog layer: the line-oriented formats of notes, checkpoints and
// proof files.
#ifndef STATELOG_TLOG_TEXT_H_
#define STATELOG_TLOG_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "statelog/status.h"

namespace statelog::tlog {

// OK when `text` is valid UTF-8 without control characters other than newline (signed-note's
// rule); InvalidArgument naming the byte offset otherwise.
Status CheckNoteCharacters(std::string_view text);

// Parses a decimal without sign or leading zeros ("0" alone is fine) below 2^63.
// InvalidArgument naming `what` otherwise.
StatusOr<uint64_t> ParseDecimal(std::string_view text, std::string_view what);

// Reads lines of a text whose lines each end with a newline.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}
  // Sets *line to the next line without its newline; false at the end or when the last line has
  // no newline (then incomplete() is true).
  bool Next(std::string_view* line);
  bool incomplete() const { return incomplete_; }
  // The line number (from 1) of the line Next() returned last.
  int line_number() const { return line_number_; }
  // What follows the last line returned.
  std::string_view rest() const { return rest_; }
  // "line N: " for messages.
  std::string Where() const { return "line " + std::to_string(line_number_) + ": "; }

 private:
  std::string_view rest_;
  int line_number_ = 0;
  bool incomplete_ = false;
};

}  // namespace statelog::tlog

#endif  // STATELOG_TLOG_TEXT_H_
