// A compact binary encoding driven by the same field lists as the canonical JSON
// (event/fields.h): the snapshot encoding, format 2 (docs/snapshot-format.md). Internal header of
// the fold layer.
//
// Values, in field order, with no names or separators:
//   unsigned integers  LEB128 (7 bits a byte, least significant first; at most 10 bytes)
//   int64              zigzag, then LEB128
//   bool               one byte, 0 or 1
//   FixedBytes<N>      the N bytes
//   Bytes, string      LEB128 length, then the bytes
//   Uint256            one length byte (0 to 32), then big-endian bytes without leading zeros
//   enum               its name, as a string
//   ObjectiveId        the kind's name as a string, then the 32-byte channel id
//   optional           one byte, 0 (absent) or 1, then the value
//   vector             LEB128 count, then the items
//   map                LEB128 count, then key and value pairs in strictly increasing key order
//   struct             its fields in order
// Every value has exactly one encoding (the reader refuses overlong integers, leading zeros,
// unsorted keys), so equal values give equal bytes.
#ifndef STATELOG_FOLD_BINARY_CODEC_H_
#define STATELOG_FOLD_BINARY_CODEC_H_

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "event/fields.h"
#include "statelog/status.h"

namespace statelog::codec_internal {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string* out) : out_(out) {}

  template <class T>
  void operator()(const char*, const T& value) {
    Value(value);
  }

  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void Raw(const void* data, size_t n) { out_->append(static_cast<const char*>(data), n); }

  template <size_t N>
  void Value(const FixedBytes<N>& v) {
    Raw(v.bytes.data(), N);
  }
  void Value(const Bytes& v) {
    Varint(v.size());
    Raw(v.data(), v.size());
  }
  void Value(const Uint256& v) {
    uint8_t be[32];
    v.ToBigEndian(be);
    size_t skip = 0;
    while (skip < 32 && be[skip] == 0) ++skip;
    out_->push_back(static_cast<char>(32 - skip));
    Raw(be + skip, 32 - skip);
  }
  void Value(bool v) { out_->push_back(v ? 1 : 0); }
  void Value(uint8_t v) { Varint(v); }
  void Value(uint32_t v) { Varint(v); }
  void Value(uint64_t v) { Varint(v); }
  void Value(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Value(std::string_view v) {
    Varint(v.size());
    Raw(v.data(), v.size());
  }
  void Value(const std::string& v) { Value(std::string_view(v)); }
  void Value(const ObjectiveId& v) {
    Value(ObjectiveKindName(v.kind));
    Value(v.channel);
  }
  template <class E>
  requires std::is_enum_v<E>
  void Value(E v) { Value(EnumName(v)); }
  template <class T>
  void Value(const std::optional<T>& v) {
    out_->push_back(v ? 1 : 0);
    if (v) Value(*v);
  }
  template <class T>
  void Value(const std::vector<T>& v) {
    Varint(v.size());
    for (const T& item : v) Value(item);
  }
  template <class K, class V>
  void Value(const std::map<K, V>& m) {
    Varint(m.size());
    for (const auto& [k, v] : m) {
      Value(k);
      Value(v);
    }
  }
  template <NestedStruct T>
  void Value(const T& v) {
    VisitFields(*this, v);
  }
  template <class T>
  requires HasFieldList<T>
  void Value(const T& v) { VisitFields(*this, v); }

 private:
  std::string* out_;
};

// Reads the encoding above from a byte range. Errors are InvalidArgument naming the field path
// and the byte offset, e.g. "at byte 812 (view.channels[3].states[0].signatures): truncated".
class BinaryReader {
 public:
  // `base` is the offset of data[0] within the whole document (for error messages).
  BinaryReader(std::string_view data, size_t base) : data_(data), base_(base) {}

  template <class T>
  void operator()(const char* name, T& value) {
    if (!status_.ok()) return;
    Push(name, 0);
    Status st = Value(value);
    if (!st.ok()) {
      status_ = st;
      return;
    }
    --depth_;
  }

  // The snapshot format being read (docs/snapshot-format.md): fields added by a later format are
  // absent from an earlier one's data.
  uint64_t format() const { return format_; }
  void set_format(uint64_t format) { format_ = format; }

