// SubscriptionHub: the delivery machinery behind Log::SubscribeFrom, written once for every
// backend.
//
// Each subscription owns one delivery thread that tails the log by offset through Log::Head() and
// Log::ReadRange(); a read error ends the subscription with that error. Appenders only bump a
// generation counter and signal a condition variable (Notify()); they never run callbacks and never
// wait for a subscriber. A slow subscriber therefore only lags: its backlog is the log itself, not
// a queue.
//
// No gap and no duplicate follow from the construction: a subscription is an offset that only
// moves forward by one per delivered event, and it only reads offsets below Length().
//
// Lost wake-ups: the delivery thread records the generation before it reads Length(), and sleeps
// only while the generation is unchanged. An append publishes its length before Notify()
// increments the generation under wake_mu_, so either the thread read the new length or it sees
// a new generation.
//
// Outages: a read that fails because the store cannot be reached (Status::unreachable()) does
// not end the subscription. Its thread reports the outage (SubscribeOptions::on_state), retries
// after a delay that doubles up to kMaxRetryDelay, or at once when woken (a shared backend wakes
// the hub when it reconnects), and reports the end of the outage; `next` did not move meanwhile,
// so delivery goes on with no gap and no duplicate. An outage longer than the subscription's
// reconnect timeout ends it with the last error.
//
// Thread safety: all methods may be called concurrently, except that Stop() must not be called
// from the subscription's own delivery thread (it returns FailedPrecondition), and StopAll() must
// not be called from any delivery thread.
#ifndef STATELOG_LOG_SUBSCRIPTION_HUB_H_
#define STATELOG_LOG_SUBSCRIPTION_HUB_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "statelog/log.h"
#include "statelog/status.h"

namespace statelog {

class SubscriptionHub {
 public:
  // Events are read in batches of at most this many.
  static constexpr uint64_t kBatchSize = 256;
  // The first and the longest delay between two reads of a subscription whose store is
  // unreachable.
  static constexpr std::chrono::milliseconds kFirstRetryDelay{100};
  static constexpr std::chrono::milliseconds kMaxRetryDelay{2000};

  // `log` must outlive the hub; it is read from delivery threads until StopAll() returns.
  // `deliverable` returns the head up to which subscriptions deliver (Log::Impl::DeliverableHead).
  SubscriptionHub(const Log* log, std::function<StatusOr<ChainHead>()> deliverable);
  // Calls StopAll().
  ~SubscriptionHub();
  SubscriptionHub(const SubscriptionHub&) = delete;
  SubscriptionHub& operator=(const SubscriptionHub&) = delete;

  // Starts a subscription whose first delivered event is the one at `from`.
  SubscriptionId Start(Offset from, RecordCallback callback, SubscribeOptions options = {});
  // Stops subscription `id` and joins its thread. NotFound for an unknown id; FailedPrecondition
  // when called from the subscription's own delivery thread.
  Status Stop(SubscriptionId id);
  // Returns the status of subscription `id` (see Log::SubscriptionError).
  Status Error(SubscriptionId id) const;
  // Blocks until subscription `id` delivered every event below `offset` or stopped.
  Status WaitFor(SubscriptionId id, Offset offset) const;
  // Wakes the delivery threads: the log grew. Cheap; never blocks on a subscriber.
  void Notify();
  // Stops and joins every subscription. Later Start() calls give stopped subscriptions with an
  // Aborted status. Idempotent.
  void StopAll();

 private:
  struct Subscription;

  // What CatchUp() did.
  enum class Step {
    kCaughtUp,    // delivered every record below the head it read
    kReadFailed,  // a read failed (the error is in *failed; nothing was finished)
    kEnded,       // the subscription ended (stopped on request, or its callback threw)
  };

  void Run(Subscription* sub);
  // Reads the deliverable head and delivers the records from *next up to it. Calls `reached`
  // (false: the subscription ended) once the reads succeed: after the head when there is nothing
  // to deliver, else after the first range, before its records are delivered.
  Step CatchUp(Subscription* sub, const std::string& name, const std::function<bool()>& reached,
               Offset* next, std::vector<StoredRecord>* batch, Status* failed);
  // Sleeps until the log grows (the generation moves past *seen, which is updated), `delay`
  // passes (nullopt: no limit) or a stop is requested; returns false on a stop.
  bool Sleep(Subscription* sub, uint64_t* seen, std::optional<std::chrono::milliseconds> delay);
  // Tells the subscription's owner (SubscribeOptions::on_state); false if that callback threw
  // (the subscription then ended with Aborted).
  bool Report(Subscription* sub, const SubscriptionState& state);
  // Ends `sub`'s delivery loop at `next` with `status` (OK when stopped on request); an error is
  // reported to the owner first (SubscriptionState::kStopped).
  void Finish(Subscription* sub, Offset next, Status status);

  const Log* const log_;
  const std::function<StatusOr<ChainHead>()> deliverable_;

  // Registry and progress. Guards subs_, next_id_, shut_down_ and each Subscription's
  // next/finished/joined/status/thread.
  mutable std::mutex mu_;
  mutable std::condition_variable progress_cv_;  // a subscription advanced, finished or joined
  std::map<SubscriptionId, std::shared_ptr<Subscription>> subs_;
  SubscriptionId next_id_ = 1;
  bool shut_down_ = false;

  // Wake-ups. Guards generation_; separate from mu_ so appenders never contend with progress
  // bookkeeping.
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  uint64_t generation_ = 0;
};

}  // namespace statelog

#endif  // STATELOG_LOG_SUBSCRIPTION_HUB_H_
