// Checkpoints and proof files: the note text and its parse errors, opening (the origin's key),
// signing only consistent checkpoints, .tlog-proof inclusion files and consistency files made,
// parsed and checked offline, and what a tampered file or a forked log's checkpoint gives.
#include "statelog/checkpoint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "statelog/keccak.h"
#include "tlog/memory_hash_store.h"

namespace statelog::tlog {
namespace {

using testing::MemoryHashStore;

constexpr std::string_view kOrigin = "statelog.example/alice";
const Bytes32 kAliceKey =
    Bytes32::FromHex("0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d").value();

std::string Event(uint64_t i) { return "{\"offset\":" + std::to_string(i) + "}"; }

// A log of events, its tree and chain, and the node's signer.
class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signers.push_back(NoteSigner::Eip191(kOrigin, kAliceKey).value());
    known.push_back(signers[0].verifier());
    Append(10);
  }
  void Append(uint64_t n) {
    for (uint64_t k = 0; k < n; ++k) {
      const std::string e = Event(store.size());
      store.AppendLeaf(e);
      chains.push_back(
          NextChain(chains.empty() ? Hash256{} : chains.back(), Keccak256(std::string_view(e))));
    }
  }
  static Hash256 NextChain(const Hash256& prev, const Hash256& id) {
    std::string in(reinterpret_cast<const char*>(prev.data()), 32);
    in.append(reinterpret_cast<const char*>(id.data()), 32);
    return Keccak256(std::string_view(in));
  }
  Checkpoint Make(uint64_t size) {
    return MakeCheckpoint(kOrigin, size, chains[size - 1], store).value();
  }
  std::string Sign(const Checkpoint& c, const std::optional<Checkpoint>& previous = {}) {
    return SignCheckpoint(c, previous, store, signers).value();
  }

  MemoryHashStore store;
  std::vector<Hash256> chains;
  std::vector<NoteSigner> signers;
  std::vector<NoteVerifier> known;
};

TEST_F(CheckpointTest, TextRoundTripsWithTheChainLine) {
  Checkpoint c = Make(10);
  const std::string text = c.Text();
  EXPECT_EQ(text, std::string(kOrigin) + "\n10\n" + HashToBase64(c.root) + "\nkeccak256-chain " +
                      chains[9].ToHex() + "\n");
  EXPECT_EQ(Checkpoint::ParseText(text).value(), c);
  // Other extension lines are kept; a checkpoint without a chain line parses.
  const std::string other =
      std::string(kOrigin) + "\n0\n" + HashToBase64(EmptyTreeHash()) + "\nsomething else\n";
  StatusOr<Checkpoint> parsed = Checkpoint::ParseText(other);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE(parsed->chain.has_value());
  EXPECT_EQ(parsed->extensions, std::vector<std::string>{"something else"});
  EXPECT_EQ(parsed->Text(), other);
}

TEST_F(CheckpointTest, ParseErrorsNameTheLine) {
  const std::string root = HashToBase64(EmptyTreeHash());
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"o\n1\n", "2 lines"},
      {"o\n01\n" + root + "\n", "line 2: tree size \"01\" has a leading zero"},
      {"o\n-1\n" + root + "\n", "line 2: tree size \"-1\" is not a decimal"},
      {"o\n9223372036854775808\n" + root + "\n", "is 2^63 or more"},
      {"o\n1\nAAAA\n", "line 3: root hash: a hash is 32 bytes"},
      {"o\n1\n" + root + "\n\n", "line 4: empty line"},
      {"o\n1\n" + root, "line 3: no newline at the end"},
      {"o\n1\n" + root + "\nkeccak256-chain 0x12\n", "line 4: keccak256-chain"},
      {"o\n1\n" + root + "\nkeccak256-chain 0x" + std::string(64, '0') + "\nkeccak256-chain 0x" +
           std::string(64, '0') + "\n",
       "line 5: a second keccak256-chain line"},
  };
  for (const Case& c : cases) {
    Status s = Checkpoint::ParseText(c.text).status();
    EXPECT_TRUE(s.IsInvalidArgument()) << c.text;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.ToString();
  }
}

