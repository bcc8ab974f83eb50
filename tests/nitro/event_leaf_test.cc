// CheckEventLeaf: what `statelog check-proof` requires of a proven event, beyond its inclusion
// proof: canonical JSON, an id that is the hash of its content, and valid Nitro signatures.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "demo/scenario.h"
#include "statelog/codec.h"
#include "statelog/nitro.h"

namespace statelog {
namespace {

// A state_signed event of a real lifecycle (Alice's signature).
Event SignedState() {
  demo::ChannelScript script(demo::Actor::Alice(), demo::Actor::Bob(), 7, 1'700'000'000'000'000,
                             Uint256(10));
  for (const Event& e : script.DirectFundingLifecycle(1)) {
    if (std::holds_alternative<events::StateSigned>(e.body)) return e;
  }
  ADD_FAILURE() << "no state_signed event";
  return {};
}

TEST(EventLeafTest, ACanonicalSignedEventChecks) {
  const Event e = SignedState();
  StatusOr<Event> checked = CheckEventLeaf(EncodeEvent(e));
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(*checked, e);
}

TEST(EventLeafTest, NotCanonical) {
  const std::string canonical = EncodeEvent(SignedState());
  const std::string leaf = "{ " + canonical.substr(1);  // still the same JSON object
  Status s = CheckEventLeaf(leaf).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "the proven event is not in its canonical encoding");
}

TEST(EventLeafTest, ChangedContentKeepsTheOldId) {
  const std::string canonical = EncodeEvent(SignedState());
  const size_t at = canonical.find("\"turn_num\":");
  ASSERT_NE(at, std::string::npos);
  // Another turn number, the id of the original.
  const std::string leaf = canonical.substr(0, at + 11) + "1" + canonical.substr(at + 11);
  Status s = CheckEventLeaf(leaf).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(s.message().starts_with("the proven event: ")) << s.ToString();
  EXPECT_NE(s.message().find("id"), std::string::npos) << s.ToString();
}

TEST(EventLeafTest, ASignatureOfAnotherSigner) {
  // The same state and signature claimed for Bob, with the id recomputed: only the signature
  // check can tell.
  Event e = SignedState();
  events::StateSigned body = std::get<events::StateSigned>(e.body);
  body.signer = demo::Actor::Bob().address;
  const Event forged = Event::Make(e.timestamp, body);
  Status s = CheckEventLeaf(EncodeEvent(forged)).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "the proven event " + forged.id.ToHex() +
                             ": state signature recovers to " +
                             demo::Actor::Alice().address.ToHex() + ", not to the signer " +
                             demo::Actor::Bob().address.ToHex());
}

TEST(EventLeafTest, NotAnEvent) {
  Status s = CheckEventLeaf("{\"offset\":1}").status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(s.message().starts_with("the proven event: ")) << s.ToString();
}

}  // namespace
}  // namespace statelog
