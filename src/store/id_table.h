// The memory backend's id index (internal): record id -> offset in 8 bytes an entry.
//
// An open-addressing table with linear probing. An entry holds a 32-bit tag, taken from a mix of
// the id's first 8 bytes, and the offset; it does not hold the id. A lookup compares tags, then
// the full id, which the caller reads from its own storage (`id_at(offset)`), so ids that share
// their first 8 bytes, or only a tag, are told apart. The tag also gives an entry's home bucket,
// so growing the table reads no ids. Not thread-safe: the backend guards it with its index lock.
#ifndef STATELOG_STORE_ID_TABLE_H_
#define STATELOG_STORE_ID_TABLE_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "statelog/log.h"

namespace statelog::store_internal {

class IdTable {
 public:
  // The largest offset it can hold (offsets are kept in 32 bits).
  static constexpr Offset kMaxOffset = UINT32_MAX - 1;

  // Returns the offset of `id`, or nullopt. `id_at(offset)` returns the id stored at an offset
  // this table holds.
  template <typename IdAt>
  std::optional<Offset> Find(const RecordId& id, const IdAt& id_at) const {
    if (entries_.empty()) return std::nullopt;
    const uint32_t tag = Tag(id);
    for (size_t i = Home(tag);; i = (i + 1) & mask()) {
      const Entry& e = entries_[i];
      if (e.offset_plus_one == 0) return std::nullopt;
      if (e.tag == tag && id_at(Offset{e.offset_plus_one - 1}) == id) {
        return Offset{e.offset_plus_one - 1};
      }
    }
  }

  // Maps `id` to `offset` unless `id` is already in the table (the first offset is kept).
  // Returns whether it inserted. REQUIRES: offset <= kMaxOffset.
  template <typename IdAt>
  bool Insert(const RecordId& id, Offset offset, const IdAt& id_at) {
    if ((size_ + 1) * 8 > entries_.size() * 7) Grow();  // load factor at most 7/8
    const uint32_t tag = Tag(id);
    size_t i = Home(tag);
    for (;; i = (i + 1) & mask()) {
      const Entry& e = entries_[i];
      if (e.offset_plus_one == 0) break;
      if (e.tag == tag && id_at(Offset{e.offset_plus_one - 1}) == id) return false;
    }
    entries_[i] = Entry{tag, static_cast<uint32_t>(offset + 1)};
    ++size_;
    return true;
  }

  size_t size() const { return size_; }
  // The number of entries allocated (a power of two, or 0).
  size_t capacity() const { return entries_.size(); }

 private:
  struct Entry {
    uint32_t tag = 0;
    uint32_t offset_plus_one = 0;  // 0: empty
  };

  // Record ids are keccak256 digests, but the mix keeps the table sound for any ids.
  static uint32_t Tag(const RecordId& id) {
    uint64_t prefix;
    std::memcpy(&prefix, id.data(), sizeof(prefix));
    return static_cast<uint32_t>((prefix * 0x9E3779B97F4A7C15u) >> 32);
  }
  // The home bucket: the tag's top log2(capacity) bits. REQUIRES: capacity() > 0.
  size_t Home(uint32_t tag) const { return size_t{tag >> shift_}; }
  size_t mask() const { return entries_.size() - 1; }

  void Grow() {
    std::vector<Entry> old = std::exchange(entries_, {});
    entries_.resize(old.empty() ? kInitialCapacity : old.size() * 2);
    shift_ = 32 - std::countr_zero(entries_.size());
    for (const Entry& e : old) {
      if (e.offset_plus_one == 0) continue;
      size_t i = Home(e.tag);
      while (entries_[i].offset_plus_one != 0) i = (i + 1) & mask();
      entries_[i] = e;
    }
  }

  static constexpr size_t kInitialCapacity = 64;

  std::vector<Entry> entries_;
  unsigned shift_ = 0;  // 32 - log2(capacity) once allocated
  size_t size_ = 0;
};

}  // namespace statelog::store_internal

#endif  // STATELOG_STORE_ID_TABLE_H_
