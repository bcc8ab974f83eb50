// Note keys: key IDs, vkeys, and the two signature types (docs/tlog-format.md, "Signed notes").
#include <crypto++/donna.h>

#include <cstdio>

#include "base/base64.h"
#include "statelog/nitro.h"
#include "statelog/note.h"
#include "statelog/tlog.h"
#include "tlog/text.h"

namespace statelog::tlog {
namespace {

constexpr uint8_t kEd25519Type = 0x01;
constexpr std::string_view kEip191Type =
    "\xff"
    "eip191-secp256k1";

size_t PublicKeySize(KeyType type) { return type == KeyType::kEd25519 ? 32 : Address::kSize; }

std::string KeyTypeName(KeyType type) {
  return type == KeyType::kEd25519 ? "Ed25519" : "eip191-secp256k1";
}

Bytes TypeAndKey(KeyType type, std::span<const uint8_t> key) {
  std::string_view t = KeyTypeBytes(type);
  Bytes out(t.begin(), t.end());
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

std::string KeyIdHex(uint32_t id) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", id);
  return buf;
}

}  // namespace

std::string_view KeyTypeBytes(KeyType type) {
  static constexpr char kEd[] = {static_cast<char>(kEd25519Type)};
  return type == KeyType::kEd25519 ? std::string_view(kEd, 1) : kEip191Type;
}

uint32_t ComputeKeyId(std::string_view name, std::span<const uint8_t> type_and_key) {
  std::string input(name);
  input.push_back('\n');
  input.append(reinterpret_cast<const char*>(type_and_key.data()), type_and_key.size());
  const Hash h = Sha256(input);
  return uint32_t{h.bytes[0]} << 24 | uint32_t{h.bytes[1]} << 16 | uint32_t{h.bytes[2]} << 8 |
         h.bytes[3];
}

NoteVerifier::NoteVerifier(std::string name, KeyType type, Bytes public_key)
    : name_(std::move(name)), type_(type), public_key_(std::move(public_key)) {
  key_id_ = ComputeKeyId(name_, TypeAndKey(type_, public_key_));
}

StatusOr<NoteVerifier> NoteVerifier::Parse(std::string_view vkey) {
  const size_t plus1 = vkey.find('+');
  const size_t plus2 = plus1 == std::string_view::npos ? plus1 : vkey.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) {
    return Status::InvalidArgument("vkey: expected <name>+<key ID>+<base64 key>, got \"" +
                                   std::string(vkey) + "\"");
  }
  const std::string_view name = vkey.substr(0, plus1);
  const std::string_view id_hex = vkey.substr(plus1 + 1, plus2 - plus1 - 1);
  const std::string_view key64 = vkey.substr(plus2 + 1);
  STATELOG_RETURN_IF_ERROR(CheckKeyName(name).WithPrefix("vkey: key name"));
  uint32_t id = 0;
  if (id_hex.size() != 8 || id_hex.find_first_not_of("0123456789abcdef") != id_hex.npos) {
    return Status::InvalidArgument("vkey: the key ID must be 8 lowercase hex digits, got \"" +
                                   std::string(id_hex) + "\"");
  }
  for (char c : id_hex) id = id << 4 | static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  Bytes blob;
  STATELOG_RETURN_IF_ERROR(DecodeBase64(key64, &blob).WithPrefix("vkey: key"));
  const std::string_view blob_view(reinterpret_cast<const char*>(blob.data()), blob.size());
  KeyType type;
  if (blob_view.starts_with(KeyTypeBytes(KeyType::kEip191Secp256k1))) {
    type = KeyType::kEip191Secp256k1;
  } else if (!blob.empty() && blob[0] == kEd25519Type) {
    type = KeyType::kEd25519;
  } else {
    return Status::InvalidArgument(
        "vkey: unknown signature type (first byte " +
        (blob.empty() ? std::string("missing") : ToHex(std::span(blob.data(), 1))) +
        "); known: 0x01 (Ed25519), 0xff \"eip191-secp256k1\"");
  }
  const size_t type_size = KeyTypeBytes(type).size();
  if (blob.size() - type_size != PublicKeySize(type)) {
    return Status::InvalidArgument("vkey: an " + KeyTypeName(type) + " key is " +
                                   std::to_string(PublicKeySize(type)) + " bytes, got " +
                                   std::to_string(blob.size() - type_size));
  }
  NoteVerifier v(std::string(name), type, Bytes(blob.begin() + type_size, blob.end()));
  if (v.key_id_ != id) {
    return Status::InvalidArgument("vkey: key ID " + std::string(id_hex) +
                                   " does not match the name and key (" + KeyIdHex(v.key_id_) +
                                   ")");
  }
  return v;
}

