#include "demo/generator.h"

#include <algorithm>
#include <array>
#include <string>
#include <thread>

#include "demo/network.h"
#include "statelog/keccak.h"
#include "statelog/nitro.h"

namespace statelog::demo {
namespace {

// SplitMix64: a small generator whose output is fully specified (std::uniform_int_distribution is
// not the same on every standard library, so it is not used).
uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A value below `n` (n > 0); the bias of a modulo of 64 random bits is negligible here.
uint64_t Below(uint64_t* state, uint64_t n) { return SplitMix64(state) % n; }

// Client `index`: a private key derived from the seed and the index.
Actor Peer(uint64_t seed, uint64_t index) {
  std::array<uint8_t, 24> input{};
  for (int b = 0; b < 8; ++b) {
    input[b] = static_cast<uint8_t>(seed >> (8 * b));
    input[8 + b] = static_cast<uint8_t>(index >> (8 * b));
  }
  for (uint64_t attempt = 0;; ++attempt) {
    for (int b = 0; b < 8; ++b) input[16 + b] = static_cast<uint8_t>(attempt >> (8 * b));
    Bytes32 key = Keccak256(std::span<const uint8_t>(input.data(), input.size()));
    // A hash is a valid key unless it is zero or not below the curve order (odds ~2^-128).
    if (nitro::AddressFromPrivateKey(key).ok()) {
      return Actor::FromKey("client-" + std::to_string(index), key);
    }
  }
}

// Payment increments are 1 to 5 gwei.
constexpr uint64_t kGwei = 1'000'000'000;
constexpr uint64_t kMaxIncrements = 5;

Address NodeOf(const GeneratorOptions& options) {
  return options.client ? Peer(options.seed, *options.client).address : Actor::Irene().address;
}

}  // namespace

Actor Client(const GeneratorOptions& options, uint64_t k) { return Peer(options.seed, k); }

uint64_t PairCount(const GeneratorOptions& options) { return (options.channels + 1) / 2; }

std::vector<Event> GeneratePair(const GeneratorOptions& options, uint64_t index) {
  const uint64_t first = 2 * index, second = first + 1;
  const bool alone = second >= options.channels;
  if (options.client && *options.client != first && (alone || *options.client != second)) {
    return {};
  }
  uint64_t rng = options.seed ^ (index * 0xd1b54a32d192ed03ULL);
  (void)SplitMix64(&rng);
  const uint64_t payments = Below(&rng, 2 * options.payments + 1);
  const bool challenge = Below(&rng, 100) < options.challenge_percent;
  const bool stays_open = Below(&rng, 100) < options.open_percent;

  // The payer's balance covers every payment it could make; each ledger holds that much on
  // either side (the hub funds the payee's side of the virtual channel from its own).
  Uint256 balance(kGwei);
  for (uint64_t i = 0; i < payments; ++i) {
    (void)Uint256::CheckedAdd(balance, Uint256(kMaxIncrements * kGwei), &balance);
  }
  const Actor hub = Actor::Irene();
  const Actor payer = Peer(options.seed, first);
  const Address node = NodeOf(options);
  // Pairs start one second apart; each step of a pair is a microsecond after the last.
  Network net(options.start + 1 + static_cast<Timestamp>(index) * 1'000'000, {node});
  const uint64_t seconds = static_cast<uint64_t>(options.start / 1'000'000) + index;
  LedgerChannel& lp = net.FundLedger(payer, hub, 2 * first, balance, balance);
  if (alone) {
    if (!stays_open) net.DefundLedger(lp, seconds);
    return net.TakeLog(node);
  }
  const Actor payee = Peer(options.seed, second);
  LedgerChannel& lq = net.FundLedger(payee, hub, 2 * second, balance, balance);
  if (challenge) net.RegisterChallenge(lp, seconds + 86400);
  VirtualChannel& v = net.FundVirtual({payer, hub, payee}, {&lp, &lq}, 2 * first + 1, balance);
  if (challenge) net.ClearChallenge(lp);
  for (uint64_t i = 0; i < payments; ++i) {
    net.Pay(v, Uint256((1 + Below(&rng, kMaxIncrements)) * kGwei));
  }
  if (!stays_open) {
    net.DefundVirtual(v);
    net.DefundLedger(lp, seconds);
    net.DefundLedger(lq, seconds);
  }
  return net.TakeLog(node);
}

Generator::Generator(const GeneratorOptions& options)
    : options_(options), rng_state_(options.seed ^ 0x5eed5eed5eed5eedULL) {}

Generator::~Generator() = default;

uint64_t Generator::Random() { return SplitMix64(&rng_state_); }

Address Generator::node() const { return NodeOf(options_); }

void Generator::Prefetch() {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const uint64_t n = std::min<uint64_t>(PairCount(options_) - next_pair_, 4 * threads);
  std::vector<std::vector<Event>> built(n);
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < std::min<uint64_t>(threads, n); ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t i = t; i < n; i += threads) built[i] = GeneratePair(options_, next_pair_ + i);
    });
  }
  for (uint64_t i = 0; i < n; i += threads) built[i] = GeneratePair(options_, next_pair_ + i);
  for (auto& w : workers) w.join();
  for (auto& b : built) {
    if (!b.empty()) ready_.push_back(std::move(b));
  }
  next_pair_ += n;
}

bool Generator::Next(size_t max, std::vector<Event>* out) {
  size_t added = 0;
  if (!started_ && max > 0) {
    // The node's log begins with its identity, before the first pair's first event.
    started_ = true;
    out->push_back(Event::Make(options_.start,
                               events::LogCreated{node(), static_cast<uint64_t>(kCurrentRuleSet)}));
    ++added;
  }
  while (added < max) {
    while (active_.size() < options_.concurrency &&
           (!ready_.empty() || next_pair_ < PairCount(options_))) {
      if (ready_.empty()) Prefetch();
      if (ready_.empty()) continue;
      active_.push_back(std::move(ready_.front()));
      ready_.pop_front();
      position_.push_back(0);
    }
    if (active_.empty()) break;
    const size_t i = Random() % active_.size();
    const Event& e = active_[i][position_[i]++];
    signatures_ += IsSignedType(e.type()) ? 1 : 0;
    out->push_back(e);
    ++added;
    if (position_[i] == active_[i].size()) {
      // The last pair takes the finished one's place.
      channels_done_ = std::min(channels_done_ + 2, options_.channels);
      active_[i] = std::move(active_.back());
      position_[i] = position_.back();
      active_.pop_back();
      position_.pop_back();
    }
  }
  events_ += added;
  return added > 0;
}

}  // namespace statelog::demo
