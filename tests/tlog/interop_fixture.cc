// The C++ side of the Go interoperability test (go_interop_test.sh).
//
//   tlog_interop_fixture write DIR   writes a tree, proofs and signed notes for gocheck to check
//                                    with Go's sumdb/tlog and sumdb/note;
//   tlog_interop_fixture read DIR    checks what gocheck wrote: notes Go signed (Ed25519 with
//                                    sumdb/note, eip191-secp256k1 with btcec) and Go's proofs.
//
// Files (text unless said): leaves.txt (one leaf per line), hashes.bin (every stored hash, 32
// bytes each, in StoredHashIndex order), roots.txt ("<size> <base64 root>"), inclusion.txt
// ("<index> <size> <base64 hash>..."), consistency.txt ("<old> <new> <base64 hash>..."),
// vkeys.txt (the eip191 vkey, then the Ed25519 vkey), checkpoint.note (signed by both),
// checkpoint-eip191.note (by the Ethereum key only), leaf-<i>.tlog-proof, old.note and
// extension.proof (the add-checkpoint body from old.note to checkpoint.note).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "statelog/checkpoint.h"
#include "statelog/keccak.h"
#include "tlog/memory_hash_store.h"

namespace statelog::tlog {
namespace {

using testing::MemoryHashStore;

constexpr uint64_t kLeaves = 1000;
constexpr std::string_view kOrigin = "statelog.example/interop";
// go-nitro's test key for Alice; an Ed25519 seed of its own.
const Bytes32 kAliceKey =
    Bytes32::FromHex("0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d").value();
const Bytes32 kEdSeed = Bytes32::FromSpan(Sha256("statelog interop ed25519 seed").span());

std::string Leaf(uint64_t i) {
  // Leaves of varied lengths, like events.
  return "{\"offset\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 97, 'x') + "\"}";
}

bool WriteFile(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string Line(uint64_t a, uint64_t b, const std::vector<Hash>& proof) {
  std::string out = std::to_string(a) + " " + std::to_string(b);
  for (const Hash& h : proof) {
    out += ' ';
    out += HashToBase64(h);
  }
  return out + "\n";
}

int Fail(const Status& s, std::string_view what) {
  std::cerr << "tlog_interop_fixture: " << what << ": " << s.ToString() << "\n";
  return 1;
}

int Write(const std::string& dir) {
  MemoryHashStore store;
  std::string leaves, roots;
  Hash256 chain;
  for (uint64_t i = 0; i < kLeaves; ++i) {
    store.AppendLeaf(Leaf(i));
    leaves += Leaf(i) + "\n";
    roots += std::to_string(i + 1) + " " + HashToBase64(store.edge().Root()) + "\n";
    // A chain like the log's, with keccak256 of the leaf standing in for an event id.
    std::string in(reinterpret_cast<const char*>(chain.data()), 32);
    const Hash256 id = Keccak256(Leaf(i));
    in.append(reinterpret_cast<const char*>(id.data()), 32);
    chain = Keccak256(std::string_view(in));
  }
  std::string hashes;
  for (const Hash& h : store.InIndexOrder()) {
    hashes.append(reinterpret_cast<const char*>(h.data()), h.size());
  }
  // Every pair below 70 leaves, and a spread of pairs up to 1000.
  std::string inclusion, consistency;
  auto add_pair = [&](uint64_t m, uint64_t n) -> Status {
    if (m < n) {
      STATELOG_ASSIGN_OR_RETURN(std::vector<Hash> p, ProveInclusion(m, n, store));
      inclusion += Line(m, n, p);
    }
    if (m >= 1) {
      STATELOG_ASSIGN_OR_RETURN(std::vector<Hash> p, ProveConsistency(m, n, store));
      consistency += Line(m, n, p);
    }
    return Status::OK();
  };
  for (uint64_t n = 1; n < 70; ++n) {
    for (uint64_t m = 0; m <= n; ++m) {
      if (Status s = add_pair(m, n); !s.ok()) return Fail(s, "proof");
    }
  }
  for (uint64_t n = 70; n <= kLeaves; n += 37) {
    for (uint64_t m = 0; m <= n; m += 13) {
      if (Status s = add_pair(m, n); !s.ok()) return Fail(s, "proof");
    }
  }
  std::vector<NoteSigner> signers = {NoteSigner::Eip191(kOrigin, kAliceKey).value(),
                                     NoteSigner::Ed25519(kOrigin, kEdSeed).value()};
  StatusOr<Checkpoint> older = MakeCheckpoint(kOrigin, 700, Hash256{}, store);
  StatusOr<Checkpoint> newer = MakeCheckpoint(kOrigin, kLeaves, chain, store);
  if (!older.ok() || !newer.ok()) return Fail(older.ok() ? newer.status() : older.status(), "make");
  StatusOr<std::string> old_note = SignCheckpoint(*older, std::nullopt, store, signers);
  StatusOr<std::string> note = SignCheckpoint(*newer, *older, store, signers);
  StatusOr<std::string> eip_only = SignNote(newer->Text(), std::span(signers).first(1));
  if (!old_note.ok() || !note.ok() || !eip_only.ok()) return Fail(note.status(), "sign");
  bool ok = WriteFile(dir + "/leaves.txt", leaves) && WriteFile(dir + "/hashes.bin", hashes) &&
            WriteFile(dir + "/roots.txt", roots) && WriteFile(dir + "/inclusion.txt", inclusion) &&
            WriteFile(dir + "/consistency.txt", consistency) &&
            WriteFile(dir + "/vkeys.txt", signers[0].verifier().ToString() + "\n" +
                                              signers[1].verifier().ToString() + "\n") &&
            WriteFile(dir + "/checkpoint.note", *note) &&
            WriteFile(dir + "/checkpoint-eip191.note", *eip_only) &&
            WriteFile(dir + "/old.note", *old_note);
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{511}, uint64_t{512}, kLeaves - 1}) {
    StatusOr<InclusionProofFile> f = ProveLeaf(i, Leaf(i), *note, store);
    if (!f.ok()) return Fail(f.status(), "prove leaf");
    ok = ok && WriteFile(dir + "/leaf-" + std::to_string(i) + ".tlog-proof", f->Encode());
  }
  StatusOr<ConsistencyProofFile> c = ProveExtension(*older, *note, store);
  if (!c.ok()) return Fail(c.status(), "prove extension");
  ok = ok && WriteFile(dir + "/extension.proof", c->Encode());
  if (!ok) {
    std::cerr << "tlog_interop_fixture: cannot write to " << dir << "\n";
    return 1;
  }
  return 0;
}

// Checks gocheck's output: go.vkeys (an Ed25519 vkey from note.GenerateKey, an eip191 vkey of a
// btcec key), go.note (the checkpoint text signed by both), go-inclusion.txt and
// go-consistency.txt (Go's ProveRecord and ProveTree on hashes.bin).
int Read(const std::string& dir) {
  std::istringstream vkeys(ReadFile(dir + "/go.vkeys"));
  std::vector<NoteVerifier> go_keys;
  for (std::string line; std::getline(vkeys, line);) {
    StatusOr<NoteVerifier> v = NoteVerifier::Parse(line);
    if (!v.ok()) return Fail(v.status(), "Go's vkey");
    go_keys.push_back(*v);
  }
  if (go_keys.size() != 2) return Fail(Status::InvalidArgument("want 2 vkeys"), "go.vkeys");
  const std::string note = ReadFile(dir + "/go.note");
  for (size_t k = 0; k < go_keys.size(); ++k) {
    StatusOr<Checkpoint> c = OpenCheckpoint(note, std::span(&go_keys[k], 1));
    if (!c.ok()) return Fail(c.status(), "Go's note, key " + go_keys[k].ToString());
  }
  std::string tampered = note;
  tampered[tampered.find('\n') + 1] ^= 1;  // the size line
  if (OpenNote(tampered, go_keys).ok()) {
    return Fail(Status::Corruption("a tampered note opened"), "control");
  }
  // Go's proofs are statelog's proofs: same hashes, and they verify.
  MemoryHashStore store;
  std::vector<std::string> leaf_bytes;
  std::istringstream leaves(ReadFile(dir + "/leaves.txt"));
  for (std::string line; std::getline(leaves, line);) {
    store.AppendLeaf(line);
    leaf_bytes.push_back(line);
  }
  size_t checked = 0;
  for (const bool inclusion : {true, false}) {
    std::istringstream lines(
        ReadFile(dir + (inclusion ? "/go-inclusion.txt" : "/go-consistency.txt")));
    for (std::string line; std::getline(lines, line); ++checked) {
      std::istringstream fields(line);
      uint64_t a = 0, b = 0;
      fields >> a >> b;
      std::vector<Hash> proof;
      for (std::string h; fields >> h;) proof.push_back(HashFromBase64(h).value());
      if (b > store.size() || a > b) return Fail(Status::InvalidArgument(line), "Go's line");
      StatusOr<std::vector<Hash>> ours =
          inclusion ? ProveInclusion(a, b, store) : ProveConsistency(a, b, store);
      if (!ours.ok() || *ours != proof) {
        return Fail(Status::Corruption(line), "Go's proof differs from statelog's");
      }
      const Hash root = TreeHash(b, store).value();
      Status s = inclusion ? VerifyInclusion(a, b, LeafHash(leaf_bytes[a]), proof, root)
                           : VerifyConsistency(a, b, TreeHash(a, store).value(), root, proof);
      if (!s.ok()) return Fail(s, "Go's proof " + line);
    }
  }
  if (checked == 0) return Fail(Status::NotFound("no proofs"), "gocheck's output");
  std::cout << "tlog_interop_fixture: Go's notes open and " << checked
            << " Go proofs equal statelog's\n";
  return 0;
}

}  // namespace
}  // namespace statelog::tlog

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "write") return statelog::tlog::Write(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "read") return statelog::tlog::Read(argv[2]);
  std::cerr << "usage: tlog_interop_fixture write|read DIR\n";
  return 2;
}
