#include "statelog/verify.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "fold/snapshot_manager.h"
#include "statelog/keccak.h"
#include "statelog/nitro.h"
#include "statelog/reconstruct.h"
#include "statelog/snapshot.h"

namespace statelog {
namespace {

struct Failure {
  Offset offset;
  Status status;
  int rank;
};

// What found a failure: at one offset, a failed per-event check is reported before a fold error
// (the order a check in sequence would find them in), whichever thread finds its failure first.
constexpr int kEventCheck = 0;
constexpr int kFoldCheck = 1;

// Keeps the earliest failure seen by any thread.
class FirstFailure {
 public:
  void Report(Offset offset, Status status, int rank = kEventCheck) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failure_ || offset < failure_->offset ||
        (offset == failure_->offset && rank < failure_->rank)) {
      failure_ = Failure{offset, std::move(status), rank};
    }
    earliest_.store(failure_->offset, std::memory_order_relaxed);
  }
  // True when a failure before `offset` is known: work beyond it is wasted.
  bool Before(Offset offset) const { return earliest_.load(std::memory_order_relaxed) < offset; }
  std::optional<Failure> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failure_;
  }

 private:
  mutable std::mutex mu_;
  std::optional<Failure> failure_;
  std::atomic<Offset> earliest_{~Offset{0}};
};

// The checked events of each chunk, handed from the per-event checks to the fold in log order, so
// that the log is read and decoded once. Workers stay at most `max_ahead` chunks ahead of the
// fold (memory stays bounded); once the fold stops, workers keep checking and hand over nothing.
class ChunkQueue {
 public:
  ChunkQueue(size_t chunks, size_t max_ahead) : slots_(chunks), max_ahead_(max_ahead) {}

  // Waits until chunk k may be handed over: it is within reach of the fold, or the fold stopped.
  // A worker that took chunk k before a later one never waits for the later one's worker.
  void WaitForRoom(size_t k) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return fold_stopped_ || k < folded_ + max_ahead_; });
  }
  // Hands over chunk k: its checked events, and whether all of them passed. Every chunk a worker
  // takes is put, passed or not.
  void Put(size_t k, std::vector<StoredEvent> events, bool complete) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fold_stopped_) return;
    slots_[k].events = std::move(events);
    slots_[k].complete = complete;
    slots_[k].ready = true;
    ready_.notify_all();
  }
  // For the fold: waits for chunk k and takes it. Returns false when it will not come.
  bool Take(size_t k, std::vector<StoredEvent>* events, bool* complete) {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return slots_[k].ready || workers_done_; });
    if (!slots_[k].ready) return false;
    *events = std::move(slots_[k].events);
    *complete = slots_[k].complete;
    slots_[k] = Slot{};
    folded_ = k + 1;
    room_.notify_all();
    return true;
  }
  // The fold takes nothing more: waiting workers go on.
  void StopFold() {
    std::lock_guard<std::mutex> lock(mu_);
    fold_stopped_ = true;
    for (Slot& slot : slots_) slot = Slot{};
    room_.notify_all();
  }
  // Every worker has finished: a chunk not put by now never will be.
  void WorkersDone() {
    std::lock_guard<std::mutex> lock(mu_);
    workers_done_ = true;
    ready_.notify_all();
  }

 private:
  struct Slot {
    std::vector<StoredEvent> events;
    bool complete = false;
    bool ready = false;
  };
  std::mutex mu_;
  std::condition_variable room_, ready_;
  std::vector<Slot> slots_;  // guarded by mu_
  const size_t max_ahead_;
  size_t folded_ = 0;          // guarded by mu_: chunks taken by the fold
  bool fold_stopped_ = false;  // guarded by mu_
  bool workers_done_ = false;  // guarded by mu_
};

