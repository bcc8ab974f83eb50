// Key and value encodings of the RocksDB backend (docs/rocksdb-format.md). Header-only.
#ifndef STATELOG_ROCKSDB_KEYS_H_
#define STATELOG_ROCKSDB_KEYS_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "statelog/bytes.h"
#include "statelog/event.h"

namespace statelog::rocksdb_format {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr std::string_view kMagic = "statelog";

inline constexpr char kMetaPrefix = 'm';
inline constexpr char kEventPrefix = 'e';
inline constexpr char kIdPrefix = 'i';
inline constexpr char kChannelPrefix = 'c';
inline constexpr char kObjectivePrefix = 'o';
inline constexpr char kSnapshotPrefix = 's';

inline constexpr std::string_view kFormatKey = "mformat";
inline constexpr std::string_view kHeadKey = "mhead";

inline void PutBE64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

// REQUIRES: p points to 8 readable bytes.
inline uint64_t GetBE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

template <size_t N>
inline void PutFixed(std::string* out, const FixedBytes<N>& b) {
  out->append(reinterpret_cast<const char*>(b.bytes.data()), N);
}

// REQUIRES: p points to N readable bytes.
template <size_t N>
inline FixedBytes<N> GetFixed(const char* p) {
  FixedBytes<N> b;
  std::memcpy(b.bytes.data(), p, N);
  return b;
}

inline std::string EventKey(Offset offset) {
  std::string k(1, kEventPrefix);
  PutBE64(&k, offset);
  return k;
}

inline std::string IdKey(const EventId& id) {
  std::string k(1, kIdPrefix);
  PutFixed(&k, id);
  return k;
}

// The prefix of a channel's index entries; append BE64(offset) for one entry.
inline std::string ChannelPrefix(const ChannelId& id) {
  std::string k(1, kChannelPrefix);
  PutFixed(&k, id);
  return k;
}

inline std::string ObjectivePrefix(const ObjectiveId& id) {
  std::string k(1, kObjectivePrefix);
  k.push_back(static_cast<char>(id.kind));
  PutFixed(&k, id.channel);
  return k;
}

inline std::string SnapshotKey(uint64_t covers) {
  std::string k(1, kSnapshotPrefix);
  PutBE64(&k, covers);
  return k;
}

inline std::string FormatValue(uint32_t version) {
  std::string v(kMagic);
  for (int shift = 24; shift >= 0; shift -= 8) v.push_back(static_cast<char>(version >> shift));
  return v;
}

inline std::string HeadValue(uint64_t length, const Hash256& chain) {
  std::string v;
  PutBE64(&v, length);
  PutFixed(&v, chain);
  return v;
}

}  // namespace statelog::rocksdb_format

#endif  // STATELOG_ROCKSDB_KEYS_H_