TEST_F(CheckpointTest, OpenNeedsTheOriginsKey) {
  const std::string signed_cp = Sign(Make(10));
  StatusOr<Checkpoint> opened = OpenCheckpoint(signed_cp, known);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, Make(10));
  // The same key under another name signs a note whose origin is not its name.
  std::vector<NoteSigner> other = {NoteSigner::Eip191("someone.else", kAliceKey).value()};
  const std::string by_other = SignNote(Make(10).Text(), other).value();
  std::vector<NoteVerifier> other_known = {other[0].verifier()};
  Status s = OpenCheckpoint(by_other, other_known).status();
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("named after its origin"), std::string::npos) << s.ToString();
}

TEST_F(CheckpointTest, SignsOnlyCheckpointsConsistentWithTheLastOne) {
  const Checkpoint first = Make(10);
  ASSERT_TRUE(SignCheckpoint(first, std::nullopt, store, signers).ok());
  Append(7);
  const Checkpoint second = Make(17);
  // Control: the log extended its tree; the next checkpoint is signed.
  ASSERT_TRUE(SignCheckpoint(second, first, store, signers).ok());
  ASSERT_TRUE(SignCheckpoint(second, second, store, signers).ok());  // the same one again
  // Smaller than the last one signed.
  EXPECT_TRUE(SignCheckpoint(first, second, store, signers).status().code() ==
              StatusCode::kFailedPrecondition);
  // A root the log does not have.
  Checkpoint made_up = second;
  made_up.root = Sha256("made up");
  Status s = SignCheckpoint(made_up, first, store, signers).status();
  EXPECT_TRUE(s.code() == StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("is not the log's"), std::string::npos) << s.ToString();
  // Another chain head at the same size.
  Checkpoint other_chain = second;
  other_chain.chain = Hash256{};
  EXPECT_TRUE(SignCheckpoint(other_chain, second, store, signers).status().code() ==
              StatusCode::kFailedPrecondition);
  // A log rewritten below the last checkpoint (restored from an old backup, appended to
  // differently) cannot get its new tree signed.
  MemoryHashStore rewritten;
  for (uint64_t i = 0; i < 17; ++i) rewritten.AppendLeaf(i == 4 ? "{\"rewritten\":4}" : Event(i));
  Checkpoint forked = MakeCheckpoint(kOrigin, 17, chains[16], rewritten).value();
  s = SignCheckpoint(forked, first, rewritten, signers).status();
  EXPECT_TRUE(s.code() == StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("not consistent with the checkpoint of size 10"), std::string::npos)
      << s.ToString();
  // Another origin.
  Checkpoint renamed = second;
  renamed.origin = "renamed";
  EXPECT_TRUE(SignCheckpoint(renamed, first, store, signers).status().code() ==
              StatusCode::kFailedPrecondition);
}

TEST_F(CheckpointTest, InclusionProofFileRoundTripsAndChecksOffline) {
  const std::string signed_cp = Sign(Make(10));
  for (uint64_t i = 0; i < 10; ++i) {
    StatusOr<InclusionProofFile> f = ProveLeaf(i, Event(i), signed_cp, store);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    const std::string text = f->Encode();
    ASSERT_TRUE(text.starts_with("c2sp.org/tlog-proof@v1\nextra "));
    StatusOr<InclusionProofFile> parsed = InclusionProofFile::Parse(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->Encode(), text);
    StatusOr<CheckedInclusion> checked = CheckInclusionProofFile(text, known);
    ASSERT_TRUE(checked.ok()) << checked.status().ToString();
    EXPECT_EQ(checked->index, i);
    EXPECT_EQ(checked->leaf, Event(i));
    EXPECT_EQ(checked->checkpoint.size, 10u);
  }
  // Proving bytes that are not the leaf is refused when the file is made.
  EXPECT_TRUE(ProveLeaf(3, Event(4), signed_cp, store).status().IsCorruption());
}

TEST_F(CheckpointTest, TamperedInclusionProofFilesFail) {
  const std::string signed_cp = Sign(Make(10));
  InclusionProofFile f = ProveLeaf(5, Event(5), signed_cp, store).value();
  ASSERT_TRUE(CheckInclusionProofFile(f.Encode(), known).ok());  // control
  InclusionProofFile changed_event = f;
  changed_event.extra = "{\"offset\":6}";
  EXPECT_TRUE(CheckInclusionProofFile(changed_event.Encode(), known).status().IsCorruption());
  InclusionProofFile moved = f;
  moved.index = 6;
  EXPECT_FALSE(CheckInclusionProofFile(moved.Encode(), known).ok());
  InclusionProofFile no_extra = f;
  no_extra.extra.reset();
  EXPECT_TRUE(CheckInclusionProofFile(no_extra.Encode(), known).status().IsInvalidArgument());
  // A checkpoint with another size or root, under the original signature.
  InclusionProofFile resized = f;
  std::string cp = f.checkpoint;
  cp.replace(cp.find("\n10\n"), 4, "\n11\n");
  resized.checkpoint = cp;
  EXPECT_TRUE(CheckInclusionProofFile(resized.Encode(), known).status().IsCorruption());
  // A verifier that does not know the node's key.
  std::vector<NoteVerifier> stranger = {
      NoteVerifier::ForAddress(kOrigin, Address::FromHex("0x" + std::string(40, '1')).value())
          .value()};
  EXPECT_TRUE(CheckInclusionProofFile(f.Encode(), stranger).status().IsCorruption());
}

