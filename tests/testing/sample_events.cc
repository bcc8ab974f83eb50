#include "testing/sample_events.h"

#include <cstring>

namespace statelog::testing {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <size_t N>
FixedBytes<N> Fill(uint64_t seed) {
  FixedBytes<N> v;
  for (size_t i = 0; i < N; i += 8) {
    uint64_t r = Mix(seed * 131 + i);
    std::memcpy(v.data() + i, &r, std::min<size_t>(8, N - i));
  }
  return v;
}

}  // namespace

Bytes32 SampleBytes32(uint64_t seed) { return Fill<32>(seed); }
Address SampleAddress(uint64_t seed) { return Fill<20>(seed ^ 0xadd7e55); }
Signature SampleSignature(uint64_t seed) {
  Signature s = Fill<65>(seed ^ 0x5167);
  s.bytes[64] = 27 + (seed & 1);
  return s;
}

Exit SampleOutcome(uint64_t seed, size_t assets, size_t allocations) {
  Exit exit;
  for (size_t a = 0; a < assets; ++a) {
    SingleAssetExit sae;
    sae.asset = a == 0 ? Address{} : SampleAddress(seed + a);
    for (size_t i = 0; i < allocations; ++i) {
      Allocation alloc;
      alloc.destination = ToDestination(SampleAddress(seed * 7 + i));
      alloc.amount = Uint256(Mix(seed + i) % 1'000'000'000'000ULL);
      sae.allocations.push_back(alloc);
    }
    exit.push_back(std::move(sae));
  }
  return exit;
}

VariablePart SampleVariablePart(uint64_t seed, uint64_t turn_num) {
  VariablePart v;
  v.outcome = SampleOutcome(seed);
  v.turn_num = turn_num;
  v.is_final = false;
  return v;
}

