// Signed notes: Go's sumdb/note and C2SP signed-note examples as Ed25519 vectors, the
// eip191-secp256k1 type (key ID, vkey, sign and verify), and how notes are opened: unknown keys
// skipped, a known key's bad signature refused, malformed notes named by line.
#include "statelog/note.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/base64.h"
#include "statelog/nitro.h"

namespace statelog::tlog {
namespace {

// go-nitro's test key for Alice (docs/nitro-encoding.md) and its address.
const Bytes32 kAliceKey =
    Bytes32::FromHex("0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d").value();
const Address kAlice = Address::FromHex("0xAAA6628Ec44A8a742987EF3A114dDFE2D4F7aDCE").value();

// Go's sumdb/note documentation: the key pair and the note it signs.
constexpr std::string_view kGoVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoSkeyData = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoNote =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

Bytes32 GoSeed() {
  Bytes raw;
  EXPECT_TRUE(DecodeBase64(kGoSkeyData, &raw).ok());
  EXPECT_EQ(raw.size(), 33u);
  return Bytes32::FromSpan(std::span(raw).subspan(1));
}

TEST(NoteTest, GoEd25519VectorsVerifyAndSignByteForByte) {
  StatusOr<NoteVerifier> v = NoteVerifier::Parse(kGoVkey);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->name(), "PeterNeumann");
  EXPECT_EQ(v->key_id(), 0xc74f20a3u);
  EXPECT_EQ(v->type(), KeyType::kEd25519);
  EXPECT_EQ(v->ToString(), kGoVkey);
  StatusOr<OpenedNote> opened = OpenNote(kGoNote, std::span(&*v, 1));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->note.text, kGoText);
  // Ed25519 is deterministic: signing the text with the seed gives Go's note exactly.
  StatusOr<NoteSigner> signer = NoteSigner::Ed25519("PeterNeumann", GoSeed());
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->verifier().ToString(), kGoVkey);
  EXPECT_EQ(SignNote(kGoText, std::span(&*signer, 1)).value(), kGoNote);
  // Control: one changed character of the text fails.
  std::string changed(kGoNote);
  changed[3] = 'Y';
  EXPECT_TRUE(OpenNote(changed, std::span(&*v, 1)).status().IsCorruption());
}

TEST(NoteTest, SignedNoteSpecExample) {
  StatusOr<NoteVerifier> v =
      NoteVerifier::Parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const std::string note =
      "This is an example message.\n\n\xe2\x80\x94 example.com/foo "
      "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
      "\n";
  EXPECT_TRUE(OpenNote(note, std::span(&*v, 1)).ok());
}

TEST(NoteTest, Eip191KeyIdAndVkey) {
  StatusOr<NoteVerifier> v = NoteVerifier::ForAddress("statelog.example/alice", kAlice);
  ASSERT_TRUE(v.ok());
  // SHA-256("statelog.example/alice\n" || 0xff || "eip191-secp256k1" || address)[:4], computed
  // apart from statelog.
  EXPECT_EQ(v->key_id(), 0xdd551f0bu);
  EXPECT_EQ(v->ToString(),
            "statelog.example/alice+dd551f0b+/2VpcDE5MS1zZWNwMjU2azGqpmKOxEqKdCmH7zoRTd/i1Petzg==");
  StatusOr<NoteVerifier> parsed = NoteVerifier::Parse(v->ToString());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->type(), KeyType::kEip191Secp256k1);
  EXPECT_EQ(Address::FromSpan(parsed->public_key()), kAlice);
  EXPECT_EQ(KeyTypeBytes(KeyType::kEip191Secp256k1),
            "\xff"
            "eip191-secp256k1");
}

TEST(NoteTest, Eip191SignsAndVerifies) {
  StatusOr<NoteSigner> signer = NoteSigner::Eip191("statelog.example/alice", kAliceKey);
  ASSERT_TRUE(signer.ok());
  const std::string text =
      "statelog.example/alice\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  StatusOr<std::string> note = SignNote(text, std::span(&*signer, 1));
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  StatusOr<SignedNote> parsed = ParseNote(*note);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->signatures.size(), 1u);
  ASSERT_EQ(parsed->signatures[0].signature.size(), 65u);
  // The signature is what an Ethereum wallet's personal_sign of the text gives.
  Signature sig = Signature::FromSpan(parsed->signatures[0].signature);
  EXPECT_EQ(nitro::RecoverMessageSigner(text, sig).value(), kAlice);
  const NoteVerifier& v = signer->verifier();
  EXPECT_TRUE(OpenNote(*note, std::span(&v, 1)).ok());
  // Another address under the same name: another key ID, so the line is unknown to it.
  NoteVerifier bob = NoteVerifier::ForAddress(
                         "statelog.example/alice",
                         Address::FromHex("0xBBB676f9cFF8D242e9eaC39D063848807d3D1D94").value())
                         .value();
  EXPECT_TRUE(OpenNote(*note, std::span(&bob, 1)).status().IsCorruption());
  // A signature by Bob's key under Alice's name and key ID: recovered, compared, refused.
  const Bytes32 bob_key =
      Bytes32::FromHex("0x0279651921cd800ac560c21ceea27aab0107b67daf436cdd25ce84cad30159b4")
          .value();
  SignedNote forged = *parsed;
  Signature bob_sig = nitro::SignMessage(text, bob_key).value();
  forged.signatures[0].signature.assign(bob_sig.bytes.begin(), bob_sig.bytes.end());
  Status refused = OpenNote(EncodeNote(forged), std::span(&v, 1)).status();
  EXPECT_TRUE(refused.IsCorruption());
  EXPECT_NE(refused.message().find("was made by 0xbbb6"), std::string::npos) << refused.ToString();
}

