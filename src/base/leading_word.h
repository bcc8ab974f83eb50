// LeadingWord: the first eight bytes of a key as a number, for sorting many keys cheaply.
#ifndef STATELOG_BASE_LEADING_WORD_H_
#define STATELOG_BASE_LEADING_WORD_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace statelog {

// The first eight bytes of `key`, big-endian, zero-filled past its end. LeadingWord(a) <
// LeadingWord(b) implies a < b in byte order; equal words say nothing. Sorting structs that hold
// this word orders most hash-like keys without following a pointer to them.
inline uint64_t LeadingWord(std::string_view key) {
  unsigned char word[8] = {};
  std::memcpy(word, key.data(), std::min<size_t>(key.size(), sizeof(word)));
  uint64_t v;
  std::memcpy(&v, word, sizeof(v));
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

template <class Bytes>
uint64_t LeadingWordOf(const Bytes& bytes) {
  return LeadingWord(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace statelog

#endif  // STATELOG_BASE_LEADING_WORD_H_
