#include "statelog/verify.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

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

// Every type is listed (no default): a new event type does not compile until it is placed here.
bool IsSigned(const Event& e) {
  switch (e.type()) {
    case EventType::kStateSigned:
    case EventType::kStateReceived:
    case EventType::kVoucherSent:
    case EventType::kVoucherReceived:
      return true;
    case EventType::kObjectiveCreated:
    case EventType::kObjectiveApproved:
    case EventType::kObjectiveRejected:
    case EventType::kObjectiveCompleted:
    case EventType::kObjectiveProgressed:
    case EventType::kChannelCreated:
    case EventType::kDepositDetected:
    case EventType::kAllocationUpdated:
    case EventType::kChallengeRegistered:
    case EventType::kChallengeCleared:
    case EventType::kChannelConcluded:
    case EventType::kMessageSent:
    case EventType::kMessageReceived:
    case EventType::kSnapshotCreated:
      return false;
  }
  return false;
}

// Checks offsets, ids, chain values and proofs of [begin, end).
void CheckRange(const EventStore& store, Offset begin, Offset end, FirstFailure* first,
                std::atomic<uint64_t>* checked, std::atomic<uint64_t>* signatures) {
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
    if (IsSigned(s.event)) signatures->fetch_add(1, std::memory_order_relaxed);
    checked->fetch_add(1, std::memory_order_relaxed);
  }
  if (!cursor->status().ok()) return first->Report(expected, cursor->status());
  if (expected != end) {
    first->Report(expected,
                  Status::Corruption("the log ends early at " + std::to_string(expected)));
  }
}

// Reports a failure the fold found.
void ReportFold(FirstFailure* first, Offset offset, Status status) {
  first->Report(offset, std::move(status), kFoldCheck);
}

// Folds [0, end) in order, checking legality and every stored snapshot against the fold.
// A snapshot that cannot be read is a failure, never a skip.
void CheckFoldAndSnapshots(const EventStore& store, Offset end, const SnapshotStore* snapshots,
                           FirstFailure* first, uint64_t* snapshots_checked, Status* unreadable) {
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
  check_snapshots_at(0);
  auto cursor = store.NewCursor(0, end);
  for (; cursor->Valid(); cursor->Next()) {
    const StoredEvent& s = cursor->event();
    if (first->Before(s.offset)) return;
    Status st = ApplyToView(s.event, s.offset, &view);
    if (!st.ok()) return ReportFold(first, s.offset, FoldError(st, s.offset, s.event));
    if (const auto* created = std::get_if<events::SnapshotCreated>(&s.event.body);
        created && snapshots) {
      auto snap = snapshots->LatestAtOrBefore(created->covers);
      if (!snap.ok()) return ReportFold(first, s.offset, snap.status());
      if (snap->has_value() && (*snap)->covers == created->covers &&
          Keccak256((*snap)->data) != created->snapshot_digest) {
        return ReportFold(
            first, s.offset,
            Status::Corruption("snapshot covering " + std::to_string(created->covers) +
                               " events does not match the digest the log records"));
      }
    }
    check_snapshots_at(view.length);
  }
  if (!cursor->status().ok()) ReportFold(first, view.length, cursor->status());
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
  // The fold reads the log a second time, in order, on a thread of its own while the per-event
  // checks run; it needs no signature, so it finishes well before them.
  Status unreadable;
  std::thread fold([&] {
    CheckFoldAndSnapshots(store, n, options.snapshots, &first, &report.snapshots, &unreadable);
  });
  std::vector<std::thread> workers;
  // Interleaved chunks keep every thread busy until the end and find early failures early; small
  // enough that each thread gets many (the last chunk of one thread is all the others wait for).
  const uint64_t kChunk = std::clamp<uint64_t>(n / (uint64_t{threads} * 32), 64, 4096);
  std::atomic<uint64_t> next_chunk{0};
  std::atomic<unsigned> finished{0};
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (;;) {
        uint64_t begin = next_chunk.fetch_add(kChunk);
        if (begin >= n || first.Before(begin)) break;
        CheckRange(store, begin, std::min(n, begin + kChunk), &first, &checked, &signatures);
      }
      finished.fetch_add(1);
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
  report.events = checked.load();
  report.signatures = signatures.load();
  if (auto f = first.Get()) {
    report.first_bad_offset = f->offset;
    report.status = f->status.WithPrefix("offset " + std::to_string(f->offset));
  } else if (!unreadable.ok()) {
    report.status = unreadable;
  }
  return report;
}

}  // namespace statelog