TEST_F(CheckpointTest, InclusionProofFileParseErrors) {
  const std::string cp = Sign(Make(10));
  const std::string h = HashToBase64(Sha256("x"));
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"c2sp.org/tlog-proof@v2\nindex 0\n\n" + cp, "line 1: expected"},
      {"c2sp.org/tlog-proof@v1\n", "line 2: expected"},
      {"c2sp.org/tlog-proof@v1\nextra !!!!\nindex 0\n\n" + cp, "line 2: extra: base64"},
      {"c2sp.org/tlog-proof@v1\nidx 0\n\n" + cp, "line 2: expected \"index <n>\""},
      {"c2sp.org/tlog-proof@v1\nindex 00\n\n" + cp, "line 2: index \"00\" has a leading zero"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n" + h + "x\n\n" + cp, "line 3: proof hash"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n" + h + "\n", "no blank line and checkpoint"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n\n", "no checkpoint after line 3"},
  };
  for (const Case& c : cases) {
    Status s = InclusionProofFile::Parse(c.text).status();
    EXPECT_TRUE(s.IsInvalidArgument()) << c.text;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.ToString();
  }
}

TEST_F(CheckpointTest, ConsistencyProofFiles) {
  const Checkpoint older = Make(10);
  const std::string older_signed = Sign(older);
  Append(23);
  const std::string newer_signed = Sign(Make(33), older);
  StatusOr<ConsistencyProofFile> f = ProveExtension(older, newer_signed, store);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const std::string text = f->Encode();
  EXPECT_TRUE(text.starts_with("old 10\n"));
  EXPECT_EQ(ConsistencyProofFile::Parse(text).value().Encode(), text);
  StatusOr<Checkpoint> newer = CheckConsistencyProofFile(text, older, known);
  ASSERT_TRUE(newer.ok()) << newer.status().ToString();
  EXPECT_EQ(newer->size, 33u);
  // Against the checkpoint of another size, or a forked log's checkpoint of the same size.
  EXPECT_TRUE(CheckConsistencyProofFile(text, Make(11), known).status().IsInvalidArgument());
  MemoryHashStore fork;
  for (uint64_t i = 0; i < 10; ++i) fork.AppendLeaf(i == 9 ? "{\"fork\":9}" : Event(i));
  const Checkpoint forked = MakeCheckpoint(kOrigin, 10, chains[9], fork).value();
  Status s = CheckConsistencyProofFile(text, forked, known).status();
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("leads to old root"), std::string::npos) << s.ToString();
  // At equal sizes: no proof lines, the same root.
  const std::string same = ProveExtension(Make(33), newer_signed, store).value().Encode();
  EXPECT_TRUE(CheckConsistencyProofFile(same, Make(33), known).ok());
  Checkpoint other_chain = Make(33);
  other_chain.chain = Hash256{};
  EXPECT_TRUE(CheckConsistencyProofFile(same, other_chain, known).status().IsCorruption());
  EXPECT_TRUE(ConsistencyProofFile::Parse("new 1\n\n" + newer_signed).status().IsInvalidArgument());
}