// CheckRange's body: sets *ok when the whole range passes.
void CheckRangeInto(const EventStore& store, Offset begin, Offset end, FirstFailure* first,
                    std::atomic<uint64_t>* checked, std::atomic<uint64_t>* signatures,
                    std::vector<StoredEvent>* passed, bool* ok) {
  Hash256 prev;
  if (begin > 0) {
    auto before = store.Read(begin - 1);
    if (!before.ok()) return first->Report(begin - 1, before.status());
    prev = before->chain;
  }
  auto cursor = store.NewCursor(begin, end);
  Offset expected = begin;
  for (; cursor->Valid(); cursor->Next(), ++expected) {
    if (first->Before(expected)) return;
    const StoredEvent& s = cursor->event();
    if (s.offset != expected) {
      return first->Report(expected,
                           Status::Corruption("event stored at offset " + std::to_string(expected) +
                                              " says offset " + std::to_string(s.offset)));
    }
    if (!s.event.HasValidId()) {
      return first->Report(expected, Status::Corruption("the id does not match the content"));
    }
    Hash256 chain = NextChain(prev, s.event.id);
    if (chain != s.chain) {
      return first->Report(
          expected, Status::Corruption("the chain value does not follow from the previous "
                                       "event (stored " +
                                       s.chain.ToHex() + ", expected " + chain.ToHex() + ")"));
    }
    prev = chain;
    Status proof = CheckEventProof(s.event);
    if (!proof.ok()) return first->Report(expected, Status::Corruption(proof.message()));
    if (IsSignedType(s.event.type())) signatures->fetch_add(1, std::memory_order_relaxed);
    checked->fetch_add(1, std::memory_order_relaxed);
    passed->push_back(s);
  }
  if (!cursor->status().ok()) return first->Report(expected, cursor->status());
  if (expected != end) {
    return first->Report(expected,
                         Status::Corruption("the log ends early at " + std::to_string(expected)));
  }
  *ok = true;
}

// Checks offsets, ids, chain values and proofs of [begin, end), and appends the events that pass
// to *passed. Returns true when all of them pass.
bool CheckRange(const EventStore& store, Offset begin, Offset end, FirstFailure* first,
                std::atomic<uint64_t>* checked, std::atomic<uint64_t>* signatures,
                std::vector<StoredEvent>* passed) {
  bool ok = false;
  CheckRangeInto(store, begin, end, first, checked, signatures, passed, &ok);
  return ok;
}

// Reports a failure the fold found.
void ReportFold(FirstFailure* first, Offset offset, Status status) {
  first->Report(offset, std::move(status), kFoldCheck);
}

