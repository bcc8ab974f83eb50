// Key and value encodings of the RocksDB backend (docs/rocksdb-format.md). Header-only.
#ifndef STATELOG_ROCKSDB_KEYS_H_
#define STATELOG_ROCKSDB_KEYS_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "statelog/bytes.h"
#include "statelog/log.h"

namespace statelog::rocksdb_format {

// The version this build writes. Versions 1 (statelog 0.1) and 2 (no Merkle tree) are upgraded
// at open.
inline constexpr uint32_t kFormatVersion = 3;
inline constexpr std::string_view kMagic = "statelog";

inline constexpr char kMetaPrefix = 'm';
inline constexpr char kRecordPrefix = 'e';
inline constexpr char kIdPrefix = 'i';
inline constexpr char kSnapshotPrefix = 's';
inline constexpr char kStreamPrefix = 'x';
inline constexpr char kTreePrefix = 'h';        // format 3: the Merkle tree's stored hashes
inline constexpr char kCheckpointPrefix = 'k';  // format 3: the kept signed checkpoints
// Format 1 only: the Nitro channel and objective indexes that the stream index replaced.
inline constexpr char kFormat1ChannelPrefix = 'c';
inline constexpr char kFormat1ObjectivePrefix = 'o';

inline constexpr std::string_view kFormatKey = "mformat";
inline constexpr std::string_view kHeadKey = "mhead";
// Present (value "1") in a store that keeps its acknowledged head in ACKED (rocksdb/acked.h).
inline constexpr std::string_view kAckedKey = "macked";

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

inline std::string RecordKey(Offset offset) {
  std::string k(1, kRecordPrefix);
  PutBE64(&k, offset);
  return k;
}

// The Merkle tree's stored hash (level, n): 'h' + the level (one byte) + BE64(n). Each level is a
// contiguous range in n order (a tlog-tiles hash tile is one range read).
inline std::string TreeKey(int level, uint64_t n) {
  std::string k(1, kTreePrefix);
  k.push_back(static_cast<char>(level));
  PutBE64(&k, n);
  return k;
}
inline constexpr size_t kTreeKeySize = 10;

inline std::string IdKey(const RecordId& id) {
  std::string k(1, kIdPrefix);
  PutFixed(&k, id);
  return k;
}

// The prefix of a stream's index entries: 'x' + the key's length (one byte) + the key. The
// length byte keeps one stream's entries apart from those of a longer key it is a prefix of.
// Append BE64(offset) for one entry. REQUIRES: 1 <= stream.size() <= kMaxStreamKeySize.
inline std::string StreamPrefix(std::string_view stream) {
  std::string k;
  k.reserve(2 + stream.size() + 8);
  k.push_back(kStreamPrefix);
  k.push_back(static_cast<char>(stream.size()));
  k.append(stream);
  return k;
}

// A stream index entry's value: the record's timestamp and the stream's version after it.
inline std::string StreamValue(Timestamp timestamp, uint64_t version) {
  std::string v;
  PutBE64(&v, static_cast<uint64_t>(timestamp));
  PutBE64(&v, version);
  return v;
}
inline constexpr size_t kStreamValueSize = 16;

// The run of keys a key is written next to, as the length of its prefix, or 0 for a key that
// lands anywhere in its range. Records and snapshots are written in increasing key order, a
// stream's entries and a tree level's hashes in increasing offset order, and the head over and
// over, so each of these keys goes next to the last key of its run; ids are random. The RocksDB
// memtable keeps its last insert position for each run (docs/rocksdb-format.md, "What one write
// contains").
inline size_t InsertRunPrefix(std::string_view key) {
  if (key.empty()) return 0;
  switch (key[0]) {
    case kRecordPrefix:
    case kSnapshotPrefix:
      return 1;
    case kStreamPrefix: {
      if (key.size() < 2) return 0;
      const size_t n = 2 + static_cast<uint8_t>(key[1]);
      return key.size() >= n ? n : 0;
    }
    case kTreePrefix:
      return key.size() >= 2 ? 2 : 0;  // each level is a run
    case kMetaPrefix:
      return key.size();
    default:
      return 0;
  }
}

// A kept checkpoint: 'k' + BE64(number); its value is BE64(size) + the signed note.
inline std::string CheckpointKey(uint64_t number) {
  std::string k(1, kCheckpointPrefix);
  PutBE64(&k, number);
  return k;
}
inline constexpr size_t kCheckpointKeySize = 9;

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