TEST_F(CheckpointTest, StreamBundles) {
  Append(10);
  const std::string signed20 = Sign(Make(20));
  const std::vector<uint64_t> offsets = {2, 5, 6, 11, 19};
  std::vector<std::string> leaves;
  for (uint64_t o : offsets) leaves.push_back(Event(o));
  StatusOr<BundleFile> made = ProveStream("channel 0xab", offsets, leaves, signed20, store);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  const std::string text = made->Encode();
  EXPECT_TRUE(
      text.starts_with("statelog-bundle@v1\nstream channel 0xab\nevents 5\nversion 1 "
                       "index 2\nextra "));
  EXPECT_EQ(BundleFile::Parse(text).value(), *made);
  StatusOr<CheckedBundle> checked = CheckBundleFile(text, known);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(checked->checkpoint.size, 20u);
  EXPECT_EQ(checked->bundle.entries.size(), 5u);
  EXPECT_EQ(checked->bundle.entries[3].leaf, Event(11));

  auto check = [&](const BundleFile& b) { return CheckBundleFile(b.Encode(), known).status(); };
  // A gap: version 3 dropped.
  BundleFile gap = *made;
  gap.entries.erase(gap.entries.begin() + 2);
  Status s = check(gap);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(),
            "bundle of channel 0xab: version 3 is missing: entry 3 is version 4 after version 2");
  // The last one dropped, with the count left as it was.
  BundleFile short_tail = *made;
  short_tail.entries.pop_back();
  EXPECT_EQ(check(short_tail).message(),
            "bundle of channel 0xab: 4 events of the 5 it names: version 5 is missing");
  // Two entries swapped.
  BundleFile swapped = *made;
  std::swap(swapped.entries[1], swapped.entries[2]);
  EXPECT_EQ(check(swapped).message(),
            "bundle of channel 0xab: version 2 is missing: entry 2 is version 3 after version 1");
  // Renumbered after the swap: the offsets go back.
  swapped.entries[1].version = 2;
  swapped.entries[2].version = 3;
  EXPECT_EQ(check(swapped).message(),
            "bundle of channel 0xab: version 3 is at offset 5, not after version 2's offset 6");
  // A changed event.
  BundleFile changed = *made;
  changed.entries[3].leaf = "{\"offset\":12}";
  s = check(changed);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(
      s.message().starts_with("bundle of channel 0xab, version 4 (offset 11): the "
                              "inclusion proof of leaf 11 in a tree of 20 leaves leads "
                              "to root "))
      << s.ToString();
  // Refused to make: no event, an offset out of order, beyond the checkpoint, a wrong leaf.
  EXPECT_TRUE(ProveStream("c", {}, {}, signed20, store).status().IsInvalidArgument());
  EXPECT_TRUE(ProveStream("c", std::vector<uint64_t>{5, 2}, {Event(5), Event(2)}, signed20, store)
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ProveStream("c", std::vector<uint64_t>{20}, {Event(20)}, signed20, store)
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ProveStream("c", std::vector<uint64_t>{3}, {Event(4)}, signed20, store)
                  .status()
                  .IsCorruption());
  // Parse errors name the line.
  EXPECT_EQ(
      BundleFile::Parse("statelog-bundle@v1\nstream c\nevents 1\nindex 3\n").status().message(),
      "bundle line 4: expected \"version <v> index <offset>\"");
  EXPECT_EQ(BundleFile::Parse("statelog-bundle@v2\n").status().message(),
            "bundle line 1: expected \"statelog-bundle@v1\"");
}

TEST_F(CheckpointTest, ProveExtensionRefusesACheckpointOfAnotherHistory) {
  Append(23);
  const std::string newer_signed = Sign(Make(33));
  // A forked log's checkpoint of size 10: the stored tree at 10 has another root.
  MemoryHashStore fork;
  for (uint64_t i = 0; i < 10; ++i) fork.AppendLeaf(i == 9 ? "{\"fork\":9}" : Event(i));
  const Checkpoint forked = MakeCheckpoint(kOrigin, 10, chains[9], fork).value();
  Status s = ProveExtension(forked, newer_signed, store).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message(), "the older checkpoint of size 10 has root " + HashToBase64(forked.root) +
                             "; the log's tree at that size has root " +
                             HashToBase64(Make(10).root) +
                             ": it is not a checkpoint of this history");
  // Another origin, and a size beyond the newer checkpoint's.
  Checkpoint other = Make(10);
  other.origin = "statelog.example/bob";
  s = ProveExtension(other, newer_signed, store).status();
  EXPECT_EQ(s.message(),
            "the older checkpoint is of statelog.example/bob, the newer of statelog.example/alice");
  s = ProveExtension(Make(10), Sign(Make(9)), store).status();
  EXPECT_EQ(s.message(), "the older checkpoint's size 10 is beyond the newer checkpoint's 9");
  // The control: the log's own checkpoint of size 10 proves.
  EXPECT_TRUE(ProveExtension(Make(10), newer_signed, store).ok());
}

}  // namespace
}  // namespace statelog::tlog
