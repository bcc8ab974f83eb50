// secp256k1 signatures: the spec's key -> address vectors, sign/recover round trips, canonical
// form (low S, v = 27/28), tampering, and rejection of malformed keys and signatures.
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "statelog/keccak.h"
#include "statelog/nitro.h"
#include "test_util.h"

namespace statelog::nitro {
namespace {

using testing::Hex;

constexpr std::array<uint8_t, 32> kOrder = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

template <size_t N>
FixedBytes<N> RandomBytes(std::mt19937_64& rng) {
  FixedBytes<N> b;
  for (auto& x : b.bytes) x = static_cast<uint8_t>(rng());
  return b;
}

// Returns n - s (big-endian 32 bytes at `s`).
std::array<uint8_t, 32> OrderMinus(const uint8_t* s) {
  std::array<uint8_t, 32> out{};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kOrder[i] - s[i] - borrow;
    borrow = d < 0;
    out[i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}

bool IsLowS(const Signature& sig) {
  // s <= n/2  <=>  s <= n - s
  std::array<uint8_t, 32> neg = OrderMinus(sig.data() + 32);
  return std::memcmp(sig.data() + 32, neg.data(), 32) <= 0;
}

struct KeyVector {
  const char* key;
  const char* address;
};

TEST(SignatureTest, SpecPrivateKeyVectors) {
  const KeyVector vectors[] = {
      {"2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d",
       "0xAAA6628Ec44A8a742987EF3A114dDFE2D4F7aDCE"},
      {"0279651921cd800ac560c21ceea27aab0107b67daf436cdd25ce84cad30159b4",
       "0xBBB676f9cFF8D242e9eaC39D063848807d3D1D94"},
      {"1ea91a2724b40fb8fed6a3648d49e9431996c09744fb841b718377fb0700f3e7",
       "0xA8d2D06aCE9c7FFc24Ee785C2695678aeCDfd7A0"},
      {"febb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781",
       "0x111A00868581f73AB42FEEF67D235Ca09ca1E8db"},
  };
  for (const KeyVector& v : vectors) {
    Bytes32 key = Hex<Bytes32>(v.key);
    StatusOr<Address> a = AddressFromPrivateKey(key);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(*a, Hex<Address>(v.address)) << v.key;
    // The same address comes back from a signature made with that key.
    Hash256 h = Keccak256(std::string_view(v.key));
    StatusOr<Signature> sig = SignHash(h, key);
    ASSERT_TRUE(sig.ok());
    StatusOr<Address> r = RecoverSigner(h, *sig);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, *a);
  }
}

TEST(SignatureTest, EthereumMessageDigestUsesThePrefix) {
  Hash256 h = Keccak256(std::string_view("x"));
  std::string msg =
      "\x19"
      "Ethereum Signed Message:\n32";
  msg.append(reinterpret_cast<const char*>(h.data()), 32);
  EXPECT_EQ(EthereumMessageDigest(h), Keccak256(msg));
}

TEST(SignatureTest, PersonalMessageDigestVectors) {
  // EIP-191 personal_sign digests as Ethereum wallets and libraries compute them.
  EXPECT_EQ(PersonalMessageDigest("Hello World"),
            Hex<Hash256>("0xa1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"));
  EXPECT_EQ(PersonalMessageDigest("hello"),
            Hex<Hash256>("0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"));
  // For a 32-byte message it is the digest Nitro signs.
  Hash256 h = Keccak256(std::string_view("x"));
  std::string_view bytes(reinterpret_cast<const char*>(h.data()), 32);
  EXPECT_EQ(PersonalMessageDigest(bytes), EthereumMessageDigest(h));
}

TEST(SignatureTest, SignMessageThenRecover) {
  Bytes32 key = Hex<Bytes32>("2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d");
  const std::string text = "example.com/log\n7\nc6WQ+yZrgVVwQLFGudR54qG1hJsSUWdkL1tkhm8dXH0=\n";
  StatusOr<Signature> sig = SignMessage(text, key);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_TRUE(IsLowS(*sig));
  StatusOr<Address> who = RecoverMessageSigner(text, *sig);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(*who, Hex<Address>("0xAAA6628Ec44A8a742987EF3A114dDFE2D4F7aDCE"));
  // Another text recovers another address (or none); a message signature is not a hash
  // signature of the same bytes' keccak.
  StatusOr<Address> other = RecoverMessageSigner(text + "x", *sig);
  EXPECT_TRUE(!other.ok() || *other != *who);
  StatusOr<Address> as_hash = RecoverSigner(Keccak256(text), *sig);
  EXPECT_TRUE(!as_hash.ok() || *as_hash != *who);
  // The canonical-form rules are RecoverSigner's.
  Signature bad_v = *sig;
  bad_v.bytes[64] = 1;
  EXPECT_TRUE(RecoverMessageSigner(text, bad_v).status().IsInvalidArgument());
}

TEST(SignatureTest, SignThenRecoverRandomKeysAndHashes) {
  std::mt19937_64 rng(20240601);
  std::set<uint8_t> vs;
  for (int i = 0; i < 300; ++i) {
    Bytes32 key = RandomBytes<32>(rng);
    Hash256 hash = RandomBytes<32>(rng);
    StatusOr<Address> addr = AddressFromPrivateKey(key);
    ASSERT_TRUE(addr.ok());
    StatusOr<Signature> sig = SignHash(hash, key);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(IsLowS(*sig)) << sig->ToHex();
    uint8_t v = sig->bytes[64];
    EXPECT_TRUE(v == 27 || v == 28) << int{v};
    vs.insert(v);
    StatusOr<Address> got = RecoverSigner(hash, *sig);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, *addr);
    // RFC 6979: the same key and hash give the same signature.
    StatusOr<Signature> again = SignHash(hash, key);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *sig);
  }
  EXPECT_EQ(vs.size(), 2u) << "both recovery ids should occur";
}

