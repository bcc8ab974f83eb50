// Internal: readers for go-nitro's JSON values (docs/nitro-encoding.md, "go-nitro's JSON"),
// shared by the State parser and the go-nitro store reader (src/gonitro). Each reader takes the
// value's path for its errors, which are InvalidArgument "PATH: what is wrong".
#ifndef STATELOG_SRC_NITRO_JSON_READ_H_
#define STATELOG_SRC_NITRO_JSON_READ_H_

#include <array>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "nitro/json_value.h"
#include "statelog/nitro.h"

namespace statelog::nitro::json {

// "a.b" (or "b" at the root), and "a[i]".
std::string Join(const std::string& path, std::string_view name);
std::string Index(const std::string& path, size_t i);
// InvalidArgument "PATH: msg" ("JSON: msg" at the root).
Status Err(const std::string& path, std::string_view msg);
Status ExpectKind(const Value& v, Kind kind, const std::string& path);
// An array, or null for an empty one (Go writes a nil slice as null).
Status ExpectArray(const Value& v, const std::string& path);

// The members of one JSON object, checked against the names it may have.
class ObjectReader {
 public:
  ObjectReader(const Value& v, std::string path) : v_(v), path_(std::move(path)) {}
  // Checks that the value is an object with distinct keys, each one of `known`.
  Status Check(std::initializer_list<std::string_view> known) const;
  // Returns the member `name`, or null when it is absent.
  const Value* Find(std::string_view name) const;
  Status Require(std::string_view name, const Value** out) const;
  std::string Path(std::string_view name) const { return Join(path_, name); }

 private:
  const Value& v_;
  std::string path_;
};

// A JSON number that is a non-negative integer below 2^256 (Go's *big.Int).
Status ParseUint256(const Value& v, const std::string& path, Uint256* out);
Status ParseBool(const Value& v, const std::string& path, bool* out);
// Go []byte: base64, "" for empty, null for nil (read as empty).
Status ParseBytes(const Value& v, const std::string& path, Bytes* out);
Status ParseState(const Value& v, const std::string& path, State* s);
// go-nitro's Sigs: an object keyed by participant index (or null for none).
Status ParseSigs(const Value& v, const std::string& path, size_t participants,
                 std::map<uint32_t, Signature>* sigs);
// A SignedState ({"State":...,"Sigs":...}), or a bare State (no signatures).
Status ParseSignedState(const Value& v, const std::string& path, SignedState* out);
// go-nitro's Voucher: {"ChannelId":"0x...","Amount":n,"Signature":"0x<130 hex>"}.
Status ParseVoucher(const Value& v, const std::string& path, Voucher* out);

// An unsigned integer of type T; `max_name` names T's maximum in the error.
template <typename T>
Status ParseUint(const Value& v, const std::string& path, std::string_view max_name, T* out) {
  Uint256 n;
  STATELOG_RETURN_IF_ERROR(ParseUint256(v, path, &n));
  if (n > Uint256(std::numeric_limits<T>::max())) {
    return Err(path, "number exceeds " + std::string(max_name));
  }
  std::array<uint8_t, 32> be{};
  n.ToBigEndian(be);
  uint64_t low = 0;
  for (int i = 24; i < 32; ++i) low = low << 8 | be[i];
  *out = static_cast<T>(low);
  return Status::OK();
}

// "0x" + hex of exactly N bytes, in either case.
template <size_t N>
Status ParseFixedHex(const Value& v, const std::string& path, FixedBytes<N>* out) {
  STATELOG_RETURN_IF_ERROR(ExpectKind(v, Kind::kString, path));
  Status s = ParseHexFixed(v.text, out->bytes);
  return s.ok() ? s : Err(path, s.message());
}

}  // namespace statelog::nitro::json

#endif  // STATELOG_SRC_NITRO_JSON_READ_H_
