// Realistic sample events of every type, for tests, benchmarks and the fuzzer's seed corpus.
#ifndef STATELOG_TESTS_TESTING_SAMPLE_EVENTS_H_
#define STATELOG_TESTS_TESTING_SAMPLE_EVENTS_H_

#include <cstdint>
#include <vector>

#include "statelog/event.h"

namespace statelog::testing {

// Returns a deterministic pseudo-random value of T for seed `seed`.
Bytes32 SampleBytes32(uint64_t seed);
Address SampleAddress(uint64_t seed);
Signature SampleSignature(uint64_t seed);

// Returns a two-party outcome with `allocations` allocations per asset and `assets` assets.
Exit SampleOutcome(uint64_t seed, size_t assets = 1, size_t allocations = 2);
VariablePart SampleVariablePart(uint64_t seed, uint64_t turn_num);

// Returns one event of type `type`, deterministic in `seed`, at `timestamp`.
Event SampleEvent(EventType type, uint64_t seed, Timestamp timestamp);
// Returns one event of every type.
std::vector<Event> OneOfEachType(uint64_t seed = 1);
// Returns events with extreme values: amounts of 2^256-1, empty and 64 KiB appData, 100
// allocations, 10 participants, text with quotes, backslashes, control characters and UTF-8.
std::vector<Event> EdgeCaseEvents();
// Returns `n` events in the proportions of a busy node (mostly states, vouchers and messages).
std::vector<Event> RealisticMix(size_t n, uint64_t seed = 7);

}  // namespace statelog::testing

#endif  // STATELOG_TESTS_TESTING_SAMPLE_EVENTS_H_
