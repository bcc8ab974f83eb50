// Human-readable output of the statelog command, and progress on stderr.
#ifndef STATELOG_CLI_FORMAT_H_
#define STATELOG_CLI_FORMAT_H_

#include <chrono>
#include <cstdio>
#include <string>

#include "statelog/fold.h"
#include "statelog/store.h"

namespace statelog::cli {

// "0x1234abcd…9f8e" for long hex values.
std::string Short(std::string_view hex);
// ISO 8601 UTC with milliseconds, e.g. "2023-11-14T22:13:20.000Z".
std::string FormatTime(Timestamp micros);
// One line describing an event: its entity and its main fields.
std::string Summary(const Event& event);
// Several lines describing a channel's or an objective's state.
std::string Describe(const ChannelState& c);
// "nitro-2, node 0x..." or "statelog-1 (no node: a log written before rule sets)".
std::string Describe(const LogIdentity& identity);
// `"rules":"nitro-2","node":"0x..."` (or "node":null): members for a JSON object.
std::string IdentityJsonMembers(const LogIdentity& identity);
// The channel's states as go-nitro SignedState JSON (nitro::ToNitroJson), one line per known
// turn in turn order; each signature keyed by its signer's index among the participants.
// Returns the lines, each ending in '\n'.
std::string GoNitroSignedStates(const ChannelState& c);
std::string Describe(const ObjectiveState& o);

// Progress of a long operation on stderr, only when stderr is a terminal. Updates at most ten
// times a second; Done() ends the line.
class Progress {
 public:
  explicit Progress(std::string what);
  ~Progress();
  void Update(uint64_t done, uint64_t total);
  void Done();

 private:
  std::string what_;
  bool enabled_;
  bool open_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace statelog::cli

#endif  // STATELOG_CLI_FORMAT_H_
