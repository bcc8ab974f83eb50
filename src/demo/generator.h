// A load generator: realistic signed histories of any size for sizing a node. A hub (Irene) runs
// direct-funded ledger channels with many peers: funding, payments as vouchers both ways, now and
// then a challenge and its clearing, then defunding (or the channel stays open). Several channels
// are in progress at once and their events interleave as on a busy node.
//
// Everything follows from the options: the same options give the same events, byte for byte
// (peer keys, nonces, amounts and the interleaving come from `seed`; timestamps from `start`).
// Not thread-safe; signs on every core while it fills a batch.
#ifndef STATELOG_DEMO_GENERATOR_H_
#define STATELOG_DEMO_GENERATOR_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "statelog/event.h"

namespace statelog::demo {

struct GeneratorOptions {
  // Channels the hub opens over the whole history (at least 1).
  uint64_t channels = 100;
  // Mean vouchers per channel; each channel draws its count from [0, 2 * payments].
  uint64_t payments = 20;
  // Percent of the channels that see a challenge registered and then cleared (0 to 100).
  uint32_t challenge_percent = 10;
  // Percent of the channels left open at the end, without defunding (0 to 100).
  uint32_t open_percent = 20;
  // Channels in progress at once, whose events interleave (at least 1).
  uint64_t concurrency = 16;
  // Chooses peer keys, nonces, payment counts and directions, and the interleaving.
  uint64_t seed = 1;
  // Timestamp of the first channel's first event (microseconds since the Unix epoch).
  Timestamp start = 1'700'000'000'000'000;
};

class Generator {
 public:
  // REQUIRES: options.channels >= 1 and options.concurrency >= 1; percents at most 100.
  explicit Generator(const GeneratorOptions& options);
  ~Generator();

  // Appends up to `max` further events to *out. Returns false once the history is complete
  // (nothing was appended).
  bool Next(size_t max, std::vector<Event>* out);

  const GeneratorOptions& options() const { return options_; }
  // Events produced so far, and signatures among them.
  uint64_t events() const { return events_; }
  uint64_t signatures() const { return signatures_; }
  // Channels whose every event was produced.
  uint64_t channels_done() const { return channels_done_; }

 private:
  struct Channel;
  // Builds the histories of the next channels, several at once on every core.
  void Prefetch();
  uint64_t Random();

  GeneratorOptions options_;
  uint64_t rng_state_;
  uint64_t next_channel_ = 0;  // the next channel Prefetch() builds
  std::deque<std::vector<Event>> ready_;
  std::vector<std::vector<Event>> active_;
  std::vector<size_t> position_;  // next event of each active channel
  uint64_t events_ = 0;
  uint64_t signatures_ = 0;
  uint64_t channels_done_ = 0;
};

// Returns the events of channel number `index` of a generated history (what Generator
// interleaves).
std::vector<Event> GenerateChannel(const GeneratorOptions& options, uint64_t index);

}  // namespace statelog::demo

#endif  // STATELOG_DEMO_GENERATOR_H_
