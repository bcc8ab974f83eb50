// Subscriptions through an outage of their store (statelog/log.h, SubscribeOptions): reads that
// fail because the store is unreachable are retried, the owner is told when the outage began and
// when it ended, and delivery goes on with no gap and no duplicate; an outage longer than the
// reconnect timeout stops the subscription with an error that says since when; any other read
// error stops it at once, as it always did.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "statelog/log_backend.h"
#include "statelog/store.h"
#include "store/memory_backend.h"
#include "store/test_events.h"

namespace statelog::test {
namespace {

// A memory backend whose reads fail while `down` is set: with an unreachable IOError (a
// database that cannot be reached), or with a plain one when `unreachable` is false.
class OutageBackend final : public LogBackend {
 public:
  struct Switch {
    std::atomic<bool> down{false};
    std::atomic<bool> unreachable{true};
    std::atomic<uint64_t> failed_reads{0};
  };

  explicit OutageBackend(std::shared_ptr<Switch> sw)
      : inner_(store_internal::NewMemoryBackend()), switch_(std::move(sw)) {}

  bool shared() const override { return false; }
  bool wants_encoded() const override { return inner_->wants_encoded(); }
  bool group_commit() const override { return inner_->group_commit(); }
  StatusOr<ChainHead> ReadHead() const override {
    STATELOG_RETURN_IF_ERROR(Check());
    return inner_->ReadHead();
  }
  Status Append(const ChainHead& expected, std::span<const StagedRecord> records) override {
    return inner_->Append(expected, records);
  }
  Status ReadRange(Offset begin, Offset end, std::vector<StoredRecord>* out) const override {
    STATELOG_RETURN_IF_ERROR(Check());
    return inner_->ReadRange(begin, end, out);
  }
  StatusOr<std::optional<Offset>> Find(const RecordId& id) const override {
    return inner_->Find(id);
  }
  StatusOr<std::vector<Offset>> StreamOffsets(std::string_view stream,
                                              Offset before) const override {
    return inner_->StreamOffsets(stream, before);
  }
  StatusOr<std::optional<StreamTail>> ReadStreamTail(std::string_view stream,
                                                     Offset before) const override {
    return inner_->ReadStreamTail(stream, before);
  }

 private:
  Status Check() const {
    if (!switch_->down.load()) return Status::OK();
    ++switch_->failed_reads;
    const Status failure = Status::IOError("injected outage: cannot connect");
    return switch_->unreachable.load() ? failure.AsUnreachable() : failure;
  }

  std::unique_ptr<LogBackend> inner_;
  std::shared_ptr<Switch> switch_;
};

// What a subscription delivered and reported, with bounded waits for both.
class Recorder {
 public:
  EventCallback Events() {
    return [this](const StoredEvent& e) {
      std::lock_guard<std::mutex> lock(mu_);
      offsets_.push_back(e.offset);
      cv_.notify_all();
    };
  }
  std::function<void(const SubscriptionState&)> States() {
    return [this](const SubscriptionState& s) {
      std::lock_guard<std::mutex> lock(mu_);
      states_.push_back(s);
      cv_.notify_all();
    };
  }
  // Waits (60 s at most: a bound, not a timing) until `n` states were reported.
  std::vector<SubscriptionState> WaitForStates(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return states_.size() >= n; });
    return states_;
  }
  std::vector<Offset> offsets() {
    std::lock_guard<std::mutex> lock(mu_);
    return offsets_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Offset> offsets_;
  std::vector<SubscriptionState> states_;
};

struct Fixture {
  std::shared_ptr<OutageBackend::Switch> sw = std::make_shared<OutageBackend::Switch>();
  std::unique_ptr<EventStore> store;
  std::vector<Event> events = ChannelEvents(0, 10, 1);

  Fixture() {
    auto opened = EventStore::Open(std::make_unique<OutageBackend>(sw));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(opened).value();
  }
  void Append(size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) ASSERT_TRUE(store->Append(events[i]).ok());
  }
};

std::vector<Offset> Range(Offset begin, Offset end) {
  std::vector<Offset> out;
  for (Offset o = begin; o < end; ++o) out.push_back(o);
  return out;
}

TEST(SubscriptionOutageTest, AShortOutageIsReportedAndDeliveryGoesOnWithoutGapOrDuplicate) {
  Fixture f;
  Recorder r;
  SubscribeOptions options;
  options.on_state = r.States();
  const SubscriptionId sub = f.store->SubscribeFrom(0, r.Events(), options);
  f.Append(0, 5);
  ASSERT_TRUE(f.store->WaitForDelivery(sub, 5).ok());

  f.sw->down = true;
  f.Append(5, 10);  // wakes the subscription, whose reads now fail
  std::vector<SubscriptionState> states = r.WaitForStates(1);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].kind, SubscriptionState::kUnreachable);
  EXPECT_GT(states[0].since, 0);
  EXPECT_TRUE(states[0].error.unreachable()) << states[0].error.ToString();
  EXPECT_NE(states[0].error.message().find("injected outage"), std::string_view::npos);
  EXPECT_EQ(states[0].next, 5u);
  EXPECT_TRUE(f.store->SubscriptionError(sub).ok()) << "an outage does not stop it";

  f.sw->down = false;
  ASSERT_TRUE(f.store->WaitForDelivery(sub, 10).ok());
  states = r.WaitForStates(2);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[1].kind, SubscriptionState::kReachable);
  EXPECT_EQ(states[1].since, states[0].since);
  EXPECT_EQ(states[1].next, 5u);
  EXPECT_EQ(r.offsets(), Range(0, 10)) << "every offset once, in order";
  EXPECT_GT(f.sw->failed_reads.load(), 0u);
  EXPECT_TRUE(f.store->Unsubscribe(sub).ok());
}

