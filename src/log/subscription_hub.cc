#include "log/subscription_hub.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace statelog {

struct SubscriptionHub::Subscription {
  SubscriptionId id = 0;
  // Called only by the delivery thread; released by whoever joins that thread.
  RecordCallback callback;
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

SubscriptionId SubscriptionHub::Start(Offset from, RecordCallback callback) {
  auto sub = std::make_shared<Subscription>();
  sub->callback = std::move(callback);
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
  try {
    for (;;) {
      // `seen` was read before this Head(): an append this call misses bumps the generation
      // after publishing its length, so the wait below will not sleep through it.
      StatusOr<ChainHead> head = deliverable_();
      if (!head.ok()) {
        return Finish(sub, next, head.status().WithPrefix(name + ": reading the head"));
      }
      const uint64_t length = head->length;
      while (next < length) {
        if (sub->stop.load(std::memory_order_acquire)) return Finish(sub, next, Status::OK());
        const Offset end = next + std::min(kBatchSize, length - next);
        Status s = log_->ReadRange(next, end, &batch);
        if (!s.ok()) {
          return Finish(sub, next,
                        s.WithPrefix(name + ": reading offsets [" + std::to_string(next) + ", " +
                                     std::to_string(end) + ")"));
        }
        for (const StoredRecord& stored : batch) {
          if (sub->stop.load(std::memory_order_acquire)) return Finish(sub, next, Status::OK());
          try {
            sub->callback(stored);
          } catch (const std::exception& e) {
            return Finish(sub, next,
                          Status::Aborted(name + ": callback threw at offset " +
                                          std::to_string(stored.offset) + ": " + e.what()));
          } catch (...) {
            return Finish(
                sub, next,
                Status::Aborted(name + ": callback threw at offset " +
                                std::to_string(stored.offset) + ": a non-std::exception"));
          }
          ++next;
        }
        {
          std::lock_guard<std::mutex> lock(mu_);
          sub->next = next;
        }
        progress_cv_.notify_all();
      }
      {
        std::unique_lock<std::mutex> lock(wake_mu_);
        wake_cv_.wait(
            lock, [&] { return sub->stop.load(std::memory_order_acquire) || generation_ != seen; });
        seen = generation_;
      }
      if (sub->stop.load(std::memory_order_acquire)) return Finish(sub, next, Status::OK());
    }
  } catch (const std::exception& e) {
    // Only the log's reads can get here (e.g. std::bad_alloc); callbacks are caught above.
    Finish(sub, next,
           Status::Aborted(name + ": stopped at offset " + std::to_string(next) + ": " + e.what()));
  }
}

void SubscriptionHub::Finish(Subscription* sub, Offset next, Status status) {
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
  RecordCallback callback;  // destroyed outside mu_: it may own arbitrary state
  {
    std::lock_guard<std::mutex> lock(mu_);
    sub->joined = true;
    sub->thread_id = std::thread::id();
    callback = std::move(sub->callback);
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
  for (auto& [sub, thread] : running) thread.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [sub, thread] : running) {
      sub->joined = true;
      sub->thread_id = std::thread::id();
      callbacks.push_back(std::move(sub->callback));
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
