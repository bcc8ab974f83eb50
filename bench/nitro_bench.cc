// Costs of the Nitro primitives every stored state pays: keccak256, the state hash of a 2-party
// state, signing and signer recovery (docs/adr/0005-hashes-and-signatures.md).
#include <benchmark/benchmark.h>

#include <string>

#include "statelog/keccak.h"
#include "statelog/nitro.h"

namespace statelog::nitro {
namespace {

// A 2-party state shaped like go-nitro's test state: one asset, two allocations.
State TwoPartyState() {
  State s;
  Address alice, bob;
  alice.bytes.fill(0xaa);
  bob.bytes.fill(0xbb);
  s.fixed.participants = {alice, bob};
  s.fixed.channel_nonce = 37140676580;
  s.fixed.app_definition.bytes.fill(0x5e);
  s.fixed.challenge_duration = 60;
  SingleAssetExit e;
  for (const Address& a : s.fixed.participants) {
    Allocation alloc;
    alloc.destination = ToDestination(a);
    alloc.amount = 5;
    e.allocations.push_back(alloc);
  }
  s.variable.outcome.push_back(e);
  s.variable.turn_num = 5;
  return s;
}

Bytes32 TestKey() {
  // go-nitro's Alice (docs/nitro-encoding.md, test vector 4).
  return *Bytes32::FromHex("0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d");
}

void BM_Keccak256(benchmark::State& state) {
  Bytes data(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(Keccak256(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Keccak256)->Arg(32)->Arg(200)->Arg(1000);

void BM_ComputeStateHash(benchmark::State& state) {
  const State s = TwoPartyState();
  const ChannelId id = ComputeChannelId(s.fixed);
  for (auto _ : state) benchmark::DoNotOptimize(ComputeStateHash(id, s.variable));
}
BENCHMARK(BM_ComputeStateHash);

void BM_ComputeChannelIdAndStateHash(benchmark::State& state) {
  const State s = TwoPartyState();
  for (auto _ : state) benchmark::DoNotOptimize(ComputeStateHash(s));
}
BENCHMARK(BM_ComputeChannelIdAndStateHash);

void BM_SignHash(benchmark::State& state) {
  const Hash256 hash = ComputeStateHash(TwoPartyState());
  const Bytes32 key = TestKey();
  for (auto _ : state) benchmark::DoNotOptimize(SignHash(hash, key));
}
BENCHMARK(BM_SignHash);

void BM_RecoverSigner(benchmark::State& state) {
  const Hash256 hash = ComputeStateHash(TwoPartyState());
  const Signature sig = *SignHash(hash, TestKey());
  for (auto _ : state) benchmark::DoNotOptimize(RecoverSigner(hash, sig));
}
BENCHMARK(BM_RecoverSigner);

void BM_ParseNitroStateJson(benchmark::State& state) {
  const std::string json = ToNitroJson(TwoPartyState());
  for (auto _ : state) benchmark::DoNotOptimize(ParseNitroStateJson(json));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ParseNitroStateJson);

}  // namespace
}  // namespace statelog::nitro

BENCHMARK_MAIN();
