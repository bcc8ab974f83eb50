#include "nitro/abi.h"

#include <cstring>
#include <utility>

namespace statelog::nitro::abi {
namespace {

void AppendWord(const Word& w, Bytes* out) { out->insert(out->end(), w.begin(), w.end()); }

}  // namespace

Word UintWord(uint64_t v) {
  Word w{};
  for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}

Word Uint256Word(const Uint256& v) {
  Word w{};
  v.ToBigEndian(std::span<uint8_t, 32>(w));
  return w;
}

Word AddressWord(const Address& a) {
  Word w{};
  std::memcpy(w.data() + 12, a.data(), Address::size());
  return w;
}

Word Bytes32Word(const Bytes32& b) { return b.bytes; }

Word BoolWord(bool b) { return UintWord(b ? 1 : 0); }

void TupleEncoder::AddStatic(const Word& w) { members_.push_back(Member{w, -1}); }

void TupleEncoder::AddDynamic(Bytes encoded) {
  members_.push_back(Member{Word{}, static_cast<int>(dynamic_.size())});
  dynamic_.push_back(std::move(encoded));
}

Bytes TupleEncoder::Finish() {
  size_t head_size = 32 * members_.size();
  size_t total = head_size;
  for (const Bytes& d : dynamic_) total += d.size();
  Bytes out;
  out.reserve(total);
  // Tails are laid out in member order, so the offsets grow with the dynamic index.
  std::vector<size_t> offsets(dynamic_.size());
  size_t offset = head_size;
  for (size_t i = 0; i < dynamic_.size(); ++i) {
    offsets[i] = offset;
    offset += dynamic_[i].size();
  }
  for (const Member& m : members_) {
    AppendWord(m.dynamic_index < 0 ? m.word : UintWord(offsets[m.dynamic_index]), &out);
  }
  for (const Bytes& d : dynamic_) out.insert(out.end(), d.begin(), d.end());
  members_.clear();
  dynamic_.clear();
  return out;
}

Bytes EncodeBytes(std::span<const uint8_t> data) {
  Bytes out;
  size_t padded = (data.size() + 31) / 32 * 32;
  out.reserve(32 + padded);
  AppendWord(UintWord(data.size()), &out);
  out.insert(out.end(), data.begin(), data.end());
  out.resize(32 + padded, 0);
  return out;
}

Bytes EncodeStaticArray(const std::vector<Word>& elements) {
  Bytes out;
  out.reserve(32 * (elements.size() + 1));
  AppendWord(UintWord(elements.size()), &out);
  for (const Word& w : elements) AppendWord(w, &out);
  return out;
}

Bytes EncodeDynamicArray(std::vector<Bytes> encoded_elements) {
  size_t n = encoded_elements.size();
  TupleEncoder elements;
  for (Bytes& e : encoded_elements) elements.AddDynamic(std::move(e));
  Bytes body = elements.Finish();
  Bytes out;
  out.reserve(32 + body.size());
  AppendWord(UintWord(n), &out);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

namespace {

// tuple(bytes32 destination, uint256 amount, uint8 allocationType, bytes metadata)
Bytes EncodeAllocation(const Allocation& a) {
  TupleEncoder t;
  t.AddStatic(Bytes32Word(a.destination));
  t.AddStatic(Uint256Word(a.amount));
  t.AddStatic(UintWord(a.allocation_type));
  t.AddDynamic(EncodeBytes(a.metadata));
  return t.Finish();
}

// tuple(address asset, tuple(uint8 assetType, bytes metadata) assetMetadata,
//       tuple(bytes32, uint256, uint8, bytes)[] allocations)
Bytes EncodeSingleAssetExit(const SingleAssetExit& e) {
  TupleEncoder metadata;
  metadata.AddStatic(UintWord(e.asset_metadata.asset_type));
  metadata.AddDynamic(EncodeBytes(e.asset_metadata.metadata));

  std::vector<Bytes> allocations;
  allocations.reserve(e.allocations.size());
  for (const Allocation& a : e.allocations) allocations.push_back(EncodeAllocation(a));

  TupleEncoder t;
  t.AddStatic(AddressWord(e.asset));
  t.AddDynamic(metadata.Finish());
  t.AddDynamic(EncodeDynamicArray(std::move(allocations)));
  return t.Finish();
}

}  // namespace

Bytes EncodeExitArray(const Exit& exit) {
  std::vector<Bytes> elements;
  elements.reserve(exit.size());
  for (const SingleAssetExit& e : exit) elements.push_back(EncodeSingleAssetExit(e));
  return EncodeDynamicArray(std::move(elements));
}

}  // namespace statelog::nitro::abi
