// Ethereum-style ECDSA over secp256k1 with libsecp256k1 (docs/nitro-encoding.md, "Signatures").
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "statelog/keccak.h"
#include "statelog/nitro.h"

namespace statelog::nitro {
namespace {

// The curve order n and n/2, big-endian.
constexpr std::array<uint8_t, 32> kOrder = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
constexpr std::array<uint8_t, 32> kHalfOrder = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

// Returns the process-wide context: created and randomized once (thread-safe static init), then
// only used through const pointers, which libsecp256k1 documents as safe to share across threads.
const secp256k1_context* Context() {
  static const secp256k1_context* const ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    std::array<uint8_t, 32> seed{};
    // Randomization only hardens against side channels; without entropy the context still works.
    if (getrandom(seed.data(), seed.size(), 0) == static_cast<ssize_t>(seed.size())) {
      // It fails only for a bad seed pointer; the context stays usable either way.
      [[maybe_unused]] int randomized = secp256k1_context_randomize(c, seed.data());
    }
    return c;
  }();
  return ctx;
}

int CompareBE(const uint8_t* a, const std::array<uint8_t, 32>& b) {
  return std::memcmp(a, b.data(), 32);
}

bool IsZero32(const uint8_t* p) {
  return std::all_of(p, p + 32, [](uint8_t b) { return b == 0; });
}

Address AddressFromPubkey(const secp256k1_pubkey& pubkey) {
  std::array<uint8_t, 65> raw{};
  size_t len = raw.size();
  secp256k1_ec_pubkey_serialize(Context(), raw.data(), &len, &pubkey, SECP256K1_EC_UNCOMPRESSED);
  Hash256 h = Keccak256(std::span<const uint8_t>(raw.data() + 1, 64));
  return Address::FromSpan(std::span<const uint8_t>(h.data() + 12, 20));
}

Status CheckPrivateKey(const Bytes32& private_key) {
  if (!secp256k1_ec_seckey_verify(Context(), private_key.data())) {
    return Status::InvalidArgument("private key must be nonzero and below the secp256k1 order");
  }
  return Status::OK();
}

// Signs a 32-byte digest as it is (no prefix): RFC 6979 nonces, low S, v = 27 + recovery id.
StatusOr<Signature> SignDigest(const Hash256& digest, const Bytes32& private_key) {
  STATELOG_RETURN_IF_ERROR(CheckPrivateKey(private_key));
  secp256k1_ecdsa_recoverable_signature rsig;
  // A null nonce function selects RFC 6979; libsecp256k1 always produces a low S.
  if (!secp256k1_ecdsa_sign_recoverable(Context(), &rsig, digest.data(), private_key.data(),
                                        nullptr, nullptr)) {
    return Status::InvalidArgument("signing failed");
  }
  Signature sig;
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(Context(), sig.data(), &recid, &rsig);
  sig.bytes[64] = static_cast<uint8_t>(27 + recid);
  return sig;
}

// Recovers the signer of a 32-byte digest, accepting only the canonical form SignDigest writes.
StatusOr<Address> RecoverDigestSigner(const Hash256& digest, const Signature& sig) {
  const uint8_t* r = sig.data();
  const uint8_t* s = sig.data() + 32;
  uint8_t v = sig.bytes[64];
  if (v != 27 && v != 28) {
    return Status::InvalidArgument("signature v must be 27 or 28, got " + std::to_string(v));
  }
  if (IsZero32(r) || CompareBE(r, kOrder) >= 0) {
    return Status::InvalidArgument("signature r must be in [1, n-1]");
  }
  if (IsZero32(s) || CompareBE(s, kOrder) >= 0) {
    return Status::InvalidArgument("signature s must be in [1, n-1]");
  }
  if (CompareBE(s, kHalfOrder) > 0) {
    return Status::InvalidArgument("signature s is high (above n/2); only low-S is accepted");
  }
  secp256k1_ecdsa_recoverable_signature rsig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(Context(), &rsig, sig.data(), v - 27)) {
    return Status::InvalidArgument("signature r/s could not be parsed");
  }
  secp256k1_pubkey pubkey;
  if (!secp256k1_ecdsa_recover(Context(), &pubkey, &rsig, digest.data())) {
    return Status::InvalidArgument("no public key recovers from this signature and hash");
  }
  return AddressFromPubkey(pubkey);
}

}  // namespace

Hash256 EthereumMessageDigest(const Hash256& hash) {
  Keccak256Hasher h;
  h.Update(
      std::string_view("\x19"
                       "Ethereum Signed Message:\n32"));
  h.Update(hash.span());
  return h.Finish();
}

StatusOr<Signature> SignHash(const Hash256& hash, const Bytes32& private_key) {
  return SignDigest(EthereumMessageDigest(hash), private_key);
}

StatusOr<Address> RecoverSigner(const Hash256& hash, const Signature& sig) {
  return RecoverDigestSigner(EthereumMessageDigest(hash), sig);
}

Hash256 PersonalMessageDigest(std::string_view message) {
  Keccak256Hasher h;
  h.Update(
      std::string_view("\x19"
                       "Ethereum Signed Message:\n"));
  h.Update(std::to_string(message.size()));
  h.Update(message);
  return h.Finish();
}

StatusOr<Signature> SignMessage(std::string_view message, const Bytes32& private_key) {
  return SignDigest(PersonalMessageDigest(message), private_key);
}

StatusOr<Address> RecoverMessageSigner(std::string_view message, const Signature& sig) {
  return RecoverDigestSigner(PersonalMessageDigest(message), sig);
}

StatusOr<Address> AddressFromPrivateKey(const Bytes32& private_key) {
  STATELOG_RETURN_IF_ERROR(CheckPrivateKey(private_key));
  secp256k1_pubkey pubkey;
  if (!secp256k1_ec_pubkey_create(Context(), &pubkey, private_key.data())) {
    return Status::InvalidArgument("invalid private key");
  }
  return AddressFromPubkey(pubkey);
}

}  // namespace statelog::nitro
