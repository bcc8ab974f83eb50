// Shared fixture and helpers of the EventStore conformance suite (store_conformance_test.cc,
// store_concurrency_test.cc): every backend in store_factory.h must pass every test.
#ifndef STATELOG_TESTS_STORE_STORE_CONFORMANCE_H_
#define STATELOG_TESTS_STORE_STORE_CONFORMANCE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "statelog/codec.h"
#include "statelog/keccak.h"
#include "statelog/store.h"
#include "store/store_factory.h"
#include "store/test_events.h"

namespace statelog::test {

// Everything observable about a log: each event's canonical bytes, its chain value, the head.
struct LogImage {
  std::vector<std::string> encoded;
  std::vector<Hash256> chains;
  ChainHead head;
  friend bool operator==(const LogImage&, const LogImage&) = default;
};

inline LogImage Image(const EventStore& store) {
  LogImage image;
  auto head = store.Head();
  EXPECT_TRUE(head.ok()) << head.status().ToString();
  if (head.ok()) image.head = *head;
  std::vector<StoredEvent> all;
  EXPECT_TRUE(store.ReadRange(0, image.head.length, &all).ok());
  for (const StoredEvent& s : all) {
    image.encoded.push_back(EncodeEvent(s.event));
    image.chains.push_back(s.chain);
  }
  return image;
}

// Recomputes chain[i] = keccak256(chain[i-1] || id[i]) without NextChain.
inline Hash256 IndependentChain(const Hash256& previous, const EventId& id) {
  std::array<uint8_t, 64> buf{};
  for (size_t i = 0; i < 32; ++i) {
    buf[i] = previous.bytes[i];
    buf[32 + i] = id.bytes[i];
  }
  return Keccak256(std::span<const uint8_t>(buf));
}

// Collects delivered events; thread-safe.
struct Collector {
  std::mutex mu;
  std::vector<StoredEvent> events;
  EventCallback Callback() {
    return [this](const StoredEvent& e) {
      std::lock_guard<std::mutex> lock(mu);
      events.push_back(e);
    };
  }
  std::vector<Offset> Offsets() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<Offset> out;
    for (const auto& e : events) out.push_back(e.offset);
    return out;
  }
};

inline std::vector<Offset> Iota(Offset begin, Offset end) {
  std::vector<Offset> out;
  for (Offset o = begin; o < end; ++o) out.push_back(o);
  return out;
}

template <typename Factory>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Factory::Make(); }
  EventStore& store() { return *store_; }
  void AppendAll(const std::vector<Event>& events) {
    for (const Event& e : events) {
      auto r = store_->Append(e);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  std::unique_ptr<EventStore> store_;
};

}  // namespace statelog::test

#endif  // STATELOG_TESTS_STORE_STORE_CONFORMANCE_H_