StatusOr<NoteVerifier> NoteVerifier::ForAddress(std::string_view name, const Address& address) {
  STATELOG_RETURN_IF_ERROR(CheckKeyName(name).WithPrefix("key name"));
  return NoteVerifier(std::string(name), KeyType::kEip191Secp256k1,
                      Bytes(address.bytes.begin(), address.bytes.end()));
}

StatusOr<NoteVerifier> NoteVerifier::ForEd25519(std::string_view name,
                                                const FixedBytes<32>& public_key) {
  STATELOG_RETURN_IF_ERROR(CheckKeyName(name).WithPrefix("key name"));
  return NoteVerifier(std::string(name), KeyType::kEd25519,
                      Bytes(public_key.bytes.begin(), public_key.bytes.end()));
}

std::string NoteVerifier::ToString() const {
  std::string out = name_ + "+" + KeyIdHex(key_id_) + "+";
  AppendBase64(TypeAndKey(type_, public_key_), &out);
  return out;
}

Status NoteVerifier::Verify(std::string_view text, std::span<const uint8_t> signature) const {
  const std::string who =
      "the " + KeyTypeName(type_) + " signature of " + name_ + "+" + KeyIdHex(key_id_);
  if (type_ == KeyType::kEd25519) {
    if (signature.size() != 64) {
      return Status::Corruption(who + " is " + std::to_string(signature.size()) + " bytes, not 64");
    }
    if (CryptoPP::Donna::ed25519_sign_open(reinterpret_cast<const uint8_t*>(text.data()),
                                           text.size(), public_key_.data(),
                                           signature.data()) != 0) {
      return Status::Corruption(who + " does not verify");
    }
    return Status::OK();
  }
  if (signature.size() != Signature::kSize) {
    return Status::Corruption(who + " is " + std::to_string(signature.size()) +
                              " bytes, not 65 (r || s || v)");
  }
  StatusOr<Address> signer = nitro::RecoverMessageSigner(text, Signature::FromSpan(signature));
  if (!signer.ok()) return Status::Corruption(who + ": " + std::string(signer.status().message()));
  if (signer->span().size() != public_key_.size() ||
      !std::equal(public_key_.begin(), public_key_.end(), signer->bytes.begin())) {
    return Status::Corruption(who + " was made by " + signer->ToHex() + ", not " +
                              ToHex(public_key_));
  }
  return Status::OK();
}

StatusOr<NoteSigner> NoteSigner::Eip191(std::string_view name, const Bytes32& private_key) {
  STATELOG_ASSIGN_OR_RETURN(Address address, nitro::AddressFromPrivateKey(private_key));
  STATELOG_ASSIGN_OR_RETURN(NoteVerifier verifier, NoteVerifier::ForAddress(name, address));
  return NoteSigner(std::move(verifier), private_key);
}

StatusOr<NoteSigner> NoteSigner::Ed25519(std::string_view name, const Bytes32& seed) {
  FixedBytes<32> public_key;
  CryptoPP::Donna::ed25519_publickey(public_key.data(), seed.data());
  STATELOG_ASSIGN_OR_RETURN(NoteVerifier verifier, NoteVerifier::ForEd25519(name, public_key));
  return NoteSigner(std::move(verifier), seed);
}

StatusOr<Bytes> NoteSigner::Sign(std::string_view text) const {
  if (verifier_.type() == KeyType::kEd25519) {
    Bytes sig(64);
    CryptoPP::Donna::ed25519_sign(reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                  secret_.data(), verifier_.public_key().data(), sig.data());
    return sig;
  }
  STATELOG_ASSIGN_OR_RETURN(Signature sig, nitro::SignMessage(text, secret_));
  return Bytes(sig.bytes.begin(), sig.bytes.end());
}

}  // namespace statelog::tlog
