// Log: opening, the head, reads and subscriptions; the write path is in log_append.cc.
#include "statelog/log.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "log/log_impl.h"
#include "statelog/keccak.h"
#include "statelog/tlog.h"

namespace statelog {
namespace {

std::string RangeError(Offset begin, Offset end, uint64_t length) {
  return "range [" + std::to_string(begin) + ", " + std::to_string(end) +
         ") is not within the log (length " + std::to_string(length) + ")";
}

// Reads [begin, end) through ReadRange() in chunks; the default LogBackend cursor.
class ChunkedCursor final : public RecordCursor {
 public:
  static constexpr uint64_t kChunk = 256;

  ChunkedCursor(const LogBackend* backend, Offset begin, Offset end)
      : backend_(backend), next_(begin), end_(end) {
    Fill();
  }
  bool Valid() const override { return pos_ < chunk_.size(); }
  void Next() override {
    if (++pos_ == chunk_.size()) Fill();
  }
  const StoredRecord& record() const override { return chunk_[pos_]; }
  StoredRecord TakeRecord() override { return std::move(chunk_[pos_]); }
  Status status() const override { return status_; }

 private:
  void Fill() {
    chunk_.clear();
    pos_ = 0;
    if (next_ >= end_) return;
    const Offset stop = next_ + std::min(kChunk, end_ - next_);
    status_ = backend_->ReadRange(next_, stop, &chunk_);
    if (!status_.ok()) {
      chunk_.clear();
      return;
    }
    next_ = stop;
  }

  const LogBackend* const backend_;
  Offset next_;  // first offset not yet in chunk_
  const Offset end_;
  std::vector<StoredRecord> chunk_;
  size_t pos_ = 0;
  Status status_;
};

class ErrorCursor final : public RecordCursor {
 public:
  explicit ErrorCursor(Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void Next() override {}
  const StoredRecord& record() const override { return none_; }
  Status status() const override { return status_; }

 private:
  Status status_;
  StoredRecord none_;
};

}  // namespace

Hash256 NextChain(const Hash256& previous, const RecordId& id) {
  std::array<uint8_t, 64> buf;
  std::copy(previous.bytes.begin(), previous.bytes.end(), buf.begin());
  std::copy(id.bytes.begin(), id.bytes.end(), buf.begin() + 32);
  return Keccak256(std::span<const uint8_t>(buf));
}

std::string RecordFormat::StreamName(std::string_view stream) const {
  return "stream " + ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(stream.data()),
                                                    stream.size()));
}

Status RecordFormat::CheckEncodedId(const Record& record, std::string_view) const {
  return CheckId(record);
}

Status Log::Impl::FindMany(std::span<const RecordId> ids, uint64_t known,
                           std::vector<std::optional<Offset>>* out) const {
  if (!shared_ && known == 0) {
    out->assign(ids.size(), std::nullopt);
    return Status::OK();
  }
  if (ids.size() == 1) {  // Find() and a single append's retry check: a point lookup sets up less
    STATELOG_ASSIGN_OR_RETURN(std::optional<Offset> one, backend_->Find(ids[0]));
    out->assign(1, one);
  } else {
    STATELOG_RETURN_IF_ERROR(backend_->FindMany(ids, out));
  }
  if (out->size() != ids.size()) {
    return Status::FailedPrecondition("the backend's FindMany gave " + std::to_string(out->size()) +
                                      " results for " + std::to_string(ids.size()) + " ids");
  }
  if (!shared_) {
    for (std::optional<Offset>& at : *out) {
      if (at && *at >= known) at.reset();
    }
  }
  return Status::OK();
}

Status LogBackend::FindMany(std::span<const RecordId> ids,
                            std::vector<std::optional<Offset>>* out) const {
  out->assign(ids.size(), std::nullopt);
  for (size_t i = 0; i < ids.size(); ++i) {
    STATELOG_ASSIGN_OR_RETURN((*out)[i], Find(ids[i]));
  }
  return Status::OK();
}

std::unique_ptr<RecordCursor> LogBackend::NewCursor(Offset begin, Offset end) const {
  return std::make_unique<ChunkedCursor>(this, begin, end);
}

void LogBackend::SetAppendListener(std::function<void()>) {}

Status LogBackend::ReadTreeHashes(std::span<const tlog::StoredHashId>,
                                  std::span<tlog::Hash>) const {
  return Status::NotSupported("this log backend keeps no Merkle tree");
}

