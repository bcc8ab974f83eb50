// The end-to-end example of docs/api.md: a store opened through the front door (statelog::DB),
// one channel's funding built from values, checked appends, reconstruction, time travel, a
// subscription and verification. Built and run by the tests
// (tests/examples), which check its output.
#include <atomic>
#include <cstdio>
#include <vector>

#include "statelog/db.h"
#include "statelog/nitro.h"

using namespace statelog;

int main() {
  // 1. Open a store by name: "memory:" here; a directory for the embedded RocksDB store, or
  // "postgresql://..." for a shared PostgreSQL log.
  StatusOr<std::unique_ptr<DB>> opened = DB::Open("memory:");
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  DB& db = **opened;

  // 2. A two-party channel (go-nitro's test keys for Alice and Bob).
  Bytes32 alice_key =
      Bytes32::FromHex("0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d").value();
  Bytes32 bob_key =
      Bytes32::FromHex("0x0279651921cd800ac560c21ceea27aab0107b67daf436cdd25ce84cad30159b4").value();
  Address alice = nitro::AddressFromPrivateKey(alice_key).value();
  Address bob = nitro::AddressFromPrivateKey(bob_key).value();

  FixedPart fixed;
  fixed.participants = {alice, bob};
  fixed.channel_nonce = 42;
  fixed.challenge_duration = 3600;  // app_definition: the zero address
  ChannelId channel = nitro::ComputeChannelId(fixed);
  ObjectiveId fund{ObjectiveKind::kDirectFunding, channel};

  VariablePart prefund;  // turn 0, app_data empty, not final
  prefund.outcome = {SingleAssetExit{
      Address{},  // the native asset
      AssetMetadata{},
      {Allocation{ToDestination(alice), Uint256(60), 0, {}},
       Allocation{ToDestination(bob), Uint256(40), 0, {}}}}};
  Hash256 prefund_hash = nitro::ComputeStateHash(channel, prefund);
  Signature alice_sig = nitro::SignHash(prefund_hash, alice_key).value();
  Signature bob_sig = nitro::SignHash(prefund_hash, bob_key).value();

  // 3. Alice's node records the funding of the channel. Timestamps are microseconds.
  Timestamp t = 1'700'000'000'000'000;
  std::vector<Event> history = {
      Event::Make(t, events::ObjectiveCreated{fund, {channel}, /*approved=*/true}),
      Event::Make(t + 1, events::ChannelCreated{channel, fixed}),
      Event::Make(t + 2, events::StateSigned{channel, prefund, prefund_hash, alice, alice_sig}),
      Event::Make(t + 3, events::StateReceived{channel, prefund, prefund_hash, bob, bob_sig}),
      Event::Make(t + 4, events::DepositDetected{channel, Address{}, Uint256(60), Uint256(60), 17}),
      Event::Make(t + 5, events::DepositDetected{channel, Address{}, Uint256(40), Uint256(100), 18}),
      Event::Make(t + 6, events::ObjectiveCompleted{fund}),
  };
  for (const Event& e : history) {
    StatusOr<AppendResult> r = db.Append(e);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
  }

  // A refused event leaves the log unchanged: the objective is already Completed.
  StatusOr<AppendResult> again = db.Append(Event::Make(t + 7, events::ObjectiveCompleted{fund}));
  std::printf("second completion: %s\n", again.status().ToString().c_str());

  // 4. Reconstruct: the current state, and an earlier one by time travel.
  StatusOr<ChannelState> now = db.Channel(channel);
  StatusOr<ChannelState> at3 = db.Channel(channel, {.as_of = 3});
  if (!now.ok() || !at3.ok()) return 1;
  std::printf("holdings now: %s; supported turn: %llu\n",
              now->holdings[Address{}].ToDecimal().c_str(),
              static_cast<unsigned long long>(*now->latest_supported));
  std::printf("as of offset 3: %zu holdings, supported: %s\n", at3->holdings.size(),
              at3->latest_supported ? "yes" : "none");

  // 5. Follow the log: a subscription delivers the history, then each new event, in order, on
  // its own thread.
  std::atomic<int> delivered{0};
  SubscriptionId sub = db.SubscribeFrom(0, [&](const StoredEvent&) { ++delivered; });
  Status caught_up = db.events().WaitForDelivery(sub, history.size());
  std::printf("subscription: %s, %d events delivered\n", caught_up.ToString().c_str(),
              delivered.load());
  (void)db.Unsubscribe(sub);

  // 6. Verify the whole log: ids, chain, signatures, legality, snapshots.
  VerifyReport report = db.Verify();
  std::printf("verify: %s, %llu events, %llu signatures, head %s\n",
              report.status.ToString().c_str(), static_cast<unsigned long long>(report.events),
              static_cast<unsigned long long>(report.signatures), report.head.chain.ToHex().c_str());

  return 0;
}
