// RocksStore's write path: the writer queue, group commit and publication.
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <string>
#include <utility>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/rocksdb_store_impl.h"
#include "statelog/codec.h"
#include "store/append_checks.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;

// A commit group stops growing at this many encoded bytes (LevelDB caps its groups at 1 MiB);
// the first writer is always taken, however large.
constexpr size_t kMaxGroupBytes = size_t{4} << 20;

using store_internal::CheckTimestampOrder;
using store_internal::EntityName;

size_t EncodedBytes(const std::vector<std::string>& encoded) {
  size_t n = 0;
  for (const std::string& e : encoded) n += e.size();
  return n;
}

}  // namespace

RocksStore::~RocksStore() {
  StopSubscriptions();  // delivery threads read this object; stop them first
  snapshots_.reset();
  if (db_) {
    // Best effort: a close error changes nothing that is durable.
    (void)db_->Close();
    db_.reset();
  }
}

Status RocksStore::health() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return fatal_;
}

void RocksStore::SetFatal(const Status& error) {
  std::lock_guard<std::mutex> lock(head_mu_);
  if (fatal_.ok()) fatal_ = error;
}

ChainHead RocksStore::Head() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return ChainHead{length_.load(std::memory_order_relaxed), chain_};
}

StatusOr<AppendResult> RocksStore::Append(const Event& event) {
  STATELOG_RETURN_IF_ERROR(store_internal::CheckEventId(event));
  Writer w;
  w.events = std::span<const Event>(&event, 1);
  w.encoded.push_back(EncodeEvent(event));
  Submit(&w);
  if (!w.status.ok()) return w.status;
  return w.results[0];
}

StatusOr<std::vector<AppendResult>> RocksStore::AppendBatch(std::span<const Event> events) {
  STATELOG_RETURN_IF_ERROR(store_internal::CheckBatchIds(events));
  if (events.empty()) return std::vector<AppendResult>();
  Writer w;
  w.events = events;
  w.batch = true;
  w.encoded.reserve(events.size());
  for (const Event& e : events) w.encoded.push_back(EncodeEvent(e));
  Submit(&w);
  if (!w.status.ok()) return w.status;
  return std::move(w.results);
}

