// StagedTreeBackend: a memory backend that takes the Merkle tree's stored hashes from the log
// core (LogBackend::wants_tree_hashes), as the durable backends do, and keeps them beside its
// records. It checks that every staged hash is the next one of its level, so the conformance
// suite runs the core's staging of the tree (group commit, retries, refused batches, catch-up
// after a failed append, fault injection) over a backend that stores what it is given.
#ifndef STATELOG_TESTS_STORE_STAGED_TREE_BACKEND_H_
#define STATELOG_TESTS_STORE_STAGED_TREE_BACKEND_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "statelog/log_backend.h"
#include "statelog/tlog.h"
#include "store/memory_backend.h"

namespace statelog::test {

class StagedTreeBackend final : public LogBackend {
 public:
  StagedTreeBackend() : inner_(store_internal::NewMemoryBackend(/*keep_tree=*/false)) {}

  bool shared() const override { return false; }
  bool wants_encoded() const override { return false; }
  bool group_commit() const override { return true; }  // the core's writer queue, not a mutex
  bool keeps_tree() const override { return true; }
  bool wants_tree_hashes() const override { return true; }
  bool keeps_checkpoints() const override { return inner_->keeps_checkpoints(); }
  StatusOr<std::optional<KeptCheckpoint>> ReadLatestCheckpoint() const override {
    return inner_->ReadLatestCheckpoint();
  }
  Status KeepCheckpoint(const KeptCheckpoint& checkpoint) override {
    return inner_->KeepCheckpoint(checkpoint);
  }
  StatusOr<ChainHead> ReadHead() const override { return inner_->ReadHead(); }
  Status Append(const ChainHead& expected, std::span<const StagedRecord> records) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<uint64_t> next(64, 0);
    for (size_t l = 0; l < tree_.size(); ++l) next[l] = tree_[l].size();
    for (size_t i = 0; i < records.size(); ++i) {
      if (records[i].tree.empty() ||
          records[i].tree[0].id != tlog::StoredHashId{0, records[i].offset}) {
        return Status::InvalidArgument("staged record " + std::to_string(i) +
                                       ": its leaf hash is not staged first");
      }
      for (const tlog::StoredHash& h : records[i].tree) {
        if (h.id.level < 0 || h.id.level >= 64 || h.id.n != next[h.id.level]++) {
          return Status::InvalidArgument("staged record " + std::to_string(i) + ": stored hash " +
                                         tlog::ToString(h.id) + " is not the next of its level");
        }
      }
    }
    STATELOG_RETURN_IF_ERROR(inner_->Append(expected, records));
    for (const StagedRecord& r : records) {
      for (const tlog::StoredHash& h : r.tree) {
        if (tree_.size() <= static_cast<size_t>(h.id.level)) tree_.resize(h.id.level + 1);
        tree_[h.id.level].push_back(h.hash);
      }
    }
    return Status::OK();
  }
  Status ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                        std::span<tlog::Hash> out) const override {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < ids.size(); ++i) {
      const tlog::StoredHashId& id = ids[i];
      if (id.level < 0 || static_cast<size_t>(id.level) >= tree_.size() ||
          id.n >= tree_[id.level].size()) {
        return Status::Corruption("no stored hash " + tlog::ToString(id));
      }
      out[i] = tree_[id.level][id.n];
    }
    return Status::OK();
  }
  // Replaces a stored hash, as damage or a forger would (tests of verify).
  void Tamper(const tlog::StoredHashId& id, const tlog::Hash& hash) {
    std::lock_guard<std::mutex> lock(mu_);
    tree_.at(id.level).at(id.n) = hash;
  }
  Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const override {
    return inner_->ReadRange(begin, end, out);
  }
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const override {
    return inner_->Find(id);
  }
  Status FindMany(std::span<const RecordId> ids,
                  std::vector<std::optional<Offset>>* out) const override {
    return inner_->FindMany(ids, out);
  }
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream,
                                              Offset before) const override {
    return inner_->StreamOffsets(stream, before);
  }
  StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view stream,
                                                     Offset before) const override {
    return inner_->ReadStreamTail(stream, before);
  }

 private:
  const std::unique_ptr<LogBackend> inner_;
  mutable std::mutex mu_;
  std::vector<std::vector<tlog::Hash>> tree_;  // tree_[level][n], guarded by mu_
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_STAGED_TREE_BACKEND_H_
