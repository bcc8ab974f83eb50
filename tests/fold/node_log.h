// A node's log under rule set 2 for the rules tests: a memory store, a Ledger created for the
// node, and helpers that append and check what is accepted and what is refused.
#ifndef STATELOG_TESTS_FOLD_NODE_LOG_H_
#define STATELOG_TESTS_FOLD_NODE_LOG_H_

#include <gtest/gtest.h>

#include "demo/scenario.h"
#include "fold_test_util.h"
#include "statelog/ledger.h"
#include "statelog/nitro.h"

namespace statelog::testing {

inline constexpr Timestamp kStart = 1'700'000'000'000'000;

// The log of `node` (rule set 2) with a Ledger over it.
struct NodeLog {
  demo::Actor node;
  std::unique_ptr<MemoryEventStore> store = MemoryEventStore::Create();
  std::unique_ptr<SnapshotStore> snaps = SnapshotStore::NewMemory();
  std::unique_ptr<Ledger> ledger;
  Timestamp next = kStart + 1'000'000'000'000;  // after anything the network records

  explicit NodeLog(demo::Actor who = demo::Actor::Alice()) : node(std::move(who)) {
    LedgerOptions options;
    options.node = node.address;
    options.created_at = kStart - 1;
    ledger = Ledger::Open(store.get(), snaps.get(), options).value();
  }
  void Accept(const std::vector<Event>& events) {
    for (const Event& e : events) {
      auto r = ledger->Append(e);
      ASSERT_TRUE(r.ok()) << EventTypeName(e.type()) << ": " << r.status().ToString();
    }
  }
  void Refuse(const Event& e, std::string_view message) {
    std::string before = testing::Fingerprint(*store);
    auto r = ledger->Append(e);
    ASSERT_FALSE(r.ok()) << EventTypeName(e.type()) << " was accepted";
    EXPECT_EQ(r.status().ToString(), "FailedPrecondition: " + std::string(message));
    EXPECT_EQ(testing::Fingerprint(*store), before) << "a refused event changed the log";
  }
  // `signer`'s signature on `state` of channel `id`, as this node records it.
  Event State(const demo::Actor& signer, const ChannelId& id, const VariablePart& state) {
    Hash256 hash = nitro::ComputeStateHash(id, state);
    Signature sig = nitro::SignHash(hash, signer.key).value();
    if (signer.address == node.address) {
      return Event::Make(next++, events::StateSigned{id, state, hash, signer.address, sig});
    }
    return Event::Make(next++, events::StateReceived{id, state, hash, signer.address, sig});
  }
  // `signer`'s signed proposal `p` leading ledger `id` to `state`, as this node records it.
  Event Proposed(const demo::Actor& signer, const ChannelId& id, const Proposal& p,
                 const VariablePart& state) {
    Hash256 hash = nitro::ComputeStateHash(id, state);
    Signature sig = nitro::SignHash(hash, signer.key).value();
    if (signer.address == node.address) {
      return Event::Make(
          next++,
          events::ProposalSigned{id, events::SignedProposal{p, state, hash, signer.address, sig}});
    }
    return Event::Make(
        next++,
        events::ProposalReceived{id, events::SignedProposal{p, state, hash, signer.address, sig}});
  }
  Event Body(EventBody body) { return Event::Make(next++, std::move(body)); }
  ChannelState Channel(const ChannelId& id) { return ledger->Channel(id).value(); }
};

}  // namespace statelog::testing

#endif  // STATELOG_TESTS_FOLD_NODE_LOG_H_
