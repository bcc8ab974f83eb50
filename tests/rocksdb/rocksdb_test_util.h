// Helpers of the RocksDB backend tests: temporary directories, log checks, file damage.
#ifndef STATELOG_TESTS_ROCKSDB_ROCKSDB_TEST_UTIL_H_
#define STATELOG_TESTS_ROCKSDB_ROCKSDB_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "statelog/memory_store.h"
#include "statelog/reconstruct.h"
#include "statelog/rocksdb_store.h"
#include "statelog/store.h"
#include "store/rocksdb_factory.h"  // TempDir

namespace statelog::test {

// Returns the value of `v`, or fails the current test and returns T{} when it holds an error.
template <typename T>
T ValueOrFail(StatusOr<T> v) {
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::move(v).value() : T{};
}

inline ChainHead HeadOf(const EventStore& store) { return ValueOrFail(store.Head()); }
inline uint64_t LengthOf(const EventStore& store) { return ValueOrFail(store.Length()); }

// Checks that the log is dense, every chain value recomputes from offset 0 and the head matches.
// Returns the events.
inline std::vector<StoredEvent> CheckLog(const EventStore& store) {
  const ChainHead head = HeadOf(store);
  std::vector<StoredEvent> all;
  Status s = store.ReadRange(0, head.length, &all);
  EXPECT_TRUE(s.ok()) << s.ToString();
  Hash256 chain;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].offset, i);
    chain = NextChain(chain, all[i].event.id);
    EXPECT_EQ(all[i].chain, chain) << "offset " << i;
    EXPECT_TRUE(all[i].event.HasValidId()) << "offset " << i;
  }
  EXPECT_EQ(head.chain, chain);
  return all;
}

// Checks a store recovered after a crash: CheckLog's checks, every event is one of `known` (id
// hex -> event) or a snapshot record, and found by its id, and reconstruction equals a fold of the
// recovered events. Returns the log.
inline std::vector<StoredEvent> CheckRecovered(
    const EventStore& store, const std::unordered_map<std::string, Event>& known) {
  const std::vector<StoredEvent> log = CheckLog(store);
  EXPECT_EQ(log.size(), LengthOf(store));
  auto memory = MemoryEventStore::Create();
  for (const StoredEvent& s : log) {
    if (s.event.type() != EventType::kSnapshotCreated) {
      auto it = known.find(s.event.id.ToHex());
      EXPECT_NE(it, known.end()) << "offset " << s.offset << " holds an unknown event";
      if (it != known.end()) {
        EXPECT_EQ(s.event, it->second) << "offset " << s.offset;
      }
    }
    EXPECT_TRUE(memory->Append(s.event).ok()) << "offset " << s.offset;
    EXPECT_EQ(ValueOrFail(store.Find(s.event.id)), std::optional<Offset>(s.offset));
  }
  auto folded = Reconstructor(memory.get()).FullFold(LengthOf(*memory));
  EXPECT_TRUE(folded.ok()) << folded.status().ToString();
  auto recovered = Reconstructor(&store).FullFold(LengthOf(store));
  EXPECT_TRUE(recovered.ok()) << recovered.status().ToString();
  if (folded.ok() && recovered.ok()) {
    EXPECT_EQ(*recovered, *folded);
  }
  return log;
}

// Returns the files of `dir` whose names end with `suffix`, sorted by name (RocksDB numbers its
// files, so the last is the newest).
inline std::vector<std::string> FilesWithSuffix(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x5a));
}

}  // namespace statelog::test

#endif  // STATELOG_TESTS_ROCKSDB_ROCKSDB_TEST_UTIL_H_
