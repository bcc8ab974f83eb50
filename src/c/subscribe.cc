// statelog_subscribe, statelog_subscribe_with_state, statelog_subscription_wait and
// statelog_unsubscribe over the store's catch-up subscriptions (statelog/log.h): one delivery
// thread per subscription.
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "c/handle.h"
#include "statelog/codec.h"

struct statelog_subscription_t {
  std::shared_ptr<statelog::DB> open;  // keeps the store open until unsubscribed
  statelog::SubscriptionId id = 0;
};

using namespace statelog;
using namespace statelog::c_api;

namespace {

int StateCode(SubscriptionState::Kind kind) {
  switch (kind) {
    case SubscriptionState::kUnreachable:
      return STATELOG_UNREACHABLE;
    case SubscriptionState::kReachable:
      return STATELOG_REACHABLE;
    case SubscriptionState::kStopped:
      break;
  }
  return STATELOG_STOPPED;
}

Status Subscribe(statelog_t* db, uint64_t from, statelog_event_fn fn, statelog_state_fn state_fn,
                 void* arg, int64_t reconnect_timeout_ms, statelog_subscription_t** sub,
                 std::string_view function) {
  STATELOG_RETURN_IF_ERROR(NotNull(sub, function, "sub"));
  *sub = nullptr;
  STATELOG_RETURN_IF_ERROR(NotNull(db, function, "db"));
  if (fn == nullptr) return Status::InvalidArgument(std::string(function) + ": fn is NULL");
  if (reconnect_timeout_ms < 0 && reconnect_timeout_ms != STATELOG_NONE) {
    return Status::InvalidArgument(std::string(function) + ": reconnect_timeout_ms is " +
                                   std::to_string(reconnect_timeout_ms) +
                                   " (milliseconds, or STATELOG_NONE)");
  }
  auto handle = std::make_unique<statelog_subscription_t>();
  handle->open = db->open;
  // The delivery thread starts inside SubscribeFrom, before the id is known: it holds every call
  // of `fn` and `state_fn` until the handle is complete and stored in *sub, so that they may read
  // *sub (e.g. to unsubscribe) and its id.
  auto ready = std::make_shared<std::atomic<bool>>(false);
  struct OpenOnExit {
    std::atomic<bool>* ready;
    ~OpenOnExit() {
      ready->store(true, std::memory_order_release);
      ready->notify_all();
    }
  } open_on_exit{ready.get()};
  SubscribeOptions options;
  if (reconnect_timeout_ms == STATELOG_NONE) {
    options.reconnect_timeout = std::nullopt;
  } else {
    options.reconnect_timeout = std::chrono::milliseconds(reconnect_timeout_ms);
  }
  if (state_fn != nullptr) {
    options.on_state = [state_fn, arg, ready](const SubscriptionState& state) {
      ready->wait(false, std::memory_order_acquire);
      const std::string message = state.error.ok() ? "" : state.error.ToString();
      state_fn(arg, StateCode(state.kind), state.since, static_cast<int>(state.error.code()),
               message.c_str());
    };
  }
  // A non-zero result stops the subscription: the hub turns the exception into its status.
  handle->id = db->open->SubscribeFrom(
      from,
      [fn, arg, ready](const StoredEvent& stored) {
        ready->wait(false, std::memory_order_acquire);
        const std::string json = EncodeEvent(stored.event);
        const int result = fn(arg, stored.offset, json.c_str(), json.size());
        if (result != 0)
          throw std::runtime_error("the callback returned " + std::to_string(result));
      },
      std::move(options));
  *sub = handle.release();
  return Status::OK();
}

}  // namespace

extern "C" {

int statelog_subscribe(statelog_t* db, uint64_t from, statelog_event_fn fn, void* arg,
                       statelog_subscription_t** sub, char** errptr) {
  constexpr std::string_view kFunction = "statelog_subscribe";
  return Guard(kFunction, errptr, [&]() -> Status {
    return Subscribe(db, from, fn, nullptr, arg, 60'000, sub, kFunction);
  });
}

int statelog_subscribe_with_state(statelog_t* db, uint64_t from, statelog_event_fn fn,
                                  statelog_state_fn state_fn, void* arg,
                                  int64_t reconnect_timeout_ms, statelog_subscription_t** sub,
                                  char** errptr) {
  constexpr std::string_view kFunction = "statelog_subscribe_with_state";
  return Guard(kFunction, errptr, [&]() -> Status {
    return Subscribe(db, from, fn, state_fn, arg, reconnect_timeout_ms, sub, kFunction);
  });
}

int statelog_subscription_wait(statelog_subscription_t* sub, uint64_t offset, char** errptr) {
  return Guard("statelog_subscription_wait", errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(sub, "statelog_subscription_wait", "sub"));
    return sub->open->events().WaitForDelivery(sub->id, offset);
  });
}

int statelog_unsubscribe(statelog_subscription_t* sub, char** errptr) {
  return Guard("statelog_unsubscribe", errptr, [&]() -> Status {
    if (sub == nullptr) return Status::OK();
    Status st = sub->open->Unsubscribe(sub->id);
    if (st.code() == StatusCode::kFailedPrecondition) return st;
    delete sub;
    return Status::OK();
  });
}

}  // extern "C"