StatusOr<std::optional<KeptCheckpoint>> LogBackend::ReadLatestCheckpoint() const {
  return Status::NotSupported("this log backend keeps no checkpoints");
}

Status LogBackend::KeepCheckpoint(const KeptCheckpoint&) {
  return Status::NotSupported("this log backend keeps no checkpoints");
}

Status Log::Impl::LoadTree() {
  if (!stages_tree_) return Status::OK();
  STATELOG_ASSIGN_OR_RETURN(edge_, tlog::RightEdge::Read(known_.length, tree_reader_));
  return Status::OK();
}

Status Log::Impl::TreeReader::ReadHashes(std::span<const tlog::StoredHashId> ids,
                                         std::span<tlog::Hash> out) const {
  if (!impl_->shared_) {
    // A backend only this core writes may hold hashes of a write it has not published (or of one
    // that failed): only complete subtrees of the published records are read.
    const uint64_t length = impl_->KnownLength();
    for (const tlog::StoredHashId& id : ids) {
      if (id.level < 0 || id.level > 63 || ((id.n + 1) << id.level) > length ||
          ((id.n + 1) << id.level) >> id.level != id.n + 1) {
        return Status::OutOfRange("stored hash " + tlog::ToString(id) +
                                  " is not in the tree of the log's " + std::to_string(length) +
                                  " records");
      }
    }
  }
  if (ids.size() != out.size()) {
    return Status::InvalidArgument("ReadHashes: " + std::to_string(ids.size()) + " ids, " +
                                   std::to_string(out.size()) + " hashes");
  }
  return impl_->backend_->ReadTreeHashes(ids, out);
}

// ---- Log::Impl (reads)

Log::Impl::Impl(const Log* owner, std::unique_ptr<LogBackend> backend, const RecordFormat* format,
                const ChainHead& head)
    : hub_(std::make_unique<SubscriptionHub>(owner, [this] { return DeliverableHead(); })),
      backend_(std::move(backend)),
      format_(format),
      shared_(backend_->shared()),
      wants_encoded_(backend_->wants_encoded()),
      group_commit_(backend_->group_commit()),
      cache_tails_(!backend_->cheap_stream_tails()),
      keeps_tree_(backend_->keeps_tree()),
      stages_tree_(keeps_tree_ && backend_->wants_tree_hashes()),
      known_(head),
      length_(head.length),
      head_(head) {}

Log::Impl::~Impl() { hub_->StopAll(); }  // delivery threads read through this object

StatusOr<ChainHead> Log::Impl::DeliverableHead() const {
  if (!shared_) return Head();
  StatusOr<ChainHead> head = backend_->ReadDeliverableHead();
  if (head.ok()) Publish(*head);
  return head;
}

StatusOr<ChainHead> Log::Impl::Head() const {
  if (!shared_) {
    std::lock_guard<std::mutex> lock(head_mu_);
    return head_;
  }
  StatusOr<ChainHead> head = backend_->ReadHead();
  if (head.ok()) Publish(*head);
  return head;
}

Status Log::Impl::CheckRange(Offset begin, Offset end) const {
  uint64_t length = KnownLength();
  if (begin <= end && end <= length) return Status::OK();
  if (shared_ && begin <= end) {
    STATELOG_ASSIGN_OR_RETURN(ChainHead head, Head());
    length = head.length;
    if (end <= length) return Status::OK();
  }
  return Status::OutOfRange(RangeError(begin, end, length));
}

// ---- Log

