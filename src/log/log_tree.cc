// Log::VerifyTree: the stored Merkle tree recomputed from the records
// (docs/adr/0016-merkle-tree-and-checkpoints.md).
#include <string>
#include <vector>

#include "log/log_impl.h"
#include "statelog/log.h"
#include "statelog/tlog.h"

namespace statelog {
namespace {

// Stored hashes compared per ReadTreeHashes call.
constexpr size_t kBatch = 4096;

// The records a stored hash covers, for messages.
std::string Covers(const tlog::StoredHashId& id) {
  const Offset begin = id.n << id.level;
  const Offset end = (id.n + 1) << id.level;
  return "records " + std::to_string(begin) +
         (end - begin == 1 ? "" : " to " + std::to_string(end - 1));
}

// Checks stored[i] against computed[i] in order; Corruption naming the first that differs.
Status CompareRead(std::span<const tlog::StoredHash> computed, std::span<const tlog::Hash> stored,
                   Offset* first_bad) {
  for (size_t i = 0; i < computed.size(); ++i) {
    if (stored[i] == computed[i].hash) continue;
    const tlog::StoredHashId& id = computed[i].id;
    if (first_bad != nullptr) *first_bad = id.n << id.level;
    return Status::Corruption("the Merkle tree's stored hash " + tlog::ToString(id) + " (" +
                              Covers(id) + ") is " + stored[i].ToHex() + "; the records give " +
                              computed[i].hash.ToHex());
  }
  return Status::OK();
}

// Compares `computed` with what `tree` stores, in the order the hashes were completed.
Status Compare(const tlog::HashReader& tree, const std::vector<tlog::StoredHash>& computed,
               Offset* first_bad) {
  std::vector<tlog::StoredHashId> ids;
  ids.reserve(computed.size());
  for (const tlog::StoredHash& h : computed) ids.push_back(h.id);
  std::vector<tlog::Hash> stored(ids.size());
  const Status read = tree.ReadHashes(ids, stored);
  if (read.ok()) return CompareRead(computed, stored, first_bad);
  // One hash of the batch could not be read (missing, damaged): find the first failure, a read
  // or a comparison, hash by hash.
  for (size_t i = 0; i < computed.size(); ++i) {
    tlog::Hash one;
    if (Status s = tree.ReadHashes(std::span(&ids[i], 1), std::span(&one, 1)); !s.ok()) {
      if (first_bad != nullptr && s.IsCorruption()) *first_bad = ids[i].n << ids[i].level;
      return s.WithPrefix(Covers(ids[i]));
    }
    STATELOG_RETURN_IF_ERROR(
        CompareRead(std::span(&computed[i], 1), std::span(&one, 1), first_bad));
  }
  return read;
}

}  // namespace

Status Log::VerifyTree(uint64_t length, Offset* first_bad) const {
  const tlog::HashReader* tree = impl_->tree();
  if (tree == nullptr) return Status::OK();
  tlog::RightEdge edge;
  std::vector<tlog::StoredHash> computed;
  std::unique_ptr<RecordCursor> c = NewCursor(0, length);
  for (; c->Valid(); c->Next()) {
    edge.Append(tlog::LeafHash(c->record().record.payload->Encode()), &computed);
    if (computed.size() >= kBatch) {
      STATELOG_RETURN_IF_ERROR(Compare(*tree, computed, first_bad));
      computed.clear();
    }
  }
  STATELOG_RETURN_IF_ERROR(c->status());
  if (edge.size() != length) {
    if (first_bad != nullptr) *first_bad = edge.size();
    return Status::Corruption("the Merkle tree's check read " + std::to_string(edge.size()) +
                              " of " + std::to_string(length) + " records");
  }
  return Compare(*tree, computed, first_bad);
}

}  // namespace statelog
