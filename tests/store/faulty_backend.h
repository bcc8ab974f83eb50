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
#include <memory>
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
  StatusOr<ChainHead> ReadHead() const override {
    STATELOG_RETURN_IF_ERROR(Tick("ReadHead"));
    return inner_->ReadHead();
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
  void SetAppendListener(std::function<void()> callback) override {
    inner_->SetAppendListener(std::move(callback));
  }

 private:
  Status Tick(const char* what) const {
    const uint64_t n = ++plan_->ops;
    if (n != plan_->fail_at) return Status::OK();
    plan_->fired = true;
    return Status::IOError(std::string("injected fault: ") + what + " (operation " +
                           std::to_string(n) + ")");
  }

  const std::shared_ptr<LogBackend> inner_;
  const std::shared_ptr<Plan> plan_;
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_FAULTY_BACKEND_H_
