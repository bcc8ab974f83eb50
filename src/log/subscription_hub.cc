#include "log/subscription_hub.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <exception>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace statelog {

namespace {

using Clock = std::chrono::steady_clock;

Timestamp NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-12-07T13:00:00Z"
std::string FormatUtc(Timestamp micros) {
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string Seconds(std::chrono::duration<double> d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", d.count());
  return text;
}

}  // namespace

struct SubscriptionHub::Subscription {
  SubscriptionId id = 0;
  // Called only by the delivery thread; released by whoever joins that thread.
  RecordCallback callback;
  SubscribeOptions options;  // the same
  // Set by Stop()/StopAll(); read by the delivery thread before each event and before sleeping.
  std::atomic<bool> stop{false};
  // The rest is guarded by SubscriptionHub::mu_.
  std::thread thread;
  std::thread::id thread_id;  // the delivery thread's id until it is joined
  Offset next = 0;            // every event below `next` was delivered
  bool finished = false;      // the delivery loop has ended
  bool joined = false;        // the delivery thread was joined (or never started)
  Status status;              // why the loop ended; OK while running or when stopped on request
};

SubscriptionHub::SubscriptionHub(const Log* log, std::function<StatusOr<ChainHead>()> deliverable)
    : log_(log), deliverable_(std::move(deliverable)) {}

SubscriptionHub::~SubscriptionHub() { StopAll(); }

SubscriptionId SubscriptionHub::Start(Offset from, RecordCallback callback,
                                      SubscribeOptions options) {
  auto sub = std::make_shared<Subscription>();
  sub->callback = std::move(callback);
  sub->options = std::move(options);
  sub->next = from;
  std::lock_guard<std::mutex> lock(mu_);
  sub->id = next_id_++;
  subs_.emplace(sub->id, sub);
  if (shut_down_) {
    sub->finished = sub->joined = true;
    sub->status =
        Status::Aborted("subscription " + std::to_string(sub->id) + ": the store is shutting down");
    return sub->id;
  }
  try {
    // Run() starts by taking mu_, so it cannot observe `sub` before thread_id is set.
    sub->thread = std::thread([this, raw = sub.get()] { Run(raw); });
    sub->thread_id = sub->thread.get_id();
  } catch (const std::exception& e) {
    sub->finished = sub->joined = true;
    sub->status = Status::Aborted("subscription " + std::to_string(sub->id) +
                                  ": cannot start its delivery thread: " + e.what());
  }
  return sub->id;
}

void SubscriptionHub::Run(Subscription* sub) {
  Offset next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = sub->next;
  }
  const std::string name = "subscription " + std::to_string(sub->id);
  uint64_t seen;
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    seen = generation_;
  }
  std::vector<StoredRecord> batch;
  // While reads fail because the store is unreachable: when that began (the wall clock for the
  // owner, the steady clock for the timeout), and the delay before the next read.
  struct Outage {
    Timestamp since;
    Clock::time_point start;
    std::chrono::milliseconds delay;
  };
  std::optional<Outage> outage;
  const std::optional<std::chrono::milliseconds> timeout = sub->options.reconnect_timeout;
  // Called by CatchUp() once the head was read: ends an outage before anything is delivered.
  const std::function<bool()> reached = [&] {
    if (!outage) return true;
    const Timestamp since = outage->since;
    outage.reset();
    return Report(sub, {SubscriptionState::kReachable, since, Status::OK(), next});
  };
  try {
    for (;;) {
      Status failed;
      const Step step = CatchUp(sub, name, reached, &next, &batch, &failed);
      if (step == Step::kEnded) return;
      if (step == Step::kReadFailed) {
        if (!failed.unreachable() || (timeout && timeout->count() <= 0)) {
          return Finish(sub, next, failed);
        }
        const Clock::time_point now = Clock::now();
        if (!outage) {
          outage = Outage{NowMicros(), now, kFirstRetryDelay};
          if (!Report(sub, {SubscriptionState::kUnreachable, outage->since, failed, next})) return;
        }
        const auto waited =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - outage->start);
        if (timeout && waited >= *timeout) {
          return Finish(
              sub, next,
              Status(failed.code(), name + ": the store has been unreachable since " +
                                        FormatUtc(outage->since) + " (" + Seconds(waited) +
                                        "; reconnect timeout " + Seconds(*timeout) +
                                        "); the last attempt: " + std::string(failed.message()))
                  .AsUnreachable());
        }
        std::chrono::milliseconds delay = outage->delay;
        if (timeout) delay = std::min(delay, *timeout - waited);
        outage->delay = std::min(outage->delay * 2, kMaxRetryDelay);
        if (!Sleep(sub, &seen, delay)) return Finish(sub, next, Status::OK());
        continue;
      }
      if (!Sleep(sub, &seen, std::nullopt)) return Finish(sub, next, Status::OK());
    }
  } catch (const std::exception& e) {
    // Only the log's reads can get here (e.g. std::bad_alloc); callbacks are caught below.
    Finish(sub, next,
           Status::Aborted(name + ": stopped at offset " + std::to_string(next) + ": " + e.what()));
  }
}

