// FaultyBackend: a LogBackend wrapper that fails one chosen operation, for the fault-injection
// part of the conformance suite. Every call into the backend is an operation, numbered from 1;
// operation `fail_at` fails with IOError ("injected fault"), once, and every later operation
// goes through (the fault has cleared). An Append can fail two ways:
//   - kBefore: nothing is written (a write refused by the disk or the server);
//   - kAfter: the append is written, then reported as failed (an acknowledgement lost with a
//     connection: the outcome is unknown to the caller).
#ifndef STATELOG_TESTS_STORE_FAULTY_BACKEND_H_
#define STATELOG_TESTS_STORE_FAULTY_BACKEND_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "statelog/log_backend.h"

namespace statelog::test {

class FaultyBackend final : public LogBackend {
 public:
  enum class AppendFault { kBefore, kAfter };

  // What several wrappers over one backend share: the operation count and whether the fault has
  // fired (a store reopened after a failed open goes on counting).
  struct Plan {
    std::atomic<uint64_t> fail_at{0};  // 0: no fault
    AppendFault mode = AppendFault::kBefore;
    std::atomic<uint64_t> ops{0};
    std::atomic<bool> fired{false};
  };

  FaultyBackend(std::shared_ptr<LogBackend> inner, std::shared_ptr<Plan> plan)
      : inner_(std::move(inner)), plan_(std::move(plan)) {}

  bool shared() const override { return inner_->shared(); }
  bool wants_encoded() const override { return inner_->wants_encoded(); }
  bool keeps_tree() const override { return inner_->keeps_tree(); }
  bool wants_tree_hashes() const override { return inner_->wants_tree_hashes(); }
  bool keeps_checkpoints() const override { return inner_->keeps_checkpoints(); }
  StatusOr<std::optional<KeptCheckpoint>> ReadLatestCheckpoint() const override {
    return inner_->ReadLatestCheckpoint();
  }
  Status KeepCheckpoint(const KeptCheckpoint& checkpoint) override {
    return inner_->KeepCheckpoint(checkpoint);
  }
  StatusOr<ChainHead> ReadHead() const override {
    STATELOG_RETURN_IF_ERROR(Tick("ReadHead"));
    return inner_->ReadHead();
  }
  Status ReadTreeHashes(std::span<const tlog::StoredHashId> ids,
                        std::span<tlog::Hash> out) const override {
    STATELOG_RETURN_IF_ERROR(Tick("ReadTreeHashes"));
    return inner_->ReadTreeHashes(ids, out);
  }
  Status Append(const ChainHead& expected, std::span<const StagedRecord> records) override {
    const uint64_t n = ++plan_->ops;
    if (n != plan_->fail_at) return inner_->Append(expected, records);
    plan_->fired = true;
    if (plan_->mode == AppendFault::kAfter) {
      Status written = inner_->Append(expected, records);
      if (!written.ok()) return written;
      return Status::IOError("injected fault: Append (operation " + std::to_string(n) +
                             ") was written, its acknowledgement lost");
    }
    return Status::IOError("injected fault: Append (operation " + std::to_string(n) + ")");
  }
  Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const override {
    STATELOG_RETURN_IF_ERROR(Tick("ReadRange"));
    return inner_->ReadRange(begin, end, out);
  }
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const override {
    STATELOG_RETURN_IF_ERROR(Tick("Find"));
    return inner_->Find(id);
  }
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream,
                                              Offset before) const override {
    STATELOG_RETURN_IF_ERROR(Tick("StreamOffsets"));
    return inner_->StreamOffsets(stream, before);
  }
  StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view stream,
                                                     Offset before) const override {
    STATELOG_RETURN_IF_ERROR(Tick("ReadStreamTail"));
    return inner_->ReadStreamTail(stream, before);
  }
  // NewCursor is not overridden: the default cursor reads through ReadRange above, so a fault
  // can hit any chunk of a scan.
  // The inner backend may outlive this wrapper (tests reopen a store over it) and go on calling
  // its listener: the Log that set `callback` must not be called once this wrapper, which it
  // owns, is gone.
  void SetAppendListener(std::function<void()> callback) override {
    {
      std::lock_guard<std::mutex> lock(listener_->mu);
      listener_->callback = std::move(callback);
    }
    inner_->SetAppendListener([listener = listener_] {
      std::lock_guard<std::mutex> lock(listener->mu);
      if (listener->callback) listener->callback();
    });
  }
  ~FaultyBackend() override {
    std::lock_guard<std::mutex> lock(listener_->mu);
    listener_->callback = nullptr;
  }

 private:
  Status Tick(const char* what) const {
    const uint64_t n = ++plan_->ops;
    if (n != plan_->fail_at) return Status::OK();
    plan_->fired = true;
    return Status::IOError(std::string("injected fault: ") + what + " (operation " +
                           std::to_string(n) + ")");
  }

  struct Listener {
    std::mutex mu;
    std::function<void()> callback;  // guarded by mu
  };

  const std::shared_ptr<LogBackend> inner_;
  const std::shared_ptr<Plan> plan_;
  const std::shared_ptr<Listener> listener_ = std::make_shared<Listener>();
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_FAULTY_BACKEND_H_
