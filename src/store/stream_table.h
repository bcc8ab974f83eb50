// The memory backend's stream index (internal): stream key -> the offsets of its records.
//
// Each stream is one allocation holding its key and its offsets (32 bits each, increasing),
// grown by half again when full; an open-addressing table of pointers (linear probing) finds it
// by key. About 4 bytes a record and 80 to 120 bytes a stream, where a hash map of vectors takes
// about 200 bytes a stream. Not thread-safe: the backend guards it with its index lock.
#ifndef STATELOG_STORE_STREAM_TABLE_H_
#define STATELOG_STORE_STREAM_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace statelog::store_internal {

class StreamTable {
 public:
  // The longest key it holds.
  static constexpr size_t kMaxKeySize = 255;

  StreamTable() = default;
  StreamTable(const StreamTable&) = delete;
  StreamTable& operator=(const StreamTable&) = delete;
  ~StreamTable();

  // The offsets of `stream`'s records, increasing; empty when it has none. Valid until the next
  // Add().
  std::span<const uint32_t> Offsets(std::string_view stream) const;
  // Appends `offset` to `stream`'s records.
  // REQUIRES: 1 <= stream.size() <= kMaxKeySize; offset above every offset of the stream.
  void Add(std::string_view stream, uint32_t offset);

  // The number of streams.
  size_t size() const { return size_; }

 private:
  class Stream;

  // The slot of `stream` in table_: its entry, or the empty slot where it would go.
  // REQUIRES: table_ not empty.
  size_t SlotOf(std::string_view stream) const;
  void Grow();

  std::vector<Stream*> table_;  // a power of two in size, at most 3/4 full; nullptr: empty
  size_t size_ = 0;
};

}  // namespace statelog::store_internal

#endif  // STATELOG_STORE_STREAM_TABLE_H_