void RocksStore::Submit(Writer* w) {
  std::unique_lock<std::mutex> lock(mu_);
  writers_.push_back(w);
  while (!w->done && w != writers_.front()) w->cv.wait(lock);
  if (w->done) return;  // a leader committed it

  // w leads: take the queued writers, up to the size cap.
  std::vector<Writer*> group;
  size_t bytes = 0;
  for (Writer* q : writers_) {
    const size_t n = EncodedBytes(q->encoded);
    if (!group.empty() && bytes + n > kMaxGroupBytes) break;
    group.push_back(q);
    bytes += n;
  }
  lock.unlock();
  CommitGroup(group);  // appenders arriving meanwhile queue behind the group
  lock.lock();
  for (Writer* q : group) {
    writers_.pop_front();
    q->done = true;
    if (q != w) q->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();  // the next leader
}

void RocksStore::CommitGroup(const std::vector<Writer*>& group) {
  const Status fatal = health();
  if (!fatal.ok()) {
    for (Writer* q : group)
      q->status = Status::Aborted("store is unusable after " + fatal.ToString());
    return;
  }
  const uint64_t first = next_;
  const Hash256 first_chain = next_chain_;
  rocksdb::WriteBatch batch;
  std::unordered_map<EventId, Offset> group_ids;
  for (Writer* q : group) Stage(q, &group_ids, &batch);
  if (next_ == first) return;  // nothing new: only duplicates or failed validations

  batch.Put(fmt::kHeadKey, fmt::HeadValue(next_, next_chain_));
  rocksdb::Status ws = db_->Write(write_options_, &batch);
  if (!ws.ok()) {
    // Fatal (anchors.md, fsyncgate): never retry; the DB's state past the last durable point is
    // unknown until a reopen recovers it.
    Status error = FromRocks(
        ws, "writing offsets [" + std::to_string(first) + ", " + std::to_string(next_) + ")");
    SetFatal(error);
    next_ = first;
    next_chain_ = first_chain;
    for (Writer* q : group) {
      if (q->status.ok()) q->status = error;
    }
    return;
  }
  {
    std::lock_guard<std::mutex> lock(head_mu_);
    chain_ = next_chain_;
    length_.store(next_, std::memory_order_release);  // the publication point
  }
  NotifyAppended();
}

void RocksStore::Stage(Writer* w, std::unordered_map<EventId, Offset>* group_ids,
                       rocksdb::WriteBatch* batch) {
  auto fail = [w](Status s, size_t i) {
    w->status = w->batch ? s.WithPrefix("batch event " + std::to_string(i)) : std::move(s);
  };
  Overlay overlay;
  std::vector<size_t> fresh;  // indexes of the events to append, in order
  w->results.assign(w->events.size(), AppendResult{});
  Offset at = next_;
  for (size_t i = 0; i < w->events.size(); ++i) {
    const Event& e = w->events[i];
    if (auto it = group_ids->find(e.id); it != group_ids->end()) {
      w->results[i] = AppendResult{it->second, false};
      continue;
    }
    auto found = LookupId(e.id);
    if (!found.ok()) return fail(found.status(), i);
    if (found->has_value()) {
      w->results[i] = AppendResult{**found, false};
      continue;
    }
    Status s = CheckOrder(e, at, &overlay);
    if (!s.ok()) return fail(std::move(s), i);
    w->results[i] = AppendResult{at++, true};
    fresh.push_back(i);
  }
  // Valid: add the events to the batch and advance the leader's state.
  std::string value;
  for (size_t i : fresh) {
    const Event& e = w->events[i];
    const Offset offset = next_++;
    next_chain_ = NextChain(next_chain_, e.id);
    value.clear();
    fmt::PutFixed(&value, next_chain_);
    value += w->encoded[i];
    batch->Put(fmt::EventKey(offset), value);
    std::string off;
    fmt::PutBE64(&off, offset);
    batch->Put(fmt::IdKey(e.id), off);
    std::string ts;
    fmt::PutBE64(&ts, static_cast<uint64_t>(e.timestamp));
    if (const ChannelId* c = e.channel()) batch->Put(fmt::ChannelPrefix(*c) + off, ts);
    if (const ObjectiveId* o = e.objective()) batch->Put(fmt::ObjectivePrefix(*o) + off, ts);
    group_ids->emplace(e.id, offset);
  }
  for (auto& [id, last] : overlay.channels) channel_last_[id] = last;
  for (auto& [id, last] : overlay.objectives) objective_last_[id] = last;
}

template <typename Key, typename LastMap>
static Status CheckEntity(const Event& event, Offset at, const Key& key,
                          const std::optional<typename LastMap::mapped_type>& committed,
                          LastMap* overlay) {
  std::optional<typename LastMap::mapped_type> previous;
  if (auto it = overlay->find(key); it != overlay->end()) {
    previous = it->second;
  } else {
    previous = committed;
  }
  if (previous) {
    STATELOG_RETURN_IF_ERROR(
        CheckTimestampOrder(event, at, EntityName(key), previous->timestamp, previous->offset));
  }
  (*overlay)[key] = typename LastMap::mapped_type{event.timestamp, at};
  return Status::OK();
}

Status RocksStore::CheckOrder(const Event& event, Offset at, Overlay* overlay) {
  if (const ChannelId* c = event.channel()) {
    std::optional<Last> last;
    if (!overlay->channels.contains(*c)) STATELOG_RETURN_IF_ERROR(LastOf(*c, &last));
    STATELOG_RETURN_IF_ERROR(CheckEntity(event, at, *c, last, &overlay->channels));
  }
  if (const ObjectiveId* o = event.objective()) {
    std::optional<Last> last;
    if (!overlay->objectives.contains(*o)) STATELOG_RETURN_IF_ERROR(LastOf(*o, &last));
    STATELOG_RETURN_IF_ERROR(CheckEntity(event, at, *o, last, &overlay->objectives));
  }
  return Status::OK();
}

Status RocksStore::LastOf(const ChannelId& id, std::optional<Last>* out) {
  if (auto it = channel_last_.find(id); it != channel_last_.end()) {
    *out = it->second;
    return Status::OK();
  }
  STATELOG_RETURN_IF_ERROR(LoadLast(fmt::ChannelPrefix(id), out));
  if (*out) channel_last_.emplace(id, **out);
  return Status::OK();
}

Status RocksStore::LastOf(const ObjectiveId& id, std::optional<Last>* out) {
  if (auto it = objective_last_.find(id); it != objective_last_.end()) {
    *out = it->second;
    return Status::OK();
  }
  STATELOG_RETURN_IF_ERROR(LoadLast(fmt::ObjectivePrefix(id), out));
  if (*out) objective_last_.emplace(id, **out);
  return Status::OK();
}

Status RocksStore::LoadLast(const std::string& prefix, std::optional<Last>* out) const {
  std::string bound = prefix;
  fmt::PutBE64(&bound, ~uint64_t{0});
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(bound);
  out->reset();
  if (it->Valid() && it->key().starts_with(prefix)) {
    if (it->key().size() != prefix.size() + 8 || it->value().size() != 8) {
      return Status::Corruption("index entry of the wrong size under prefix of " +
                                std::to_string(prefix.size()) + " bytes");
    }
    *out = Last{static_cast<Timestamp>(fmt::GetBE64(it->value().data())),
                fmt::GetBE64(it->key().data() + prefix.size())};
    return Status::OK();
  }
  return FromRocks(it->status(), "reading an index");
}

StatusOr<std::optional<Offset>> RocksStore::LookupId(const EventId& id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), fmt::IdKey(id), &value);
  if (s.IsNotFound()) return std::optional<Offset>();
  if (!s.ok()) return FromRocks(s, "looking up id " + id.ToHex());
  if (value.size() != 8)
    return Status::Corruption("id index entry of " + id.ToHex() + " has " +
                              std::to_string(value.size()) + " bytes");
  return std::optional<Offset>(fmt::GetBE64(value.data()));
}

}  // namespace statelog::rocksdb_internal
