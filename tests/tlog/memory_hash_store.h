// A tree kept in memory, for tests, benchmarks and the Go interop fixture: leaves appended through
// a RightEdge, stored hashes kept per level, read through the HashReader interface (counting
// the hashes read, so tests can bound a proof's reads).
#ifndef STATELOG_TESTS_TLOG_MEMORY_HASH_STORE_H_
#define STATELOG_TESTS_TLOG_MEMORY_HASH_STORE_H_

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/tlog.h"

namespace statelog::tlog::testing {

class MemoryHashStore : public HashReader {
 public:
  // Appends a leaf with these bytes.
  void AppendLeaf(std::string_view leaf) { AppendLeafHash(LeafHash(leaf)); }
  void AppendLeafHash(const Hash& leaf_hash) {
    added_.clear();
    edge_.Append(leaf_hash, &added_);
    for (const StoredHash& s : added_) {
      if (levels_.size() <= static_cast<size_t>(s.id.level)) levels_.resize(s.id.level + 1);
      levels_[s.id.level].push_back(s.hash);
    }
  }
  uint64_t size() const { return edge_.size(); }
  const RightEdge& edge() const { return edge_; }
  // The stored hashes the last append added.
  const std::vector<StoredHash>& added() const { return added_; }
  // Every stored hash in StoredHashIndex order (what Go's tlog.HashReader numbers).
  std::vector<Hash> InIndexOrder() const {
    std::vector<Hash> out(StoredHashCount(size()));
    for (size_t level = 0; level < levels_.size(); ++level) {
      for (uint64_t n = 0; n < levels_[level].size(); ++n) {
        out[StoredHashIndex(static_cast<int>(level), n)] = levels_[level][n];
      }
    }
    return out;
  }
  // Replaces a stored hash (tamper tests).
  void Overwrite(StoredHashId id, const Hash& h) { levels_.at(id.level).at(id.n) = h; }

  Status ReadHashes(std::span<const StoredHashId> ids, std::span<Hash> out) const override {
    reads_ += ids.size();
    ++calls_;
    for (size_t i = 0; i < ids.size(); ++i) {
      const StoredHashId& id = ids[i];
      if (id.level < 0 || static_cast<size_t>(id.level) >= levels_.size() ||
          id.n >= levels_[id.level].size()) {
        return Status::NotFound("no stored hash " + ToString(id));
      }
      out[i] = levels_[id.level][id.n];
    }
    return Status::OK();
  }
  uint64_t reads() const { return reads_; }
  uint64_t calls() const { return calls_; }
  void ResetCounts() const {
    reads_ = 0;
    calls_ = 0;
  }

 private:
  RightEdge edge_;
  std::vector<StoredHash> added_;
  std::vector<std::vector<Hash>> levels_;
  mutable std::atomic<uint64_t> reads_{0};
  mutable std::atomic<uint64_t> calls_{0};
};

}  // namespace statelog::tlog::testing

#endif  // STATELOG_TESTS_TLOG_MEMORY_HASH_STORE_H_
