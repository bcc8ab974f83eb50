// Log::Impl: the generic log core behind statelog/log.h (docs/adr/0008-log-core.md).
//
// Writes: a LevelDB-style writer queue. Each appender checks its records' ids and stream keys and
// encodes them (when the backend wants bytes) on its own thread, enqueues a Writer and waits. The
// Writer at the front becomes the leader: it takes every queued Writer (the commit group),
// stages them in order against the head it knows (idempotent retries, expectations, per-stream
// ordering, offsets, chain values, stream versions), hands the backend ONE conditional append,
// publishes the new head and wakes the others. Only the leader touches the writer-side state
// (known_, tails_, stale_); leadership passes through mu_, which orders those accesses. Stream
// tails are cached in tails_ unless the backend's own are as cheap
// (LogBackend::cheap_stream_tails).
//
// With a shared backend (other processes append too) the known head and the stream tails are
// hints: the backend's conditional append refuses a batch staged against an old head (Conflict),
// and the leader then catches up by reading the records it missed and stages the group again.
#ifndef STATELOG_LOG_LOG_IMPL_H_
#define STATELOG_LOG_LOG_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "log/subscription_hub.h"
#include "statelog/log.h"
#include "statelog/log_backend.h"
#include "statelog/tlog.h"

namespace statelog {

// Hashes std::string and std::string_view alike, so stream lookups build no string.
struct StreamKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
};

class Log::Impl {
 public:
  Impl(const Log* owner, std::unique_ptr<LogBackend> backend, const RecordFormat* format,
       const ChainHead& head);
  ~Impl();

  StatusOr<std::vector<AppendResult>> Append(std::span<const Record> records,
                                             const AppendOptions& options);
  StatusOr<ChainHead> Head() const;
  // The head subscriptions deliver up to (LogBackend::ReadDeliverableHead).
  StatusOr<ChainHead> DeliverableHead() const;
  // The length readers may see without asking the backend: every record below it is readable.
  uint64_t KnownLength() const { return length_.load(std::memory_order_acquire); }
  // OK when [begin, end) is within the log; reads the backend's head only when needed.
  Status CheckRange(Offset begin, Offset end) const;

  // The offsets of `ids` in the log of `known` records (the backend's FindMany, checked to give one
  // result per id). A backend only this core writes holds nothing past the head the core knows
  // that is in the log: an entry there is left by a failed write or not yet published, and is
  // reported absent; with `known` == 0 such a backend is not asked at all (an import into a new
  // log looks up none of its ids). A shared backend is always asked and its answer kept.
  Status FindMany(std::span<const RecordId> ids, uint64_t known,
                  std::vector<std::optional<Offset>>* out) const;

  // Reads the tree's right edge for the head the core knows (Log::Open). OK without a tree.
  Status LoadTree();
  // The tree's stored hashes, bounded by the published length for a backend only this core
  // writes; nullptr when the backend keeps no tree.
  const tlog::HashReader* tree() const { return keeps_tree_ ? &tree_reader_ : nullptr; }

  LogBackend* backend() const { return backend_.get(); }
  const RecordFormat& format() const { return *format_; }
  SubscriptionHub& hub() { return *hub_; }
  const SubscriptionHub& hub() const { return *hub_; }
  // Wakes subscriptions (the backend saw another process append).
  void Notify() { hub_->Notify(); }

 private:
  struct Writer {
    std::span<const Record> records;
    const AppendOptions* options = nullptr;
    std::vector<std::string> encoded;  // payload bytes, when the backend wants them
    std::vector<tlog::Hash> leaves;    // leaf hashes of the payload bytes, when stages_tree_
    Status status;
    std::vector<AppendResult> results;         // one per record, sized before staging
    std::vector<std::optional<Offset>> found;  // where each record already is, if it is

    bool done = false;
    std::condition_variable cv;
  };
  // The state a group is staged against: the known head plus the group's records so far.
  struct Stage;

  void Submit(Writer* w);
  void CommitGroup(std::span<Writer* const> group);
  // Stages w's records into *stage; on failure sets w->status and leaves *stage unchanged.
  // `last` when no writer of the group follows (its ids need not be remembered).
  void StageWriter(Writer* w, bool last, Stage* stage);
  // Looks up whether w's records are already in the log (or earlier in the group): w->found.
  // Returns false, with w->status set, when the backend cannot tell.
  bool FindExisting(Writer* w, const Stage& stage);

  // Checks w's expectations against the stage; false with w->status set on a mismatch.
  bool CheckExpectations(Writer* w, const Stage& stage);
  // Places w's new records after the stage's head: offsets, chain values, stream versions.
  // On an error (naming the record) *stage is unchanged.
  Status Place(Writer* w, Stage* stage);
  // Returns the tail of `stream` as of the stage (group overlay, cache, then the backend), and
  // the stream's entry in tails_, which committing the stage updates (nullptr when tails are not
  // cached).
  Status TailOf(std::string_view stream, const Stage& stage, std::optional<StreamTail>* out,
                std::optional<StreamTail>** cached);
  // The backend's tail of `stream` among the records below the head this core knows.
  StatusOr<std::optional<StreamTail>> ReadTail(std::string_view stream) const;
  // Reads the backend's head and folds the records this core has not seen into its caches.
  Status CatchUp();
  void Publish(const ChainHead& head) const;

  class TreeReader final : public tlog::HashReader {
   public:
    explicit TreeReader(const Impl* impl) : impl_(impl) {}
    Status ReadHashes(std::span<const tlog::StoredHashId> ids,
                      std::span<tlog::Hash> out) const override;

   private:
    const Impl* const impl_;
  };

  // Declared first, destroyed last: the backend's listener may wake it until the backend is gone.
  // ~Impl stops its delivery threads before anything else.
  std::unique_ptr<SubscriptionHub> hub_;
  const std::unique_ptr<LogBackend> backend_;
  const RecordFormat* const format_;
  const bool shared_;
  const bool wants_encoded_;
  const bool group_commit_;
  const bool cache_tails_;  // false when the backend's stream tails are as cheap as tails_
  const bool keeps_tree_;   // the backend answers ReadTreeHashes
  const bool stages_tree_;  // the core computes the stored hashes for the backend's appends
  const TreeReader tree_reader_{this};

  std::mutex mu_;  // guards writers_
  std::deque<Writer*> writers_;
  std::mutex serial_mu_;  // without group commit: held by the one appender at work

  // Leader-only state.
  ChainHead known_;  // the head the caches below reflect
  // nullopt: the stream has no record. Empty unless cache_tails_.
  std::unordered_map<std::string, std::optional<StreamTail>, StreamKeyHash, std::equal_to<>> tails_;
  bool stale_ = false;    // an append's outcome is unknown: catch up before the next one
  tlog::RightEdge edge_;  // the tree's right edge at known_, when stages_tree_

  // Published state: the longest head known to be committed. Readers may read below it without
  // asking the backend. Mutable: Head() of a shared backend raises it.
  mutable std::atomic<uint64_t> length_;
  mutable std::mutex head_mu_;  // guards head_; length_ is stored under it
  mutable ChainHead head_;
};

}  // namespace statelog

#endif  // STATELOG_LOG_LOG_IMPL_H_