Log::Log(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Log::~Log() = default;

StatusOr<std::unique_ptr<Log>> Log::Open(std::unique_ptr<LogBackend> backend,
                                         const RecordFormat* format) {
  if (backend == nullptr || format == nullptr) {
    return Status::InvalidArgument("Log::Open needs a backend and a record format");
  }
  STATELOG_ASSIGN_OR_RETURN(ChainHead head, backend->ReadHead());
  LogBackend* raw = backend.get();
  std::unique_ptr<Log> log(new Log(nullptr));
  log->impl_ = std::make_unique<Impl>(log.get(), std::move(backend), format, head);
  Impl* impl = log->impl_.get();
  STATELOG_RETURN_IF_ERROR(impl->LoadTree());
  raw->SetAppendListener([impl] { impl->Notify(); });
  return log;
}

StatusOr<std::vector<AppendResult>> Log::Append(std::span<const Record> records,
                                                const AppendOptions& options) {
  return impl_->Append(records, options);
}

StatusOr<ChainHead> Log::Head() const { return impl_->Head(); }

uint64_t Log::KnownLength() const { return impl_->KnownLength(); }

StatusOr<StoredRecord> Log::Read(Offset offset) const {
  const uint64_t known = impl_->KnownLength();
  if (offset >= known) {
    STATELOG_ASSIGN_OR_RETURN(ChainHead head, impl_->Head());
    if (offset >= head.length) {
      return Status::OutOfRange("offset " + std::to_string(offset) +
                                " is past the end of the log (length " +
                                std::to_string(head.length) + ")");
    }
  }
  std::vector<StoredRecord> one;
  STATELOG_RETURN_IF_ERROR(impl_->backend()->ReadRange(offset, offset + 1, &one));
  if (one.size() != 1) {
    return Status::Corruption("offset " + std::to_string(offset) + ": the backend returned " +
                              std::to_string(one.size()) + " records");
  }
  return std::move(one.front());
}

Status Log::ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const {
  STATELOG_RETURN_IF_ERROR(impl_->CheckRange(begin, end));
  out->clear();
  if (begin == end) return Status::OK();
  return impl_->backend()->ReadRange(begin, end, out);
}

std::unique_ptr<RecordCursor> Log::NewCursor(Offset begin, std::optional<Offset> end) const {
  Offset stop;
  if (end) {
    stop = *end;
  } else {
    StatusOr<ChainHead> head = impl_->Head();
    if (!head.ok()) return std::make_unique<ErrorCursor>(head.status());
    stop = head->length;
  }
  Status range = impl_->CheckRange(begin, stop);
  if (!range.ok()) return std::make_unique<ErrorCursor>(std::move(range));
  return impl_->backend()->NewCursor(begin, stop);
}

StatusOr<std::optional<Offset>> Log::Find(const RecordId& id) const {
  std::vector<std::optional<Offset>> found;
  STATELOG_RETURN_IF_ERROR(impl_->FindMany(std::span(&id, 1), impl_->KnownLength(), &found));
  return found[0];
}

StatusOr<std::vector<std::optional<Offset>>> Log::FindMany(std::span<const RecordId> ids) const {
  std::vector<std::optional<Offset>> found;
  STATELOG_RETURN_IF_ERROR(impl_->FindMany(ids, impl_->KnownLength(), &found));
  return found;
}

StatusOr<std::vector<Offset>> Log::StreamOffsets(std::string_view stream, Offset before) const {
  if (!impl_->backend()->shared()) before = std::min(before, impl_->KnownLength());
  return impl_->backend()->StreamOffsets(stream, before);
}

StatusOr<uint64_t> Log::StreamVersion(std::string_view stream) const {
  STATELOG_ASSIGN_OR_RETURN(ChainHead head, impl_->Head());
  STATELOG_ASSIGN_OR_RETURN(std::optional<StreamTail> tail,
                            impl_->backend()->ReadStreamTail(stream, head.length));
  return tail ? tail->version : 0;
}

SubscriptionId Log::SubscribeFrom(Offset from, RecordCallback callback, SubscribeOptions options) {
  return impl_->hub().Start(from, std::move(callback), std::move(options));
}

Status Log::Unsubscribe(SubscriptionId id) { return impl_->hub().Stop(id); }

Status Log::SubscriptionError(SubscriptionId id) const { return impl_->hub().Error(id); }

Status Log::WaitForDelivery(SubscriptionId id, Offset offset) const {
  return impl_->hub().WaitFor(id, offset);
}

const RecordFormat& Log::format() const { return impl_->format(); }

const tlog::HashReader* Log::tree() const { return impl_->tree(); }

bool Log::keeps_checkpoints() const { return impl_->backend()->keeps_checkpoints(); }

StatusOr<std::optional<KeptCheckpoint>> Log::LatestCheckpoint() const {
  return impl_->backend()->ReadLatestCheckpoint();
}

Status Log::KeepCheckpoint(const KeptCheckpoint& checkpoint) {
  STATELOG_ASSIGN_OR_RETURN(ChainHead head, impl_->Head());
  if (checkpoint.size > head.length) {
    return Status::InvalidArgument("a checkpoint of size " + std::to_string(checkpoint.size) +
                                   " is beyond the log's " + std::to_string(head.length) +
                                   " records");
  }
  return impl_->backend()->KeepCheckpoint(checkpoint);
}

}  // namespace statelog
