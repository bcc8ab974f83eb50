// statelog_subscribe, statelog_subscription_wait and statelog_unsubscribe over the store's
// catch-up subscriptions (statelog/log.h): one delivery thread per subscription.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "c/handle.h"
#include "statelog/codec.h"

struct statelog_subscription_t {
  std::shared_ptr<statelog::c_api::OpenStore> open;  // keeps the store open until unsubscribed
  statelog::SubscriptionId id = 0;
};

using namespace statelog;
using namespace statelog::c_api;

extern "C" {

int statelog_subscribe(statelog_t* db, uint64_t from, statelog_event_fn fn, void* arg,
                       statelog_subscription_t** sub, char** errptr) {
  constexpr std::string_view kFunction = "statelog_subscribe";
  return Guard(kFunction, errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(sub, kFunction, "sub"));
    *sub = nullptr;
    STATELOG_RETURN_IF_ERROR(NotNull(db, kFunction, "db"));
    if (fn == nullptr) return Status::InvalidArgument("statelog_subscribe: fn is NULL");
    auto handle = std::make_unique<statelog_subscription_t>();
    handle->open = db->open;
    // The delivery thread starts inside SubscribeFrom, before the id is known: it holds every
    // call of `fn` until the handle is complete and stored in *sub, so that `fn` may read *sub
    // (e.g. to unsubscribe) and its id.
    auto ready = std::make_shared<std::atomic<bool>>(false);
    struct OpenOnExit {
      std::atomic<bool>* ready;
      ~OpenOnExit() {
        ready->store(true, std::memory_order_release);
        ready->notify_all();
      }
    } open_on_exit{ready.get()};
    // A non-zero result stops the subscription: the hub turns the exception into its status.
    handle->id = db->open->store->SubscribeFrom(from, [fn, arg, ready](const StoredEvent& stored) {
      ready->wait(false, std::memory_order_acquire);
      const std::string json = EncodeEvent(stored.event);
      const int result = fn(arg, stored.offset, json.c_str(), json.size());
      if (result != 0) throw std::runtime_error("the callback returned " + std::to_string(result));
    });
    *sub = handle.release();
    return Status::OK();
  });
}

int statelog_subscription_wait(statelog_subscription_t* sub, uint64_t offset, char** errptr) {
  return Guard("statelog_subscription_wait", errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(sub, "statelog_subscription_wait", "sub"));
    return sub->open->store->WaitForDelivery(sub->id, offset);
  });
}

int statelog_unsubscribe(statelog_subscription_t* sub, char** errptr) {
  return Guard("statelog_unsubscribe", errptr, [&]() -> Status {
    if (sub == nullptr) return Status::OK();
    Status st = sub->open->store->Unsubscribe(sub->id);
    if (st.code() == StatusCode::kFailedPrecondition) return st;
    delete sub;
    return Status::OK();
  });
}

}  // extern "C"
