#include "store/stream_table.h"

#include <cstring>
#include <functional>
#include <new>
#include <utility>

namespace statelog::store_internal {

// One stream in one allocation: this header, the key's bytes, then room for capacity offsets
// (4-aligned). Made by New(), freed by Delete().
class StreamTable::Stream {
 public:
  static Stream* New(std::string_view key, size_t capacity) {
    void* raw = ::operator new(Bytes(key.size(), capacity));
    auto* s = new (raw) Stream(static_cast<uint32_t>(capacity), static_cast<uint8_t>(key.size()));
    std::memcpy(s->key_data(), key.data(), key.size());
    return s;
  }
  static void Delete(Stream* s) { ::operator delete(s); }  // trivially destructible

  std::string_view key() const { return {key_data(), key_size_}; }
  std::span<const uint32_t> offsets() const { return {data(), size_}; }
  bool full() const { return size_ == capacity_; }
  void Push(uint32_t offset) { data()[size_++] = offset; }

  // Returns a copy with room for half as many offsets again. `this` is left to Delete().
  Stream* Grown() const {
    Stream* s = New(key(), capacity_ + capacity_ / 2);
    std::memcpy(s->data(), data(), size_ * sizeof(uint32_t));
    s->size_ = size_;
    return s;
  }

 private:
  Stream(uint32_t capacity, uint8_t key_size) : capacity_(capacity), key_size_(key_size) {}

  // Where the offsets start, and the whole allocation's size.
  static size_t OffsetsAt(size_t key_size) {
    return (sizeof(Stream) + key_size + alignof(uint32_t) - 1) & ~(alignof(uint32_t) - 1);
  }
  static size_t Bytes(size_t key_size, size_t capacity) {
    return OffsetsAt(key_size) + capacity * sizeof(uint32_t);
  }
  char* key_data() { return reinterpret_cast<char*>(this + 1); }
  const char* key_data() const { return reinterpret_cast<const char*>(this + 1); }
  uint32_t* data() {
    return reinterpret_cast<uint32_t*>(reinterpret_cast<std::byte*>(this) + OffsetsAt(key_size_));
  }
  const uint32_t* data() const { return const_cast<Stream*>(this)->data(); }

  uint32_t size_ = 0;
  const uint32_t capacity_;
  const uint8_t key_size_;
};

namespace {
constexpr size_t kInitialTable = 16;
constexpr size_t kInitialOffsets = 4;

size_t Hash(std::string_view key) { return std::hash<std::string_view>()(key); }
}  // namespace

StreamTable::~StreamTable() {
  for (Stream* s : table_) {
    if (s != nullptr) Stream::Delete(s);
  }
}

size_t StreamTable::SlotOf(std::string_view stream) const {
  const size_t mask = table_.size() - 1;
  size_t i = Hash(stream) & mask;
  while (table_[i] != nullptr && table_[i]->key() != stream) i = (i + 1) & mask;
  return i;
}

std::span<const uint32_t> StreamTable::Offsets(std::string_view stream) const {
  if (table_.empty()) return {};
  const Stream* s = table_[SlotOf(stream)];
  return s == nullptr ? std::span<const uint32_t>() : s->offsets();
}

void StreamTable::Add(std::string_view stream, uint32_t offset) {
  if (table_.empty()) Grow();
  size_t i = SlotOf(stream);
  if (table_[i] == nullptr) {
    if ((size_ + 1) * 4 > table_.size() * 3) {
      Grow();
      i = SlotOf(stream);
    }
    table_[i] = Stream::New(stream, kInitialOffsets);
    ++size_;
  } else if (table_[i]->full()) {
    Stream* grown = table_[i]->Grown();
    Stream::Delete(std::exchange(table_[i], grown));
  }
  table_[i]->Push(offset);
}

void StreamTable::Grow() {
  std::vector<Stream*> old = std::exchange(table_, {});
  table_.assign(old.empty() ? kInitialTable : old.size() * 2, nullptr);
  for (Stream* s : old) {
    if (s != nullptr) table_[SlotOf(s->key())] = s;
  }
}

}  // namespace statelog::store_internal