TEST(SubscriptionOutageTest, AnOutageLongerThanTheReconnectTimeoutStopsNamingSinceWhen) {
  Fixture f;
  Recorder r;
  SubscribeOptions options;
  options.reconnect_timeout = std::chrono::milliseconds(300);
  options.on_state = r.States();
  const SubscriptionId sub = f.store->SubscribeFrom(0, r.Events(), options);
  f.Append(0, 3);
  ASSERT_TRUE(f.store->WaitForDelivery(sub, 3).ok());
  f.sw->down = true;
  f.Append(3, 6);

  const Status stopped = f.store->WaitForDelivery(sub, 6);
  EXPECT_EQ(stopped.code(), StatusCode::kIOError) << stopped.ToString();
  EXPECT_TRUE(stopped.unreachable());
  EXPECT_NE(stopped.message().find("the store has been unreachable since "), std::string_view::npos)
      << stopped.ToString();
  EXPECT_NE(
      stopped.message().find(
          "; reconnect timeout 0.3 s); the last attempt: subscription 1: reading offsets [3, 6): "),
      std::string_view::npos)
      << stopped.ToString();
  EXPECT_NE(stopped.message().find("injected outage"), std::string_view::npos);
  EXPECT_EQ(f.store->SubscriptionError(sub), stopped);
  const std::vector<SubscriptionState> states = r.WaitForStates(2);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].kind, SubscriptionState::kUnreachable);
  EXPECT_EQ(states[1].kind, SubscriptionState::kStopped);
  EXPECT_EQ(states[1].error, stopped);
  EXPECT_EQ(states[1].next, 3u);
  EXPECT_EQ(r.offsets(), Range(0, 3));
  f.sw->down = false;
  EXPECT_TRUE(f.store->Unsubscribe(sub).ok());
}

// Control: a read error that is not an outage (a damaged record, a dropped table) stops the
// subscription at once, with that error, as before.
TEST(SubscriptionOutageTest, AnyOtherReadErrorStopsAtOnce) {
  Fixture f;
  f.sw->unreachable = false;
  Recorder r;
  SubscribeOptions options;
  options.reconnect_timeout = std::nullopt;  // would retry an outage without end
  options.on_state = r.States();
  const SubscriptionId sub = f.store->SubscribeFrom(0, r.Events(), options);
  f.sw->down = true;
  f.Append(0, 2);
  const Status stopped = f.store->WaitForDelivery(sub, 2);
  EXPECT_EQ(stopped.code(), StatusCode::kIOError);
  EXPECT_FALSE(stopped.unreachable());
  // The subscription reads what the log holds when it wakes: the first event alone or both.
  const std::string message(stopped.message());
  EXPECT_TRUE(message ==
                  "subscription 1: reading offsets [0, 2): injected outage: cannot connect" ||
              message == "subscription 1: reading offsets [0, 1): injected outage: cannot connect")
      << message;
  const std::vector<SubscriptionState> states = r.WaitForStates(1);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].kind, SubscriptionState::kStopped);
  EXPECT_EQ(f.sw->failed_reads.load(), 1u) << "no retry";
  f.sw->down = false;
  EXPECT_TRUE(f.store->Unsubscribe(sub).ok());
}

// A zero reconnect timeout: the first failed read stops the subscription, without retrying.
TEST(SubscriptionOutageTest, AZeroReconnectTimeoutStopsAtTheFirstFailure) {
  Fixture f;
  SubscribeOptions options;
  options.reconnect_timeout = std::chrono::milliseconds(0);
  const SubscriptionId sub = f.store->SubscribeFrom(
      0, [](const StoredEvent&) {}, options);
  f.sw->down = true;
  f.Append(0, 2);
  const Status stopped = f.store->WaitForDelivery(sub, 2);
  EXPECT_TRUE(stopped.unreachable()) << stopped.ToString();
  EXPECT_EQ(f.sw->failed_reads.load(), 1u);
  f.sw->down = false;
  EXPECT_TRUE(f.store->Unsubscribe(sub).ok());
}

// Unsubscribing during an outage returns at once: the retry wait ends on a stop request.
TEST(SubscriptionOutageTest, UnsubscribeDuringAnOutageStopsTheRetries) {
  Fixture f;
  Recorder r;
  SubscribeOptions options;
  options.reconnect_timeout = std::nullopt;
  options.on_state = r.States();
  const SubscriptionId sub = f.store->SubscribeFrom(0, r.Events(), options);
  f.sw->down = true;
  f.Append(0, 2);
  ASSERT_EQ(r.WaitForStates(1).size(), 1u);
  EXPECT_TRUE(f.store->Unsubscribe(sub).ok());
  EXPECT_TRUE(f.store->SubscriptionError(sub).ok()) << "stopped on request";
  EXPECT_EQ(r.WaitForStates(1).size(), 1u) << "no kStopped for a stop on request";
}

}  // namespace
}  // namespace statelog::test