TEST(SignatureTest, FlippedBitRecoversAnotherAddressOrFails) {
  std::mt19937_64 rng(7);
  Bytes32 key = RandomBytes<32>(rng);
  Address signer = *AddressFromPrivateKey(key);
  for (int trial = 0; trial < 20; ++trial) {
    Hash256 hash = RandomBytes<32>(rng);
    Signature sig = *SignHash(hash, key);
    for (int bit = 0; bit < 65 * 8; bit += 7) {
      Signature bad = sig;
      bad.bytes[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      StatusOr<Address> got = RecoverSigner(hash, bad);
      if (got.ok()) {
        EXPECT_NE(*got, signer) << "bit " << bit;
      }
    }
    Signature flipped_v = sig;
    flipped_v.bytes[64] = sig.bytes[64] == 27 ? 28 : 27;
    StatusOr<Address> got = RecoverSigner(hash, flipped_v);
    if (got.ok()) {
      EXPECT_NE(*got, signer);
    }
    for (int bit = 0; bit < 256; bit += 5) {
      Hash256 other = hash;
      other.bytes[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      StatusOr<Address> r = RecoverSigner(other, sig);
      if (r.ok()) {
        EXPECT_NE(*r, signer) << "hash bit " << bit;
      }
    }
  }
}

void ExpectRejected(const Hash256& hash, const Signature& sig, std::string_view what) {
  StatusOr<Address> got = RecoverSigner(hash, sig);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsInvalidArgument());
  EXPECT_NE(got.status().message().find(what), std::string_view::npos) << got.status().ToString();
}

TEST(SignatureTest, RejectsNonCanonicalAndInvalidSignatures) {
  std::mt19937_64 rng(99);
  Bytes32 key = RandomBytes<32>(rng);
  Hash256 hash = RandomBytes<32>(rng);
  Signature sig = *SignHash(hash, key);
  for (uint8_t v : {0, 1, 2, 26, 29, 255}) {
    Signature bad = sig;
    bad.bytes[64] = v;
    ExpectRejected(hash, bad, "v must be 27 or 28");
  }
  Signature bad = sig;
  std::fill(bad.bytes.begin(), bad.bytes.begin() + 32, 0);
  ExpectRejected(hash, bad, "r must be");
  bad = sig;
  std::copy(kOrder.begin(), kOrder.end(), bad.bytes.begin());
  ExpectRejected(hash, bad, "r must be");
  bad = sig;
  std::fill(bad.bytes.begin() + 32, bad.bytes.begin() + 64, 0);
  ExpectRejected(hash, bad, "s must be");
  bad = sig;
  std::fill(bad.bytes.begin() + 32, bad.bytes.begin() + 64, 0xff);
  ExpectRejected(hash, bad, "s must be");
  // The malleable twin (n - s, other v) is a valid ECDSA signature but not canonical.
  bad = sig;
  std::array<uint8_t, 32> high = OrderMinus(sig.data() + 32);
  std::copy(high.begin(), high.end(), bad.bytes.begin() + 32);
  bad.bytes[64] = sig.bytes[64] == 27 ? 28 : 27;
  ExpectRejected(hash, bad, "high");
}

TEST(SignatureTest, RejectsInvalidPrivateKeys) {
  Bytes32 zero;
  Bytes32 order = Bytes32::FromSpan(kOrder);
  Bytes32 ones;
  ones.bytes.fill(0xff);
  for (const Bytes32& key : {zero, order, ones}) {
    EXPECT_TRUE(AddressFromPrivateKey(key).status().IsInvalidArgument());
    EXPECT_TRUE(SignHash(Hash256{}, key).status().IsInvalidArgument());
  }
}

TEST(SignatureTest, ConcurrentSignAndRecover) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      std::mt19937_64 rng(1000 + t);
      for (int i = 0; i < 50; ++i) {
        Bytes32 key = RandomBytes<32>(rng);
        Hash256 hash = RandomBytes<32>(rng);
        StatusOr<Signature> sig = SignHash(hash, key);
        StatusOr<Address> who = sig.ok() ? RecoverSigner(hash, *sig) : sig.status();
        StatusOr<Address> addr = AddressFromPrivateKey(key);
        if (!who.ok() || !addr.ok() || *who != *addr) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace statelog::nitro