// Folds [0, end) in order, checking legality and every stored snapshot against the fold.
// A snapshot that cannot be read is a failure, never a skip. Records the imported ranges; a
// store_imported event must announce events the log holds.
void CheckFoldAndSnapshots(const EventStore& store, Offset end, const SnapshotStore* snapshots,
                           ChunkQueue* chunks, size_t chunk_count, FirstFailure* first,
                           uint64_t* snapshots_checked, Status* unreadable,
                           std::vector<ImportedRange>* imports) {
  std::vector<uint64_t> covers;
  if (snapshots != nullptr) {
    auto listed = snapshots->List();
    if (!listed.ok()) {
      *unreadable = listed.status().WithPrefix("listing the snapshots");
      return;
    }
    covers = std::move(*listed);
  }
  SnapshotManager manager(const_cast<EventStore*>(&store), const_cast<SnapshotStore*>(snapshots));
  size_t next_snapshot = 0;
  NodeView view;
  auto check_snapshots_at = [&](uint64_t length) {
    while (next_snapshot < covers.size() && covers[next_snapshot] <= length) {
      uint64_t c = covers[next_snapshot++];
      if (c != length) continue;  // beyond the checked prefix: reported by the length check
      auto snap = snapshots->LatestAtOrBefore(c);
      if (snap.ok() && (!snap->has_value() || (*snap)->covers != c)) {
        // Deleted since it was listed (a writer that lost the race to record it removes its
        // copy): not a snapshot of this log any more.
        auto relisted = snapshots->List();
        if (relisted.ok() && !std::binary_search(relisted->begin(), relisted->end(), c)) continue;
      }
      if (!snap.ok() || !snap->has_value() || (*snap)->covers != c) {
        return ReportFold(
            first, c == 0 ? 0 : c - 1,
            Status::Corruption("snapshot covering " + std::to_string(c) +
                               " events is listed but cannot be read: " +
                               (snap.ok() ? std::string("it is gone") : snap.status().ToString())));
      }
      NodeView decoded;
      Status st = manager.Check(**snap, &decoded);
      if (st.ok()) {
        if (!(decoded == view)) {
          st = Status::Corruption("snapshot covering " + std::to_string(c) +
                                  " events differs from the fold of the log");
        }
      }
      if (!st.ok()) return ReportFold(first, c == 0 ? 0 : c - 1, st);
      ++*snapshots_checked;
    }
  };
  // Folds one event and checks the snapshot it records; false once a failure is reported.
  auto fold_one = [&](const StoredEvent& s) {
    Status st = ApplyToView(s.event, s.offset, &view);
    if (!st.ok()) {
      ReportFold(first, s.offset, FoldError(st, s.offset, s.event));
      return false;
    }
    if (const auto* imported = std::get_if<events::StoreImported>(&s.event.body)) {
      if (imported->events > end - s.offset - 1) {
        ReportFold(
            first, s.offset,
            Status::Corruption("store_imported announces " + std::to_string(imported->events) +
                               " imported events, but the log holds " +
                               std::to_string(end - s.offset - 1) + " after it"));
        return false;
      }
      imports->push_back(
          {s.offset, imported->events, imported->source, imported->node, imported->files.size()});
    }
    if (const auto* created = std::get_if<events::SnapshotCreated>(&s.event.body);
        created && snapshots) {
      auto snap = snapshots->LatestAtOrBefore(created->covers);
      if (!snap.ok()) {
        ReportFold(first, s.offset, snap.status());
        return false;
      }
      if (snap->has_value() && (*snap)->covers == created->covers &&
          Keccak256((*snap)->data) != created->snapshot_digest) {
        ReportFold(first, s.offset,
                   Status::Corruption("snapshot covering " + std::to_string(created->covers) +
                                      " events does not match the digest the log records"));
        return false;
      }
    }
    check_snapshots_at(view.length);
    return true;
  };
  check_snapshots_at(0);
  std::vector<StoredEvent> chunk;
  bool complete = true;
  for (size_t k = 0; k < chunk_count && complete; ++k) {
    // A chunk that did not pass ends the fold: its failure is reported, and comes first.
    if (!chunks->Take(k, &chunk, &complete)) return;
    for (const StoredEvent& s : chunk) {
      if (first->Before(s.offset) || !fold_one(s)) return;
    }
  }
  if (!complete) return;
  for (size_t i = next_snapshot; i < covers.size(); ++i) {
    if (covers[i] > end) {
      // On a log other writers append to, a snapshot of what they appended after verification
      // started is not part of the checked prefix; one longer than the log is damage.
      StatusOr<uint64_t> now = store.Length();
      if (!now.ok()) {
        ReportFold(first, end, now.status());
        break;
      }
      if (covers[i] <= *now) continue;
      ReportFold(first, end,
                 Status::Corruption("snapshot covering " + std::to_string(covers[i]) +
                                    " events is longer than the log"));
      break;
    }
  }
}

}  // namespace

