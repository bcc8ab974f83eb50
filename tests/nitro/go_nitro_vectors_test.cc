// Cross-check against go-nitro's own published test data (statechannels/go-nitro,
// channel/state/state_test.go, "generated from our ts nitro-protocol package"): the channel id,
// state hash and signature of its TestState, the example state of docs/nitro-encoding.md.
#include <gtest/gtest.h>

#include "statelog/nitro.h"
#include "test_util.h"

namespace statelog::nitro {
namespace {

using testing::Hex;

TEST(GoNitroVectorsTest, ChannelIdStateHashAndSignatureOfTestState) {
  const State s = testing::SpecExampleState();
  ChannelId id = ComputeChannelId(s.fixed);
  EXPECT_EQ(id.ToHex(), "0x3f9dfeabcc41d1618dd0711102018ab6c1a1d7c25111a425401c2e524eb073a2");
  Hash256 hash = ComputeStateHash(s);
  EXPECT_EQ(hash.ToHex(), "0x8e20f2e5f2cd3b3d4805eb3b98d2cf2945631042f4cb69fc629425dd28efe184");

  Bytes32 key = Hex<Bytes32>("0xcaab404f975b4620747174a75f08d98b4e5a7053b691b41bcfc0d839d48b7634");
  StatusOr<Signature> sig = SignHash(hash, key);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ(sig->ToHex(),
            "0x2873c05a6ecebca3d2fde93ea3332b4423bbd2a60a973ec61b8abfe16294f69e"
            "59ddb5b57c79924b57db6d928a0f3ef657c6e0e9879d2bf387364ace6d3284fd1b");
  StatusOr<Address> signer = RecoverSigner(hash, *sig);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(*signer, Hex<Address>("0xF5A1BB5607C9D079E46d1B3Dc33f257d937b43BD"));
}

}  // namespace
}  // namespace statelog::nitro
