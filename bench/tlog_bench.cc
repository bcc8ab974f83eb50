// The Merkle tree's costs at 1M leaves (docs/adr/0016-merkle-tree-and-checkpoints.md): producing
// and checking inclusion and consistency proofs from an in-memory stored-hash reader, a whole
// .tlog-proof file (with the checkpoint's signature recovery), signing a checkpoint, and the
// tree's cost per append. Each has a peer measured in the same run: the keccak256 work the hash
// chain already does per event (BM_ChainAppend) and one signer recovery (BM_RecoverSigner),
// which a counterparty does for every Nitro state it checks.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "statelog/checkpoint.h"
#include "statelog/keccak.h"
#include "statelog/nitro.h"
#include "tlog/memory_hash_store.h"

namespace statelog::tlog {
namespace {

using testing::MemoryHashStore;

constexpr uint64_t kLeaves = 1'000'000;
constexpr std::string_view kOrigin = "statelog.example/bench";
const Bytes32 kKey =
    Bytes32::FromHex("0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d").value();

// An event-sized leaf (441 bytes: the mean canonical JSON event of the demo history).
std::string Event(uint64_t i) {
  std::string e = "{\"offset\":" + std::to_string(i) + ",\"pad\":\"";
  e.resize(438, 'x');
  return e + "\"}\n";
}

// The tree of 1M leaves, built once (about 2M SHA-256, under a second).
const MemoryHashStore& Tree() {
  static const auto* store = [] {
    auto* s = new MemoryHashStore;
    for (uint64_t i = 0; i < kLeaves; ++i) s->AppendLeaf(Event(i));
    return s;
  }();
  return *store;
}

std::vector<uint64_t> Indexes(size_t n, uint64_t below) {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> out(n);
  for (auto& x : out) x = rng() % below;
  return out;
}

void BM_ProveInclusion1M(benchmark::State& state) {
  const MemoryHashStore& tree = Tree();
  const std::vector<uint64_t> idx = Indexes(4096, kLeaves);
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    std::vector<Hash> p = ProveInclusion(idx[i++ & 4095], kLeaves, tree).value();
    bytes = p.size() * Hash::kSize;
    benchmark::DoNotOptimize(p);
  }
  state.counters["proof_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ProveInclusion1M);

void BM_VerifyInclusion1M(benchmark::State& state) {
  const MemoryHashStore& tree = Tree();
  const Hash root = TreeHash(kLeaves, tree).value();
  const std::vector<uint64_t> idx = Indexes(256, kLeaves);
  std::vector<std::vector<Hash>> proofs;
  std::vector<Hash> leaves;
  for (uint64_t m : idx) {
    proofs.push_back(ProveInclusion(m, kLeaves, tree).value());
    leaves.push_back(LeafHash(Event(m)));
  }
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & 255;
    if (!VerifyInclusion(idx[k], kLeaves, leaves[k], proofs[k], root).ok()) {
      state.SkipWithError("proof failed");
    }
  }
}
BENCHMARK(BM_VerifyInclusion1M);

// The same check from the event's bytes: the leaf hash of 441 bytes included.
void BM_VerifyInclusionFromEvent1M(benchmark::State& state) {
  const MemoryHashStore& tree = Tree();
  const Hash root = TreeHash(kLeaves, tree).value();
  const uint64_t m = 123'457;
  const std::vector<Hash> proof = ProveInclusion(m, kLeaves, tree).value();
  const std::string event = Event(m);
  for (auto _ : state) {
    if (!VerifyInclusion(m, kLeaves, LeafHash(event), proof, root).ok()) {
      state.SkipWithError("proof failed");
    }
  }
}
BENCHMARK(BM_VerifyInclusionFromEvent1M);

void BM_ProveConsistency1M(benchmark::State& state) {
  const MemoryHashStore& tree = Tree();
  const std::vector<uint64_t> idx = Indexes(4096, kLeaves);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ProveConsistency(idx[i++ & 4095] + 1, kLeaves, tree).value());
  }
}
BENCHMARK(BM_ProveConsistency1M);