VerifyReport VerifyLog(const EventStore& store, const VerifyOptions& options) {
  VerifyReport report;
  StatusOr<ChainHead> head = store.Head();
  if (!head.ok()) {
    report.status = head.status().WithPrefix("reading the head");
    return report;
  }
  report.head = *head;
  const uint64_t n = report.head.length;
  FirstFailure first;
  std::atomic<uint64_t> checked{0}, signatures{0};

  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(n / 64 + 1)));
  // Interleaved chunks keep every thread busy until the end and find early failures early; small
  // enough that each thread gets many (the last chunk of one thread is all the others wait for).
  const uint64_t chunk_size = std::clamp<uint64_t>(n / (uint64_t{threads} * 32), 64, 4096);
  const size_t chunk_count = static_cast<size_t>((n + chunk_size - 1) / chunk_size);
  ChunkQueue chunks(chunk_count, 4 * size_t{threads});
  // The fold runs on a thread of its own, in order, over the events the per-event checks read
  // and passed: it needs no signature, so it keeps up with them.
  Status unreadable;
  std::thread fold([&] {
    CheckFoldAndSnapshots(store, n, options.snapshots, &chunks, chunk_count, &first,
                          &report.snapshots, &unreadable, &report.imports);
    chunks.StopFold();
  });
  std::vector<std::thread> workers;
  std::atomic<uint64_t> next_chunk{0};
  std::atomic<unsigned> finished{0};
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (;;) {
        const uint64_t k = next_chunk.fetch_add(1);
        const uint64_t begin = k * chunk_size;
        if (begin >= n) break;
        std::vector<StoredEvent> passed;
        bool complete = false;
        if (!first.Before(begin)) {
          chunks.WaitForRoom(k);
          complete = CheckRange(store, begin, std::min(n, begin + chunk_size), &first, &checked,
                                &signatures, &passed);
        }
        chunks.Put(k, std::move(passed), complete);
      }
      if (finished.fetch_add(1) + 1 == threads) chunks.WorkersDone();
    });
  }
  while (options.progress && finished.load() < threads) {
    options.progress(checked.load(), n);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& w : workers) w.join();
  if (options.progress) options.progress(checked.load(), n);

  if (n > 0 && !first.Before(n - 1)) {
    auto last = store.Read(n - 1);
    if (!last.ok()) {
      first.Report(n - 1, last.status());
    } else if (last->chain != report.head.chain) {
      first.Report(n - 1, Status::Corruption("the head's chain value is not the last event's"));
    }
  }
  fold.join();

  if (options.trusted_head && !first.Get()) {
    const ChainHead& t = *options.trusted_head;
    if (t.length > n) {
      first.Report(n, Status::Corruption("the log has " + std::to_string(n) +
                                         " events, fewer than the trusted head's " +
                                         std::to_string(t.length)));
    } else if (t.length < n && !options.allow_growth) {
      first.Report(t.length, Status::Corruption("the log is longer than the trusted head"));
    } else {
      Hash256 at;
      if (t.length > 0) {
        auto e = store.Read(t.length - 1);
        if (!e.ok()) {
          first.Report(t.length - 1, e.status());
        } else {
          at = e->chain;
        }
      }
      if (!first.Get() && at != t.chain) {
        first.Report(t.length == 0 ? 0 : t.length - 1,
                     Status::Corruption("the chain value at the trusted head's length differs "
                                        "from the trusted head: the history was rewritten"));
      }
    }
  }
  // The Merkle tree, when the store keeps one, recomputed from the events (ADR-0016).
  if (!first.Get() && unreadable.ok()) {
    Offset bad = n;
    if (Status tree = store.log().VerifyTree(n, &bad); !tree.ok()) first.Report(bad, tree);
  }
  report.events = checked.load();
  report.signatures = signatures.load();
  if (n > 0) {
    // The fold checked the first event: a log_created there is a valid identity.
    StatusOr<LogIdentity> identity = ReadLogIdentity(store);
    if (identity.ok()) report.identity = *identity;
  }
  if (auto f = first.Get()) {
    report.first_bad_offset = f->offset;
    report.status = f->status.WithPrefix("offset " + std::to_string(f->offset));
  } else if (!unreadable.ok()) {
    report.status = unreadable;
  }
  return report;
}

}  // namespace statelog