TEST(NoteTest, BothTypesOnOneNoteAndUnknownKeysSkipped) {
  std::vector<NoteSigner> signers = {
      NoteSigner::Eip191("statelog.example/alice", kAliceKey).value(),
      NoteSigner::Ed25519("statelog.example/alice", GoSeed()).value()};
  const std::string text =
      "statelog.example/alice\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
  const std::string note = SignNote(text, signers).value();
  // Each key alone opens it; the other line is skipped as unknown.
  for (const NoteSigner& s : signers) {
    StatusOr<OpenedNote> opened = OpenNote(note, std::span(&s.verifier(), 1));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->verified, std::vector<size_t>{0});
    EXPECT_EQ(opened->note.signatures.size(), 2u);
  }
  std::vector<NoteVerifier> both = {signers[0].verifier(), signers[1].verifier()};
  EXPECT_EQ(OpenNote(note, both).value().verified, (std::vector<size_t>{0, 1}));
  // No known key at all: refused, naming who signed.
  NoteVerifier stranger = NoteVerifier::ForAddress("other", kAlice).value();
  Status none = OpenNote(note, std::span(&stranger, 1)).status();
  EXPECT_TRUE(none.IsCorruption());
  EXPECT_NE(none.message().find("statelog.example/alice+"), std::string::npos) << none.ToString();
}

TEST(NoteTest, MalformedNotesAreNamedByLine) {
  const NoteSigner signer = NoteSigner::Eip191("n", kAliceKey).value();
  const std::string good = SignNote("a\nb\n", std::span(&signer, 1)).value();
  ASSERT_TRUE(ParseNote(good).ok());
  struct Case {
    std::string note;
    std::string message;
  } cases[] = {
      {"a\nb\n", "no blank line"},
      {"a\n\n", "no signature line"},
      {"a\n\n- n AAAAAAA=\n", "note line 3: a signature line starts with an em dash"},
      {"a\n\n\xe2\x80\x94 n\n", "note line 3: expected"},
      {"a\n\n\xe2\x80\x94 n AAAA\n", "note line 3: a signature is a 4-byte key ID"},
      {"a\n\n\xe2\x80\x94 n AAAAAAA!\n", "note line 3: signature: base64"},
      {"a\n\n\xe2\x80\x94 a+b AAAAAAA=\n", "a '+' at byte offset 1"},
      {good.substr(0, good.size() - 1), "does not end with a newline"},
      {"a\tb\n\n" + good.substr(good.find("\xe2\x80\x94")), "a control character at byte offset 1"},
      {"a\xff\n\n" + good.substr(good.find("\xe2\x80\x94")), "invalid UTF-8 at byte offset 1"},
  };
  for (const Case& c : cases) {
    Status s = ParseNote(c.note).status();
    EXPECT_TRUE(s.IsInvalidArgument()) << c.note;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.ToString();
  }
  std::string many = "a\n\n";
  const std::string line = good.substr(good.find("\xe2\x80\x94"));
  for (size_t i = 0; i <= kMaxNoteSignatures; ++i) many += line;
  EXPECT_NE(ParseNote(many).status().message().find("more than 100 signatures"), std::string::npos);
  EXPECT_TRUE(SignNote("no newline", std::span(&signer, 1)).status().IsInvalidArgument());
}

TEST(NoteTest, KeyNamesAndVkeysAreChecked) {
  EXPECT_TRUE(CheckKeyName("example.com/log42").ok());
  EXPECT_TRUE(CheckKeyName("caf\xc3\xa9").ok());
  EXPECT_FALSE(CheckKeyName("").ok());
  EXPECT_FALSE(CheckKeyName("a b").ok());
  EXPECT_FALSE(CheckKeyName("a\xe3\x80\x80z").ok());  // U+3000 IDEOGRAPHIC SPACE
  EXPECT_FALSE(CheckKeyName("a+b").ok());
  const std::string vkey = NoteVerifier::ForAddress("n", kAlice).value().ToString();
  std::string bad_id = vkey;
  bad_id[2] = bad_id[2] == '0' ? '1' : '0';
  EXPECT_NE(NoteVerifier::Parse(bad_id).status().message().find("does not match"),
            std::string::npos);
  EXPECT_FALSE(NoteVerifier::Parse("n+0000").ok());
  EXPECT_FALSE(NoteVerifier::Parse("n+zzzzzzzz+AQ==").ok());
  EXPECT_NE(
      NoteVerifier::Parse("n+00000000+Ag==").status().message().find("unknown signature type"),
      std::string::npos);
  EXPECT_NE(NoteVerifier::Parse("n+00000000+AQID").status().message().find("32 bytes, got 2"),
            std::string::npos);
}

}  // namespace
}  // namespace statelog::tlog
