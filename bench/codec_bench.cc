// Encode and decode throughput of the canonical JSON codec on a realistic mix of events, with
// nlohmann::json in the same run as the naive baseline (docs/adr/0002-event-serialization.md).
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "statelog/codec.h"
#include "statelog/keccak.h"
#include "testing/sample_events.h"

namespace statelog {
namespace {

constexpr size_t kMixSize = 2000;

const std::vector<Event>& Mix() {
  static const std::vector<Event> mix = testing::RealisticMix(kMixSize);
  return mix;
}

const std::vector<std::string>& Encoded() {
  static const std::vector<std::string> encoded = [] {
    std::vector<std::string> out;
    for (const Event& e : Mix()) out.push_back(EncodeEvent(e));
    return out;
  }();
  return encoded;
}

size_t EncodedBytes() {
  size_t n = 0;
  for (const auto& s : Encoded()) n += s.size();
  return n;
}

void SetCounters(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMixSize));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * EncodedBytes()));
  state.counters["avg_event_bytes"] = static_cast<double>(EncodedBytes()) / kMixSize;
}

void BM_Encode(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    for (const Event& e : Mix()) {
      out.clear();
      EncodeEvent(e, &out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  SetCounters(state);
}
BENCHMARK(BM_Encode);

void BM_Decode(benchmark::State& state) {
  EventDecoder decoder;
  DecodeOptions options{.verify_id = state.range(0) != 0};
  Event e;
  for (auto _ : state) {
    for (const std::string& s : Encoded()) {
      if (!decoder.Decode(s, &e, options).ok()) state.SkipWithError("decode failed");
      benchmark::DoNotOptimize(&e);
    }
  }
  SetCounters(state);
}
BENCHMARK(BM_Decode)->ArgName("verify_id")->Arg(0)->Arg(1);

// The id check's cost on its own: keccak256 of each event's content.
void BM_Keccak256OfContent(benchmark::State& state) {
  std::vector<std::string> contents;
  for (const Event& e : Mix()) {
    std::string c;
    EncodeEventContent(e.timestamp, e.body, &c);
    contents.push_back(std::move(c));
  }
  for (auto _ : state) {
    for (const auto& c : contents) benchmark::DoNotOptimize(Keccak256(c));
  }
  SetCounters(state);
}
BENCHMARK(BM_Keccak256OfContent);

// Baseline: nlohmann::json parsing the same bytes into its DOM, without validating or converting
// into Event (so the baseline does less work than BM_Decode).
void BM_NlohmannParse(benchmark::State& state) {
  for (auto _ : state) {
    for (const std::string& s : Encoded()) {
      auto j = nlohmann::json::parse(s);
      benchmark::DoNotOptimize(j);
    }
  }
  SetCounters(state);
}
BENCHMARK(BM_NlohmannParse);

// Baseline: nlohmann::json serializing a DOM of the same events.
void BM_NlohmannDump(benchmark::State& state) {
  std::vector<nlohmann::json> doms;
  for (const std::string& s : Encoded()) doms.push_back(nlohmann::json::parse(s));
  for (auto _ : state) {
    for (const auto& j : doms) {
      std::string out = j.dump();
      benchmark::DoNotOptimize(out.data());
    }
  }
  SetCounters(state);
}
BENCHMARK(BM_NlohmannDump);

}  // namespace
}  // namespace statelog

BENCHMARK_MAIN();
