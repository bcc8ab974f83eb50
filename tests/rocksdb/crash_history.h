// The history the crash harness appends: RandomHistory split into lanes, one per writer thread.
// Each channel's events (its objective's too) stay in one lane, in order, so any interleaving of
// lane prefixes is a legal log.
#ifndef STATELOG_TESTS_ROCKSDB_CRASH_HISTORY_H_
#define STATELOG_TESTS_ROCKSDB_CRASH_HISTORY_H_

#include <gtest/gtest.h>

#include <unordered_set>
#include <vector>

#include "fold/fold_test_util.h"  // needs gtest

namespace statelog::test {

inline constexpr int kCrashChannels = 24;

// Returns the lane of `event` among `lanes`.
inline size_t LaneOf(const Event& event, size_t lanes) {
  const ChannelId* c = event.channel();
  if (c == nullptr && event.objective()) c = &event.objective()->channel;
  if (c == nullptr) return 0;
  return c->bytes[0] % lanes;
}

inline std::vector<std::vector<Event>> CrashLanes(uint64_t seed, int threads) {
  std::vector<std::vector<Event>> lanes(static_cast<size_t>(threads));
  std::unordered_set<EventId> seen;  // RandomHistory can repeat an event; a batch must not
  for (Event& e : testing::RandomHistory(kCrashChannels, seed)) {
    if (seen.insert(e.id).second) lanes[LaneOf(e, lanes.size())].push_back(std::move(e));
  }
  return lanes;
}

}  // namespace statelog::test

#endif  // STATELOG_TESTS_ROCKSDB_CRASH_HISTORY_H_
