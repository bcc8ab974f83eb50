// A load generator: realistic signed histories of any size for sizing a node, under go-nitro's
// rules (rule set 2). A hub (Irene) serves clients in pairs: each client funds a ledger channel
// with the hub directly; the first of a pair pays the second through the hub on a virtual channel
// funded by guarantees in both ledgers (vouchers), now and then after a challenge on its ledger
// that is later cleared; then the virtual channel is defunded and both ledgers too (or, for some
// pairs, everything stays open). Several pairs are in progress at once and their events
// interleave as on a busy node. The history is one node's log: the hub's (by default) or one
// client's, beginning with its log_created event.
//
// Everything follows from the options: the same options give the same events, byte for byte
// (client keys, nonces, amounts and the interleaving come from `seed`; timestamps from `start`).
// Not thread-safe; signs on every core while it fills a batch.
#ifndef STATELOG_DEMO_GENERATOR_H_
#define STATELOG_DEMO_GENERATOR_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "demo/scenario.h"
#include "statelog/event.h"

namespace statelog::demo {

struct GeneratorOptions {
  // Ledger channels the hub opens over the whole history, one per client (at least 1). Clients
  // come in pairs; an odd last client funds and defunds its ledger alone.
  uint64_t channels = 100;
  // Mean vouchers per virtual channel; each draws its count from [0, 2 * payments].
  uint64_t payments = 20;
  // Percent of the pairs whose payer's ledger sees a challenge registered and then cleared.
  uint32_t challenge_percent = 10;
  // Percent of the pairs left open at the end, without defunding (0 to 100).
  uint32_t open_percent = 20;
  // Pairs in progress at once, whose events interleave (at least 1).
  uint64_t concurrency = 16;
  // Whose log: nullopt for the hub's, K for client K's (K < channels).
  std::optional<uint64_t> client;
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
  // Ledger channels whose every event was produced.
  uint64_t channels_done() const { return channels_done_; }
  // The address of the node whose log this is.
  Address node() const;

 private:
  // Builds the histories of the next pairs, several at once on every core.
  void Prefetch();
  uint64_t Random();

  GeneratorOptions options_;
  uint64_t rng_state_;
  uint64_t next_pair_ = 0;  // the next pair Prefetch() builds
  bool started_ = false;    // the log_created event was produced
  std::deque<std::vector<Event>> ready_;
  std::vector<std::vector<Event>> active_;
  std::vector<size_t> position_;  // next event of each active pair
  uint64_t events_ = 0;
  uint64_t signatures_ = 0;
  uint64_t channels_done_ = 0;
};

// Returns the events of pair number `index` of a generated history in the chosen node's log (what
// Generator interleaves; empty for a client's log when the client is not in the pair).
std::vector<Event> GeneratePair(const GeneratorOptions& options, uint64_t index);
// Client `k` of histories made with `options.seed` (its key follows from the seed and k).
Actor Client(const GeneratorOptions& options, uint64_t k);
// The number of pairs `options` make: ceil(channels / 2).
uint64_t PairCount(const GeneratorOptions& options);

}  // namespace statelog::demo

#endif  // STATELOG_DEMO_GENERATOR_H_