void BM_VerifyConsistency1M(benchmark::State& state) {
  const MemoryHashStore& tree = Tree();
  const Hash root = TreeHash(kLeaves, tree).value();
  const uint64_t m = 654'321;
  const Hash old_root = TreeHash(m, tree).value();
  const std::vector<Hash> proof = ProveConsistency(m, kLeaves, tree).value();
  for (auto _ : state) {
    if (!VerifyConsistency(m, kLeaves, old_root, root, proof).ok()) {
      state.SkipWithError("proof failed");
    }
  }
}
BENCHMARK(BM_VerifyConsistency1M);

// Checkpoint at 1M: the root from the stored hashes, the consistency proof from the last
// checkpoint signed and its check, and the eip191-secp256k1 signature.
void BM_SignCheckpoint1M(benchmark::State& state) {
  const MemoryHashStore& tree = Tree();
  const std::vector<NoteSigner> signers = {NoteSigner::Eip191(kOrigin, kKey).value()};
  const Checkpoint previous = MakeCheckpoint(kOrigin, kLeaves - 1000, Hash256{}, tree).value();
  for (auto _ : state) {
    Checkpoint c = MakeCheckpoint(kOrigin, kLeaves, Hash256{}, tree).value();
    benchmark::DoNotOptimize(SignCheckpoint(c, previous, tree, signers).value());
  }
}
BENCHMARK(BM_SignCheckpoint1M)->Unit(benchmark::kMicrosecond);

void BM_ProveLeafFile1M(benchmark::State& state) {
  const MemoryHashStore& tree = Tree();
  const std::vector<NoteSigner> signers = {NoteSigner::Eip191(kOrigin, kKey).value()};
  const std::string cp = SignCheckpoint(MakeCheckpoint(kOrigin, kLeaves, Hash256{}, tree).value(),
                                        std::nullopt, tree, signers)
                             .value();
  const std::vector<uint64_t> idx = Indexes(4096, kLeaves);
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const uint64_t m = idx[i++ & 4095];
    std::string file = ProveLeaf(m, Event(m), cp, tree).value().Encode();
    bytes = file.size();
    benchmark::DoNotOptimize(file);
  }
  state.counters["file_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ProveLeafFile1M);

// What a counterparty does with a .tlog-proof file: parse, open the checkpoint (one secp256k1
// recovery), hash the event, check the proof.
void BM_CheckLeafFile1M(benchmark::State& state) {
  const MemoryHashStore& tree = Tree();
  const std::vector<NoteSigner> signers = {NoteSigner::Eip191(kOrigin, kKey).value()};
  const std::vector<NoteVerifier> known = {signers[0].verifier()};
  const std::string cp = SignCheckpoint(MakeCheckpoint(kOrigin, kLeaves, Hash256{}, tree).value(),
                                        std::nullopt, tree, signers)
                             .value();
  const std::string file = ProveLeaf(777'777, Event(777'777), cp, tree).value().Encode();
  for (auto _ : state) {
    if (!CheckInclusionProofFile(file, known).ok()) state.SkipWithError("check failed");
  }
}
BENCHMARK(BM_CheckLeafFile1M);

// The peer: one Nitro signer recovery.
void BM_RecoverSigner(benchmark::State& state) {
  const Hash256 h = Keccak256(std::string_view("state"));
  const Signature sig = nitro::SignHash(h, kKey).value();
  for (auto _ : state) benchmark::DoNotOptimize(nitro::RecoverSigner(h, sig).value());
}
BENCHMARK(BM_RecoverSigner);

// Per append: the tree's leaf hash and stored hashes, against the chain's keccak256 work (the
// event's id over its bytes and the chain step) in the same run.
void BM_TreeAppend(benchmark::State& state) {
  const std::string event = Event(1);
  RightEdge edge;
  std::vector<StoredHash> added;
  for (auto _ : state) {
    added.clear();
    edge.Append(LeafHash(event), &added);
    benchmark::DoNotOptimize(added.data());
  }
}
BENCHMARK(BM_TreeAppend);

void BM_ChainAppend(benchmark::State& state) {
  const std::string event = Event(1);
  Hash256 chain;
  for (auto _ : state) {
    const Hash256 id = Keccak256(event);
    std::string in(reinterpret_cast<const char*>(chain.data()), 32);
    in.append(reinterpret_cast<const char*>(id.data()), 32);
    chain = Keccak256(std::string_view(in));
    benchmark::DoNotOptimize(chain);
  }
}
BENCHMARK(BM_ChainAppend);

}  // namespace
}  // namespace statelog::tlog

BENCHMARK_MAIN();