Event SampleEvent(EventType type, uint64_t seed, Timestamp timestamp) {
  ChannelId channel = SampleBytes32(seed);
  ObjectiveId objective{static_cast<ObjectiveKind>(seed % 4), channel};
  uint64_t block = 1000 + seed;
  switch (type) {
    case EventType::kObjectiveCreated:
      return Event::Make(timestamp, events::ObjectiveCreated{objective, {channel}, seed % 2 == 0});
    case EventType::kObjectiveApproved:
      return Event::Make(timestamp, events::ObjectiveApproved{objective});
    case EventType::kObjectiveRejected:
      return Event::Make(timestamp, events::ObjectiveRejected{objective, "policy: peer unknown"});
    case EventType::kObjectiveCompleted:
      return Event::Make(timestamp, events::ObjectiveCompleted{objective});
    case EventType::kObjectiveProgressed:
      return Event::Make(
          timestamp, events::ObjectiveProgressed{objective, static_cast<ObjectiveStep>(seed % 7)});
    case EventType::kChannelCreated: {
      FixedPart fixed{
          {SampleAddress(seed), SampleAddress(seed + 1)}, seed, SampleAddress(9), 86400};
      return Event::Make(timestamp, events::ChannelCreated{channel, fixed});
    }
    case EventType::kStateSigned:
      return Event::Make(
          timestamp,
          events::StateSigned{channel, SampleVariablePart(seed, seed % 10), SampleBytes32(seed + 3),
                              SampleAddress(seed), SampleSignature(seed)});
    case EventType::kStateReceived:
      return Event::Make(timestamp,
                         events::StateReceived{channel, SampleVariablePart(seed, seed % 10),
                                               SampleBytes32(seed + 4), SampleAddress(seed + 1),
                                               SampleSignature(seed + 1)});
    case EventType::kDepositDetected:
      return Event::Make(timestamp, events::DepositDetected{channel, Address{}, Uint256(seed * 10),
                                                            Uint256(seed * 20), block});
    case EventType::kAllocationUpdated:
      return Event::Make(timestamp,
                         events::AllocationUpdated{channel, Address{}, Uint256(seed), block});
    case EventType::kChallengeRegistered:
      return Event::Make(timestamp,
                         events::ChallengeRegistered{channel, seed % 10, 1'700'086'400, block});
    case EventType::kChallengeCleared:
      return Event::Make(timestamp, events::ChallengeCleared{channel, seed % 10 + 1, block});
    case EventType::kChannelConcluded:
      return Event::Make(timestamp, events::ChannelConcluded{channel, 1'700'086'400, block});
    case EventType::kMessageSent:
      return Event::Make(timestamp, events::MessageSent{SampleAddress(seed), Bytes(96, 0xab)});
    case EventType::kMessageReceived:
      return Event::Make(timestamp, events::MessageReceived{SampleAddress(seed), Bytes(96, 0xcd)});
    case EventType::kVoucherSent:
      return Event::Make(timestamp,
                         events::VoucherSent{channel, Uint256(seed * 3), SampleAddress(seed),
                                             SampleSignature(seed)});
    case EventType::kVoucherReceived:
      return Event::Make(
          timestamp, events::VoucherReceived{channel, Uint256(seed * 3), SampleAddress(seed + 1),
                                             SampleSignature(seed)});
    case EventType::kSnapshotCreated:
      return Event::Make(timestamp, events::SnapshotCreated{seed * 1000, SampleBytes32(seed + 5),
                                                            SampleBytes32(seed + 6)});
    case EventType::kStoreImported:
      // Announces no events: a log of one event of each type ends with it, and verifies.
      return Event::Make(
          timestamp,
          events::StoreImported{"go-nitro",
                                SampleAddress(seed + 7),
                                {{"channels_AbCdE.db", 1000 + seed, SampleBytes32(seed + 8)},
                                 {"vouchers_AbCdE.db", 0, SampleBytes32(seed + 9)}},
                                0});
    case EventType::kLogCreated:
      return Event::Make(timestamp, events::LogCreated{SampleAddress(seed + 10), 2});
    case EventType::kChallengeRaised: {
      events::ChallengeCandidate c;
      c.state.outcome = SampleOutcome(seed, 1, 2);
      c.state.turn_num = seed + 3;
      c.state_hash = SampleBytes32(seed + 15);
      c.signatures = {{SampleAddress(seed), SampleSignature(seed)},
                      {SampleAddress(seed + 1), SampleSignature(seed + 1)}};
      c.finalizes_at = 1'700'086'400;
      c.block_number = 200 + seed;
      return Event::Make(timestamp, events::ChallengeRaised{channel, std::move(c)});
    }
    case EventType::kProposalSigned:
    case EventType::kProposalReceived: {
      Proposal p{ProposalKind::kAdd,       SampleBytes32(seed + 11), Uint256(seed * 5),
                 SampleBytes32(seed + 12), SampleBytes32(seed + 13), Uint256(seed)};
      VariablePart v;
      v.outcome = SampleOutcome(seed, 1, 3);
      v.turn_num = seed + 2;
      if (type == EventType::kProposalSigned) {
        return Event::Make(
            timestamp,
            events::ProposalSigned{
                channel, events::SignedProposal{p, v, SampleBytes32(seed + 14), SampleAddress(seed),
                                                SampleSignature(seed)}});
      }
      p.kind = ProposalKind::kRemove;
      return Event::Make(
          timestamp,
          events::ProposalReceived{
              channel, events::SignedProposal{p, v, SampleBytes32(seed + 14),
                                              SampleAddress(seed + 1), SampleSignature(seed)}});
    }
  }
  return {};
}

std::vector<Event> OneOfEachType(uint64_t seed) {
  std::vector<Event> out;
  for (size_t t = 0; t < kEventTypeCount; ++t) {
    out.push_back(SampleEvent(static_cast<EventType>(t), seed, 1'700'000'000'000'000 + t));
  }
  return out;
}

std::vector<Event> EdgeCaseEvents() {
  std::vector<Event> out;
  ChannelId channel = SampleBytes32(42);
  VariablePart big;
  big.app_data = Bytes(64 * 1024, 0x5a);
  big.turn_num = UINT64_MAX;
  big.is_final = true;
  big.outcome = SampleOutcome(42, 3, 100);
  big.outcome[0].allocations[0].amount = Uint256::Max();
  big.outcome[0].allocations[1].allocation_type = 1;
  big.outcome[0].allocations[1].metadata = Bytes(64, 0x0b);
  big.outcome[1].asset_metadata = {255, Bytes(33, 0xee)};
  out.push_back(Event::Make(INT64_MAX, events::StateSigned{channel, big, SampleBytes32(1),
                                                           SampleAddress(1), SampleSignature(1)}));
  VariablePart empty;  // empty appData and an empty outcome
  out.push_back(Event::Make(
      INT64_MIN, events::StateReceived{channel, empty, Bytes32{}, Address{}, Signature{}}));
  FixedPart many;
  for (int i = 0; i < 10; ++i) many.participants.push_back(SampleAddress(i));
  many.channel_nonce = UINT64_MAX;
  many.challenge_duration = UINT32_MAX;
  out.push_back(Event::Make(0, events::ChannelCreated{channel, many}));
  out.push_back(Event::Make(1, events::DepositDetected{channel, SampleAddress(3), Uint256::Max(),
                                                       Uint256::Max(), UINT64_MAX}));
  out.push_back(Event::Make(
      2, events::ObjectiveRejected{{ObjectiveKind::kVirtualDefund, channel},
                                   "quote \" backslash \\ tab \t nul \x01 newline \n utf8 \xc3\xa9 "
                                   "\xe2\x82\xac end"}));
  out.push_back(
      Event::Make(3, events::ObjectiveCreated{{ObjectiveKind::kVirtualFund, channel},
                                              {channel, SampleBytes32(2), SampleBytes32(3)},
                                              true}));
  out.push_back(Event::Make(
      4, events::ObjectiveCreated{{ObjectiveKind::kDirectFunding, channel}, {}, false}));
  out.push_back(Event::Make(5, events::MessageSent{Address{}, Bytes{}}));
  out.push_back(
      Event::Make(6, events::VoucherReceived{channel, Uint256::Max(), Address{}, Signature{}}));
  return out;
}

std::vector<Event> RealisticMix(size_t n, uint64_t seed) {
  // Per 20 events: 6 state events, 4 vouchers, 6 messages, 4 objective/chain events.
  static constexpr EventType kPattern[20] = {
      EventType::kStateSigned,         EventType::kStateReceived,    EventType::kMessageSent,
      EventType::kMessageReceived,     EventType::kVoucherSent,      EventType::kVoucherReceived,
      EventType::kStateSigned,         EventType::kStateReceived,    EventType::kMessageSent,
      EventType::kMessageReceived,     EventType::kObjectiveCreated, EventType::kDepositDetected,
      EventType::kVoucherSent,         EventType::kVoucherReceived,  EventType::kStateSigned,
      EventType::kStateReceived,       EventType::kMessageSent,      EventType::kMessageReceived,
      EventType::kObjectiveProgressed, EventType::kAllocationUpdated};
  std::vector<Event> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(SampleEvent(kPattern[i % 20], seed + i, 1'700'000'000'000'000 + i));
  }
  return out;
}

}  // namespace statelog::testing
