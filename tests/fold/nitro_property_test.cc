// Property test of rule set 2: random legal histories from the generator (the hub's log and
// clients' logs) are accepted whole; each with one random rule-breaking mutation is refused whole
// (FailedPrecondition, nothing appended). The mutations keep every proof valid (what is re-signed
// is re-signed by the same key), so only the rules can catch them.
#include <gtest/gtest.h>

#include <random>

#include "demo/generator.h"
#include "fold_test_util.h"
#include "statelog/ledger.h"
#include "statelog/nitro.h"
#include "statelog/reconstruct.h"

namespace statelog {
namespace {

std::vector<Event> History(uint64_t seed, std::optional<uint64_t> client) {
  demo::GeneratorOptions o;
  o.channels = 6;
  o.payments = 3;
  o.challenge_percent = 50;
  o.open_percent = 20;
  o.concurrency = 3;
  o.seed = seed;
  o.client = client;
  demo::Generator g(o);
  std::vector<Event> out;
  while (g.Next(1000, &out)) {
  }
  return out;
}

// Appends `events` as one batch into a fresh store: the status, and the store's length after.
std::pair<Status, uint64_t> AppendWhole(const std::vector<Event>& events) {
  auto store = MemoryEventStore::Create();
  auto snaps = SnapshotStore::NewMemory();
  auto ledger = Ledger::Open(store.get(), snaps.get()).value();
  auto r = ledger->AppendBatch(events);
  return {r.ok() ? Status::OK() : r.status(), *store->Length()};
}

// The mutations. Each returns false when the history offers no place for it.
using Mutation = bool (*)(std::vector<Event>&, std::mt19937_64&);

// Indices of the events of type T.
template <class T>
std::vector<size_t> Find(const std::vector<Event>& h) {
  std::vector<size_t> out;
  for (size_t i = 0; i < h.size(); ++i) {
    if (std::holds_alternative<T>(h[i].body)) out.push_back(i);
  }
  return out;
}

// A signature the node made recorded as a peer's, or a peer's as the node's (A8).
bool SwapSignedAndReceived(std::vector<Event>& h, std::mt19937_64& rng) {
  std::vector<size_t> at = Find<events::StateSigned>(h);
  for (size_t i : Find<events::StateReceived>(h)) at.push_back(i);
  if (at.empty()) return false;
  Event& e = h[at[rng() % at.size()]];
  if (const auto* s = std::get_if<events::StateSigned>(&e.body)) {
    e = Event::Make(e.timestamp, events::StateReceived{s->channel_id, s->state, s->state_hash,
                                                       s->signer, s->signature});
  } else {
    const auto& r = std::get<events::StateReceived>(e.body);
    e = Event::Make(e.timestamp, events::StateSigned{r.channel_id, r.state, r.state_hash, r.signer,
                                                     r.signature});
  }
  return true;
}

// An objective completed right after it was created, before its protocol's end (H5).
bool CompleteEarly(std::vector<Event>& h, std::mt19937_64& rng) {
  std::vector<size_t> at;
  for (size_t i : Find<events::ObjectiveCreated>(h)) {
    if (std::get<events::ObjectiveCreated>(h[i].body).approved) at.push_back(i);
  }
  if (at.empty()) return false;
  const size_t i = at[rng() % at.size()];
  const ObjectiveId id = std::get<events::ObjectiveCreated>(h[i].body).objective_id;
  h.insert(h.begin() + static_cast<ptrdiff_t>(i) + 1,
           Event::Make(h[i].timestamp, events::ObjectiveCompleted{id}));
  return true;
}

// A proposal that says it moves one more unit than its signed state shows (E2, E3).
bool SkewProposal(std::vector<Event>& h, std::mt19937_64& rng) {
  std::vector<size_t> at = Find<events::ProposalSigned>(h);
  for (size_t i : Find<events::ProposalReceived>(h)) at.push_back(i);
  if (at.empty()) return false;
  Event& e = h[at[rng() % at.size()]];
  std::visit(
      [&](auto& body) {
        if constexpr (requires { body.content->proposal; }) {
          auto copy = body;
          Uint256& left = copy.content->proposal.left_amount;
          (void)Uint256::CheckedAdd(left, Uint256(1), &left);
          e = Event::Make(e.timestamp, copy);
        }
      },
      e.body);
  return true;
}

// A channel's second chain event dated a block before its first (G1).
bool OlderBlock(std::vector<Event>& h, std::mt19937_64& rng) {
  std::map<ChannelId, std::vector<size_t>> deposits;
  for (size_t i : Find<events::DepositDetected>(h)) {
    deposits[std::get<events::DepositDetected>(h[i].body).channel_id].push_back(i);
  }
  std::vector<std::pair<size_t, size_t>> pairs;
  for (const auto& [id, at] : deposits) {
    if (at.size() >= 2) pairs.emplace_back(at[0], at[1]);
  }
  if (pairs.empty()) return false;
  const auto [first, second] = pairs[rng() % pairs.size()];
  auto d = std::get<events::DepositDetected>(h[second].body);
  d.block_number = std::get<events::DepositDetected>(h[first].body).block_number - 1;
  h[second] = Event::Make(h[second].timestamp, d);
  return true;
}

// A voucher above the payer's starting balance, signed by the payer (F4).
bool OverpayingVoucher(std::vector<Event>& h, std::mt19937_64& rng, const Bytes32& payer_key) {
  std::vector<size_t> at = Find<events::VoucherSent>(h);
  if (at.empty()) return false;
  Event& e = h[at[rng() % at.size()]];
  auto v = std::get<events::VoucherSent>(e.body);
  v.amount = Uint256::Max();
  v.signature =
      nitro::SignHash(nitro::ComputeVoucherHash(v.channel_id, v.amount), payer_key).value();
  e = Event::Make(e.timestamp, v);
  return true;
}

TEST(NitroPropertyTest, EveryMutationOfALegalHistoryIsCaught) {
  const std::vector<std::pair<const char*, Mutation>> mutations = {
      {"signed and received swapped", SwapSignedAndReceived},
      {"completed early", CompleteEarly},
      {"proposal skewed", SkewProposal},
      {"older block", OlderBlock}};
  std::mt19937_64 rng(2026);
  int caught = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    // The hub's log, and the payer's (client 0).
    for (std::optional<uint64_t> client : {std::optional<uint64_t>(), std::optional<uint64_t>(0)}) {
      const std::vector<Event> legal = History(seed, client);
      SCOPED_TRACE("seed " + std::to_string(seed) + (client ? ", client 0" : ", hub"));
      auto [ok, length] = AppendWhole(legal);
      ASSERT_TRUE(ok.ok()) << "the legal history is refused: " << ok.ToString();
      ASSERT_EQ(length, legal.size());
      std::vector<Event> mutated = legal;
      auto [name, mutate] = mutations[rng() % mutations.size()];
      bool applied = mutate(mutated, rng);
      if (client && rng() % 2 == 0) {
        // The payer's own log: a voucher above its starting balance, signed by the payer.
        demo::GeneratorOptions o;
        o.seed = seed;
        mutated = legal;
        applied = OverpayingVoucher(mutated, rng, demo::Client(o, *client).key);
        name = "voucher above the starting balance";
      }
      if (!applied) continue;
      SCOPED_TRACE(name);
      auto [refused, after] = AppendWhole(mutated);
      EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
      EXPECT_EQ(after, 0u) << "a refused batch appended events";
      ++caught;
    }
  }
  EXPECT_GE(caught, 20) << "too few mutations applied to mean anything";
}

// A full fold (Reconstructor, which finds entities through an index of its own) and the fold of
// ApplyToView event by event (which searches the view's maps) agree: the same view from every
// legal history, and a mutated history refused at the same event with the same message.
TEST(NitroPropertyTest, IndexedFoldAgreesWithEventByEventFold) {
  const std::vector<Mutation> mutations = {SwapSignedAndReceived, CompleteEarly, SkewProposal,
                                           OlderBlock};
  std::mt19937_64 rng(27);
  int refused = 0;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    for (std::optional<uint64_t> client : {std::optional<uint64_t>(), std::optional<uint64_t>(0)}) {
      const std::vector<Event> legal = History(seed, client);
      std::vector<std::vector<Event>> histories = {legal};
      for (Mutation mutate : mutations) {
        std::vector<Event> mutated = legal;
        if (mutate(mutated, rng)) histories.push_back(std::move(mutated));
      }
      for (size_t h = 0; h < histories.size(); ++h) {
        SCOPED_TRACE("seed " + std::to_string(seed) + (client ? ", client 0" : ", hub") +
                     ", history " + std::to_string(h));
        const std::vector<Event>& events = histories[h];
        auto store = MemoryEventStore::Create();  // appended unchecked: the fold decides
        for (const Event& e : events) ASSERT_TRUE(store->Append(e).ok());
        StatusOr<NodeView> indexed = Reconstructor(store.get()).FullFold(events.size());
        NodeView plain;
        Status st;
        size_t at = 0;
        for (; at < events.size() && st.ok(); ++at) st = ApplyToView(events[at], at, &plain);
        if (st.ok()) {
          ASSERT_TRUE(indexed.ok()) << indexed.status().ToString();
          EXPECT_TRUE(*indexed == plain);
          EXPECT_EQ(h, 0u) << "a mutated history is accepted";
        } else {
          ++refused;
          ASSERT_FALSE(indexed.ok()) << "refused event by event: " << st.ToString();
          EXPECT_EQ(indexed.status(), FoldError(st, at - 1, events[at - 1]))
              << indexed.status().ToString() << " / " << st.ToString();
        }
      }
    }
  }
  EXPECT_GE(refused, 20) << "too few mutations applied to mean anything";
}

}  // namespace
}  // namespace statelog