  // The first error of the fields read with operator() (OK when none).
  const Status& status() const { return status_; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  Status Error(std::string_view reason) const {
    std::string msg = "at byte " + std::to_string(base_ + pos_);
    std::string path = Path();
    if (!path.empty()) msg += " (" + path + ")";
    msg += ": ";
    msg += reason;
    return Status::InvalidArgument(msg);
  }

  Status Varint(uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ == data_.size()) return Error("truncated");
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      if (shift == 63 && b > 1) return Error("integer out of range");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) return Error("integer with a redundant byte");
        *out = v;
        return Status::OK();
      }
    }
    return Error("integer out of range");
  }
  // A length or count that the remaining bytes can hold at `min_size` bytes an item.
  Status Count(size_t min_size, size_t* out) {
    uint64_t n = 0;
    STATELOG_RETURN_IF_ERROR(Varint(&n));
    if (n > (data_.size() - pos_) / min_size) return Error("length past the end of the data");
    *out = static_cast<size_t>(n);
    return Status::OK();
  }
  Status Raw(void* out, size_t n) {
    if (data_.size() - pos_ < n) return Error("truncated");
    std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return Status::OK();
  }

  template <size_t N>
  Status Value(FixedBytes<N>& out) {
    return Raw(out.bytes.data(), N);
  }
  Status Value(Bytes& out) {
    std::string_view s;
    STATELOG_RETURN_IF_ERROR(String(&s));
    out.assign(s.begin(), s.end());
    return Status::OK();
  }
  Status Value(Uint256& out) {
    if (pos_ == data_.size()) return Error("truncated");
    size_t n = static_cast<uint8_t>(data_[pos_]);
    if (n > 32) return Error("amount longer than 32 bytes");
    ++pos_;
    uint8_t be[32] = {};
    STATELOG_RETURN_IF_ERROR(Raw(be + 32 - n, n));
    if (n > 0 && be[32 - n] == 0) return Error("amount with a leading zero byte");
    out = Uint256::FromBigEndian(be);
    return Status::OK();
  }
  Status Value(bool& out) {
    if (pos_ == data_.size()) return Error("truncated");
    uint8_t b = static_cast<uint8_t>(data_[pos_]);
    if (b > 1) return Error("boolean is neither 0 nor 1");
    ++pos_;
    out = b == 1;
    return Status::OK();
  }
  Status Value(uint8_t& out) { return Integer(out); }
  Status Value(uint32_t& out) { return Integer(out); }
  Status Value(uint64_t& out) { return Varint(&out); }
  Status Value(int64_t& out) {
    uint64_t z = 0;
    STATELOG_RETURN_IF_ERROR(Varint(&z));
    out = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    return Status::OK();
  }
  Status Value(std::string& out) {
    std::string_view s;
    STATELOG_RETURN_IF_ERROR(String(&s));
    out.assign(s);
    return Status::OK();
  }
  Status Value(ObjectiveId& out) {
    std::string_view kind;
    STATELOG_RETURN_IF_ERROR(String(&kind));
    auto k = ParseObjectiveKind(kind);
    if (!k.ok()) return Error(k.status().message());
    out.kind = *k;
    return Value(out.channel);
  }
  template <class E>
  requires std::is_enum_v<E> Status Value(E& out) {
    std::string_view name;
    STATELOG_RETURN_IF_ERROR(String(&name));
    Status st = ParseEnum(name, &out);
    return st.ok() ? st : Error(st.message());
  }
  template <class T>
  Status Value(std::optional<T>& out) {
    bool present = false;
    STATELOG_RETURN_IF_ERROR(Value(present));
    if (!present) {
      out.reset();
      return Status::OK();
    }
    return Value(out.emplace());
  }
  template <class T>
  Status Value(std::vector<T>& out) {
    size_t n = 0;
    STATELOG_RETURN_IF_ERROR(Count(1, &n));
    out.clear();
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      Push(nullptr, i);
      STATELOG_RETURN_IF_ERROR(Value(out.emplace_back()));
      --depth_;
    }
    return Status::OK();
  }
  template <class K, class V>
  Status Value(std::map<K, V>& out) {
    size_t n = 0;
    STATELOG_RETURN_IF_ERROR(Count(2, &n));
    out.clear();
    for (size_t i = 0; i < n; ++i) {
      Push(nullptr, i);
      K key{};
      STATELOG_RETURN_IF_ERROR(Value(key));
      if (!out.empty() && !(out.rbegin()->first < key)) return Error("keys out of order");
      auto it = out.emplace_hint(out.end(), std::move(key), V{});
      STATELOG_RETURN_IF_ERROR(Value(it->second));
      --depth_;
    }
    return Status::OK();
  }
  template <NestedStruct T>
  Status Value(T& out) {
    return Struct(out);
  }
  template <class T>
  requires HasFieldList<T> Status Value(T& out) { return Struct(out); }

 private:
  template <class T>
  Status Struct(T& out) {
    VisitFields(*this, out);
    return status_;
  }
  template <class I>
  Status Integer(I& out) {
    uint64_t v = 0;
    STATELOG_RETURN_IF_ERROR(Varint(&v));
    if (v > std::numeric_limits<I>::max()) return Error("integer out of range");
    out = static_cast<I>(v);
    return Status::OK();
  }
  Status String(std::string_view* out) {
    size_t n = 0;
    STATELOG_RETURN_IF_ERROR(Count(1, &n));
    *out = data_.substr(pos_, n);
    pos_ += n;
    return Status::OK();
  }
  // The path is a fixed stack, not a vector: it is pushed for every field read. Levels beyond
  // its depth (deeper than any snapshot value) are counted, not named.
  static constexpr size_t kMaxDepth = 16;
  void Push(const char* name, size_t index) {
    if (depth_ < kMaxDepth) path_[depth_] = {name, index};
    ++depth_;
  }
  std::string Path() const {
    return JoinPath(std::span<const PathElem>(path_, std::min(depth_, kMaxDepth)));
  }

  std::string_view data_;
  size_t base_;
  uint64_t format_ = std::numeric_limits<uint64_t>::max();  // unset: every field
  size_t pos_ = 0;
  PathElem path_[kMaxDepth];
  size_t depth_ = 0;
  Status status_;  // the first error of a struct's fields
};

}  // namespace statelog::codec_internal

#endif  // STATELOG_FOLD_BINARY_CODEC_H_
