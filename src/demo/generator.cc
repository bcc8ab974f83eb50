#include "demo/generator.h"

#include <algorithm>
#include <array>
#include <string>
#include <thread>

#include "demo/scenario.h"
#include "statelog/keccak.h"
#include "statelog/nitro.h"

namespace statelog::demo {
namespace {

using S = ObjectiveStep;

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

// The peer of channel `index`: a private key derived from the seed and the index.
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
      return Actor::FromKey("peer-" + std::to_string(index), key);
    }
  }
}

bool IsSigned(const Event& e) {
  return std::holds_alternative<events::StateSigned>(e.body) ||
         std::holds_alternative<events::StateReceived>(e.body) ||
         std::holds_alternative<events::VoucherSent>(e.body) ||
         std::holds_alternative<events::VoucherReceived>(e.body);
}

// Payment increments are 1 to 5 gwei.
constexpr uint64_t kGwei = 1'000'000'000;
constexpr uint64_t kMaxIncrements = 5;

}  // namespace

std::vector<Event> GenerateChannel(const GeneratorOptions& options, uint64_t index) {
  uint64_t rng = options.seed ^ (index * 0xd1b54a32d192ed03ULL);
  (void)SplitMix64(&rng);
  const uint64_t payments = Below(&rng, 2 * options.payments + 1);
  const bool challenge = Below(&rng, 100) < options.challenge_percent;
  const bool stays_open = Below(&rng, 100) < options.open_percent;

  // Each side deposits enough to cover every payment it could make.
  Uint256 deposit(kGwei);
  for (uint64_t i = 0; i < payments; ++i) {
    (void)Uint256::CheckedAdd(deposit, Uint256(kMaxIncrements * kGwei), &deposit);
  }
  const Actor me = Actor::Irene(), peer = Peer(options.seed, index);
  // Channels start one second apart; each event of a channel is a millisecond after the last.
  ChannelScript c(me, peer, index, options.start + static_cast<Timestamp>(index) * 1'000'000,
                  deposit);
  std::vector<Event> out;
  const ObjectiveId fund = c.funding();
  out.push_back(c.ObjectiveCreated(fund, true));
  out.push_back(c.ChannelCreated());
  out.push_back(c.ObjectiveProgressed(fund, S::kCompletePrefund));
  out.push_back(c.Sign(me, 0));
  out.push_back(c.Message(true, "prefund signature"));
  out.push_back(c.Message(false, "prefund signature"));
  out.push_back(c.Sign(peer, 0));
  out.push_back(c.ObjectiveProgressed(fund, S::kMyTurnToFund));
  out.push_back(c.Deposit(deposit));
  out.push_back(c.Deposit(deposit));
  out.push_back(c.ObjectiveProgressed(fund, S::kCompletePostFund));
  out.push_back(c.Sign(me, 1));
  out.push_back(c.Sign(peer, 1));
  out.push_back(c.ObjectiveProgressed(fund, S::kNothing));
  out.push_back(c.ObjectiveCompleted(fund));

  // Payments both ways: each voucher carries its payer's cumulative amount.
  Uint256 sent, received;
  for (uint64_t i = 0; i < payments; ++i) {
    const bool hub_pays = Below(&rng, 2) == 0;
    Uint256& total = hub_pays ? sent : received;
    (void)Uint256::CheckedAdd(total, Uint256((1 + Below(&rng, kMaxIncrements)) * kGwei), &total);
    out.push_back(c.Voucher(hub_pays ? me : peer, total));
  }
  // The next states carry the net of the payments in their outcome.
  Uint256 net;
  if (received < sent) {
    (void)Uint256::CheckedSub(sent, received, &net);
    if (!net.IsZero()) c.Transfer(me, net);
  } else {
    (void)Uint256::CheckedSub(received, sent, &net);
    if (!net.IsZero()) c.Transfer(peer, net);
  }
  uint64_t turn = 2;
  if (challenge) {
    // The peer goes quiet; the hub challenges with the post-fund state, the peer answers with a
    // newer one both signed.
    out.push_back(c.ChallengeRegistered(1, c.now() / 1'000'000 + 86400));
    out.push_back(c.Sign(peer, turn));
    out.push_back(c.Sign(me, turn));
    out.push_back(c.ChallengeCleared(turn));
    ++turn;
  }
  if (stays_open) return out;
  const ObjectiveId defund = c.defunding();
  out.push_back(c.ObjectiveCreated(defund, true));
  out.push_back(c.ObjectiveProgressed(defund, S::kFinalization));
  out.push_back(c.Sign(me, turn, /*is_final=*/true));
  out.push_back(c.Sign(peer, turn, /*is_final=*/true));
  out.push_back(c.Concluded(c.now() / 1'000'000));
  out.push_back(c.ObjectiveProgressed(defund, S::kWithdraw));
  out.push_back(c.AllocationUpdated(Uint256(0)));
  out.push_back(c.ObjectiveProgressed(defund, S::kNothing));
  out.push_back(c.ObjectiveCompleted(defund));
  return out;
}

Generator::Generator(const GeneratorOptions& options)
    : options_(options), rng_state_(options.seed ^ 0x5eed5eed5eed5eedULL) {}

Generator::~Generator() = default;

uint64_t Generator::Random() { return SplitMix64(&rng_state_); }

void Generator::Prefetch() {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const uint64_t n = std::min<uint64_t>(options_.channels - next_channel_, 4 * threads);
  std::vector<std::vector<Event>> built(n);
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < std::min<uint64_t>(threads, n); ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t i = t; i < n; i += threads)
        built[i] = GenerateChannel(options_, next_channel_ + i);
    });
  }
  for (uint64_t i = 0; i < n; i += threads) built[i] = GenerateChannel(options_, next_channel_ + i);
  for (auto& w : workers) w.join();
  for (auto& b : built) ready_.push_back(std::move(b));
  next_channel_ += n;
}

bool Generator::Next(size_t max, std::vector<Event>* out) {
  size_t added = 0;
  while (added < max) {
    while (active_.size() < options_.concurrency &&
           (!ready_.empty() || next_channel_ < options_.channels)) {
      if (ready_.empty()) Prefetch();
      active_.push_back(std::move(ready_.front()));
      ready_.pop_front();
      position_.push_back(0);
    }
    if (active_.empty()) break;
    const size_t i = Random() % active_.size();
    const Event& e = active_[i][position_[i]++];
    signatures_ += IsSigned(e) ? 1 : 0;
    out->push_back(e);
    ++added;
    if (position_[i] == active_[i].size()) {
      // The last channel takes the finished one's place.
      ++channels_done_;
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
