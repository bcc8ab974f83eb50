// Realistic Nitro events for the store tests and benchmarks, built with Event::Make so their ids
// are valid. Signatures and state hashes are arbitrary bytes: the store checks no signature.
#ifndef STATELOG_TESTS_STORE_TEST_EVENTS_H_
#define STATELOG_TESTS_STORE_TEST_EVENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "statelog/event.h"
#include "statelog/keccak.h"

namespace statelog::test {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderTsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kUnderTsan = true;
#else
inline constexpr bool kUnderTsan = false;
#endif
#else
inline constexpr bool kUnderTsan = false;
#endif

// Returns a distinct channel id for each `n`.
inline ChannelId TestChannel(uint64_t n) {
  return Keccak256("statelog test channel " + std::to_string(n));
}

inline ObjectiveId TestObjective(uint64_t n) {
  return ObjectiveId{ObjectiveKind::kDirectFunding, TestChannel(n)};
}

inline Address TestAddress(uint8_t seed) {
  Address a;
  for (size_t i = 0; i < a.size(); ++i) a.bytes[i] = static_cast<uint8_t>(seed * 31 + i);
  return a;
}

inline Event ObjectiveCreatedEvent(uint64_t channel, Timestamp ts) {
  return Event::Make(ts, events::ObjectiveCreated{TestObjective(channel),
                                                  {TestChannel(channel)},
                                                  /*approved=*/true});
}

inline Event ObjectiveApprovedEvent(uint64_t channel, Timestamp ts) {
  return Event::Make(ts, events::ObjectiveApproved{TestObjective(channel)});
}

// A signed state of `channel` at `turn`, with a two-party outcome on the native asset.
inline Event StateSignedEvent(uint64_t channel, uint64_t turn, Timestamp ts) {
  VariablePart state;
  state.turn_num = turn;
  SingleAssetExit exit;
  exit.allocations.push_back(
      Allocation{ToDestination(TestAddress(1)), Uint256(1000 - turn), 0, {}});
  exit.allocations.push_back(Allocation{ToDestination(TestAddress(2)), Uint256(turn), 0, {}});
  state.outcome.push_back(exit);
  events::StateSigned body;
  body.channel_id = TestChannel(channel);
  body.state = state;
  body.state_hash = Keccak256("state " + std::to_string(channel) + "/" + std::to_string(turn));
  for (size_t i = 0; i < body.signature.size(); ++i) {
    body.signature.bytes[i] = static_cast<uint8_t>(turn + i);
  }
  body.signature.bytes[64] = 27;
  return Event::Make(ts, body);
}

inline Event DepositEvent(uint64_t channel, uint64_t block, Timestamp ts) {
  return Event::Make(ts, events::DepositDetected{TestChannel(channel), Address(), Uint256(100),
                                                 Uint256(100 * block), block});
}

// Returns `count` events of one channel, timestamps strictly increasing from `start`:
// ObjectiveCreated, then alternately StateSigned (turn 0, 1, ...) and DepositDetected.
inline std::vector<Event> ChannelEvents(uint64_t channel, size_t count, Timestamp start) {
  std::vector<Event> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const Timestamp ts = start + static_cast<Timestamp>(i);
    if (i == 0) {
      out.push_back(ObjectiveCreatedEvent(channel, ts));
    } else if (i % 2 == 1) {
      out.push_back(StateSignedEvent(channel, i / 2, ts));
    } else {
      out.push_back(DepositEvent(channel, i, ts));
    }
  }
  return out;
}

// Returns `per_channel` events for each of `channels` channels, interleaved round-robin.
inline std::vector<Event> InterleavedEvents(uint64_t channels, size_t per_channel,
                                            Timestamp start) {
  std::vector<std::vector<Event>> lanes;
  for (uint64_t c = 0; c < channels; ++c) lanes.push_back(ChannelEvents(c, per_channel, start));
  std::vector<Event> out;
  for (size_t i = 0; i < per_channel; ++i) {
    for (auto& lane : lanes) out.push_back(lane[i]);
  }
  return out;
}

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_TEST_EVENTS_H_
