// RocksStore: the implementation behind RocksDbEventStore (docs/adr/0004-rocksdb-storage.md).
//
// Writes: a LevelDB-style writer queue. Each appender checks ids and encodes its events on its own
// thread, enqueues a Writer and waits. The Writer at the front of the queue becomes the leader:
// it takes every queued Writer (the commit group), validates them in order, assigns offsets and
// chain values, writes ONE WriteBatch (synced by default), publishes the new length and wakes the
// others with their results. Only the leader touches the writer-side state (next offset, chain,
// timestamp cache); leadership passes through mu_, which orders those accesses.
//
// Reads go straight to RocksDB and only cover offsets below the published length.
#ifndef STATELOG_ROCKSDB_ROCKSDB_STORE_IMPL_H_
#define STATELOG_ROCKSDB_ROCKSDB_STORE_IMPL_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "statelog/rocksdb_store.h"

namespace statelog::rocksdb_internal {

class RocksStore final : public RocksDbEventStore {
 public:
  // `db` holds a valid statelog store whose head is {length, chain}. `env` (may be null) must
  // outlive `db`.
  RocksStore(std::shared_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db,
             const RocksDbOptions& options, uint64_t length, const Hash256& chain);
  ~RocksStore() override;

  StatusOr<AppendResult> Append(const Event& event) override;
  StatusOr<std::vector<AppendResult>> AppendBatch(std::span<const Event> events) override;

  uint64_t Length() const override { return length_.load(std::memory_order_acquire); }
  ChainHead Head() const override;
  StatusOr<StoredEvent> Read(Offset offset) const override;
  Status ReadRange(Offset begin, Offset end, std::vector<StoredEvent>* out) const override;
  std::unique_ptr<EventCursor> NewCursor(Offset begin, std::optional<Offset> end) const override;
  std::optional<Offset> Find(const EventId& id) const override;
  std::vector<Offset> ChannelOffsets(const ChannelId& id, Offset before) const override;
  std::vector<Offset> ObjectiveOffsets(const ObjectiveId& id, Offset before) const override;

  SnapshotStore* snapshots() override { return snapshots_.get(); }
  Status health() const override;

  rocksdb::DB* db() const { return db_.get(); }
  const rocksdb::WriteOptions& write_options() const { return write_options_; }
  // Puts the store into its fatal error state (first error wins).
  void SetFatal(const Status& error);

 private:
  // One append request in the writer queue.
  struct Writer {
    std::span<const Event> events;
    std::vector<std::string> encoded;  // canonical JSON of each event, built by the appender
    bool batch = false;                // AppendBatch: error messages name the batch index
    Status status;
    std::vector<AppendResult> results;
    bool done = false;
    std::condition_variable cv;
  };
  // An entity's last event: what the timestamp check compares against.
  struct Last {
    Timestamp timestamp;
    Offset offset;
  };
  // Entities touched by one request, not yet merged into the cache.
  struct Overlay {
    std::unordered_map<ChannelId, Last> channels;
    std::unordered_map<ObjectiveId, Last> objectives;
  };

  // Enqueues `w`, leads a commit group if it reaches the front, and returns when `w` is done.
  void Submit(Writer* w);
  // Validates, writes and publishes `group`. Called by the leader without holding mu_.
  void CommitGroup(const std::vector<Writer*>& group);
  // Validates w's events from offset next_; on success adds them to *batch and advances next_,
  // chain_ and the caches; on failure sets w->status and changes nothing.
  void Stage(Writer* w, std::unordered_map<EventId, Offset>* group_ids, rocksdb::WriteBatch* batch);
  // Returns the entity's last event as of the leader's state (cache, then the index in the DB).
  Status LastOf(const ChannelId& id, std::optional<Last>* out);
  Status LastOf(const ObjectiveId& id, std::optional<Last>* out);
  Status LoadLast(const std::string& prefix, std::optional<Last>* out) const;
  Status CheckOrder(const Event& event, Offset at, Overlay* overlay);
  // Returns the offset stored for `id` in the id index (any offset, published or not).
  StatusOr<std::optional<Offset>> LookupId(const EventId& id) const;
  std::vector<Offset> IndexOffsets(const std::string& prefix, Offset before) const;

  const std::shared_ptr<rocksdb::Env> env_;  // destroyed after db_
  std::unique_ptr<rocksdb::DB> db_;
  const RocksDbOptions options_;
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<SnapshotStore> snapshots_;

  std::mutex mu_;  // guards writers_
  std::deque<Writer*> writers_;

  // Leader-only state (see the file comment).
  uint64_t next_;       // offset of the next event to write
  Hash256 next_chain_;  // chain value of the last written event
  std::unordered_map<ChannelId, Last> channel_last_;
  std::unordered_map<ObjectiveId, Last> objective_last_;

  // Published state.
  std::atomic<uint64_t> length_;
  mutable std::mutex head_mu_;  // guards chain_ and fatal_; length_ is stored under it
  Hash256 chain_;
  Status fatal_;
};

// The SnapshotStore kept in a RocksStore's database ('s' records).
std::unique_ptr<SnapshotStore> NewRocksSnapshotStore(RocksStore* owner);

}  // namespace statelog::rocksdb_internal

#endif  // STATELOG_ROCKSDB_ROCKSDB_STORE_IMPL_H_