SubscriptionHub::Step SubscriptionHub::CatchUp(Subscription* sub, const std::string& name,
                                               const std::function<bool()>& reached, Offset* next,
                                               std::vector<StoredRecord>* batch, Status* failed) {
  // The caller read `seen` before this read of the head: an append this read misses bumps the
  // generation after publishing its length, so the caller's Sleep() will not sleep through it.
  StatusOr<ChainHead> head = deliverable_();
  if (!head.ok()) {
    *failed = head.status().WithPrefix(name + ": reading the head");
    return Step::kReadFailed;
  }
  const uint64_t length = head->length;
  // The store answered every read of this step: the head, and the first range if there is one.
  if (*next >= length && !reached()) return Step::kEnded;
  while (*next < length) {
    if (sub->stop.load(std::memory_order_acquire)) {
      Finish(sub, *next, Status::OK());
      return Step::kEnded;
    }
    const Offset end = *next + std::min(kBatchSize, length - *next);
    Status s = log_->ReadRange(*next, end, batch);
    if (!s.ok()) {
      *failed = s.WithPrefix(name + ": reading offsets [" + std::to_string(*next) + ", " +
                             std::to_string(end) + ")");
      return Step::kReadFailed;
    }
    if (!reached()) return Step::kEnded;
    for (const StoredRecord& stored : *batch) {
      if (sub->stop.load(std::memory_order_acquire)) {
        Finish(sub, *next, Status::OK());
        return Step::kEnded;
      }
      std::string thrown;
      try {
        sub->callback(stored);
      } catch (const std::exception& e) {
        thrown = e.what();
      } catch (...) {
        thrown = "a non-std::exception";
      }
      if (!thrown.empty()) {
        Finish(sub, *next,
               Status::Aborted(name + ": callback threw at offset " +
                               std::to_string(stored.offset) + ": " + thrown));
        return Step::kEnded;
      }
      ++*next;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      sub->next = *next;
    }
    progress_cv_.notify_all();
  }
  return Step::kCaughtUp;
}

bool SubscriptionHub::Sleep(Subscription* sub, uint64_t* seen,
                            std::optional<std::chrono::milliseconds> delay) {
  std::unique_lock<std::mutex> lock(wake_mu_);
  auto woken = [&] { return sub->stop.load(std::memory_order_acquire) || generation_ != *seen; };
  if (delay) {
    wake_cv_.wait_for(lock, *delay, woken);
  } else {
    wake_cv_.wait(lock, woken);
  }
  *seen = generation_;
  return !sub->stop.load(std::memory_order_acquire);
}

bool SubscriptionHub::Report(Subscription* sub, const SubscriptionState& state) {
  if (!sub->options.on_state) return true;
  try {
    sub->options.on_state(state);
    return true;
  } catch (const std::exception& e) {
    Finish(sub, state.next,
           Status::Aborted("subscription " + std::to_string(sub->id) +
                           ": the state callback threw: " + e.what()));
  } catch (...) {
    Finish(sub, state.next,
           Status::Aborted("subscription " + std::to_string(sub->id) +
                           ": the state callback threw a non-std::exception"));
  }
  return false;
}

void SubscriptionHub::Finish(Subscription* sub, Offset next, Status status) {
  if (!status.ok() && sub->options.on_state) {
    SubscriptionState stopped;
    stopped.kind = SubscriptionState::kStopped;
    stopped.error = status;
    stopped.next = next;
    try {
      sub->options.on_state(stopped);
    } catch (...) {
      // The subscription ends anyway, with its own error.
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    sub->next = next;
    sub->finished = true;
    sub->status = std::move(status);
  }
  progress_cv_.notify_all();
}

Status SubscriptionHub::Stop(SubscriptionId id) {
  std::shared_ptr<Subscription> sub;
  std::thread thread;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = subs_.find(id);
    if (it == subs_.end()) return Status::NotFound("no subscription " + std::to_string(id));
    sub = it->second;
    if (sub->thread_id == std::this_thread::get_id()) {
      return Status::FailedPrecondition("Unsubscribe(" + std::to_string(id) +
                                        ") called from its own callback; it would join itself");
    }
    sub->stop.store(true, std::memory_order_release);
    if (!sub->thread.joinable()) {
      // Already joined, never started, or being joined by a concurrent Stop()/StopAll().
      progress_cv_.wait(lock, [&] { return sub->joined; });
      return Status::OK();
    }
    thread = std::move(sub->thread);
  }
  Notify();
  thread.join();
  RecordCallback callback;  // destroyed outside mu_: they may own arbitrary state
  SubscribeOptions options;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sub->joined = true;
    sub->thread_id = std::thread::id();
    callback = std::move(sub->callback);
    options = std::move(sub->options);
  }
  progress_cv_.notify_all();
  return Status::OK();
}

void SubscriptionHub::StopAll() {
  std::vector<std::pair<std::shared_ptr<Subscription>, std::thread>> running;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shut_down_ = true;
    for (auto& [id, sub] : subs_) {
      sub->stop.store(true, std::memory_order_release);
      if (sub->thread.joinable()) running.emplace_back(sub, std::move(sub->thread));
    }
  }
  if (running.empty()) return;
  Notify();
  std::vector<RecordCallback> callbacks;
  std::vector<SubscribeOptions> options;
  for (auto& [sub, thread] : running) thread.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [sub, thread] : running) {
      sub->joined = true;
      sub->thread_id = std::thread::id();
      callbacks.push_back(std::move(sub->callback));
      options.push_back(std::move(sub->options));
    }
  }
  progress_cv_.notify_all();
}

Status SubscriptionHub::Error(SubscriptionId id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return Status::NotFound("no subscription " + std::to_string(id));
  return it->second->status;
}

Status SubscriptionHub::WaitFor(SubscriptionId id, Offset offset) const {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return Status::NotFound("no subscription " + std::to_string(id));
  std::shared_ptr<Subscription> sub = it->second;
  progress_cv_.wait(lock, [&] { return sub->next >= offset || sub->finished; });
  return sub->status;
}

void SubscriptionHub::Notify() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    ++generation_;
  }
  wake_cv_.notify_all();
}

}  // namespace statelog
