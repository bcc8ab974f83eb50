// Signed notes (the C2SP signed-note format): text, a blank line, and signature lines
// "— <key name> base64(key ID || signature)". Two signature types: the node's Ethereum key
// (eip191-secp256k1: EIP-191 personal_sign of the note text, recovered to a 20-byte address) and
// Ed25519. docs/tlog-format.md defines the types, their key IDs and verifier keys (vkeys).
//
// Errors: malformed text, keys or notes are InvalidArgument naming the line or the part; a
// signature that does not verify is Corruption naming the key.
//
// Thread safety: every function is thread-safe; the classes are values.
#ifndef STATELOG_NOTE_H_
#define STATELOG_NOTE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/bytes.h"
#include "statelog/status.h"

namespace statelog::tlog {

enum class KeyType {
  kEd25519,          // type 0x01, a 32-byte RFC 8032 public key
  kEip191Secp256k1,  // type 0xff || "eip191-secp256k1", a 20-byte Ethereum address
};

// The type's identifier bytes as signed-note writes them before the public key.
std::string_view KeyTypeBytes(KeyType type);

// Returns the first four bytes, big-endian, of SHA-256(name || 0x0A || type_and_key).
uint32_t ComputeKeyId(std::string_view name, std::span<const uint8_t> type_and_key);

// OK for a key name (and so a checkpoint origin statelog signs): non-empty UTF-8 without Unicode
// spaces, '+' or control characters. InvalidArgument naming the offending byte offset otherwise.
Status CheckKeyName(std::string_view name);

// A public key that checks note signatures.
class NoteVerifier {
 public:
  // Parses a vkey "<name>+<8 hex digits>+<base64(type || public key)>"; the key ID must be the
  // one ComputeKeyId gives.
  static StatusOr<NoteVerifier> Parse(std::string_view vkey);
  // The eip191-secp256k1 key of `address` under `name`.
  static StatusOr<NoteVerifier> ForAddress(std::string_view name, const Address& address);
  // The Ed25519 key `public_key` under `name`.
  static StatusOr<NoteVerifier> ForEd25519(std::string_view name, const FixedBytes<32>& public_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  KeyType type() const { return type_; }
  // The 20-byte address or the 32-byte Ed25519 key.
  std::span<const uint8_t> public_key() const { return public_key_; }
  // The vkey.
  std::string ToString() const;
  // OK when `signature` (the bytes after the key ID) signs `text` with this key; Corruption
  // naming the key otherwise.
  Status Verify(std::string_view text, std::span<const uint8_t> signature) const;

 private:
  NoteVerifier(std::string name, KeyType type, Bytes public_key);
  std::string name_;
  uint32_t key_id_ = 0;
  KeyType type_ = KeyType::kEd25519;
  Bytes public_key_;
};

// A private key that signs notes. Holds the secret: keep it no longer than needed.
class NoteSigner {
 public:
  // The node's Ethereum key. InvalidArgument for a bad name or key.
  static StatusOr<NoteSigner> Eip191(std::string_view name, const Bytes32& private_key);
  // An Ed25519 key from its 32-byte RFC 8032 seed.
  static StatusOr<NoteSigner> Ed25519(std::string_view name, const Bytes32& seed);

  const NoteVerifier& verifier() const { return verifier_; }
  // Returns the signature of `text` (without the key ID): 65 bytes r || s || v, or 64 bytes.
  StatusOr<Bytes> Sign(std::string_view text) const;

 private:
  NoteSigner(NoteVerifier verifier, const Bytes32& secret)
      : verifier_(std::move(verifier)), secret_(secret) {}
  NoteVerifier verifier_;
  Bytes32 secret_;
};

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;  // the bytes after the key ID
  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

struct SignedNote {
  std::string text;  // ends with a newline
  std::vector<NoteSignature> signatures;
  friend bool operator==(const SignedNote&, const SignedNote&) = default;
};

// The most signature lines a note may have.
inline constexpr size_t kMaxNoteSignatures = 100;

// Parses a signed note without checking any signature: valid UTF-8 without control characters
// but newline; the text is everything up to the last blank line; then 1 to kMaxNoteSignatures
// signature lines. InvalidArgument naming the line otherwise.
StatusOr<SignedNote> ParseNote(std::string_view note);
// Returns the note: its text, a blank line, one line per signature.
std::string EncodeNote(const SignedNote& note);
// Returns `text` signed by each of `signers`, in that order. InvalidArgument when `text` does not
// end with a newline, is not a valid note text, or `signers` is empty.
StatusOr<std::string> SignNote(std::string_view text, std::span<const NoteSigner> signers);

struct OpenedNote {
  SignedNote note;
  // The keys of `known` (their indexes) whose signatures verified.
  std::vector<size_t> verified;
};
// Parses `note` and checks every signature made by one of `known` (same name and key ID).
// Signatures by other keys are skipped. Corruption when a known key's signature fails, or when no
// known key signed the note.
StatusOr<OpenedNote> OpenNote(std::string_view note, std::span<const NoteVerifier> known);

}  // namespace statelog::tlog

#endif  // STATELOG_NOTE_H_
