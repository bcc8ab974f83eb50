#include "statelog/keccak.h"

#include <crypto++/keccak.h>

namespace statelog {

struct Keccak256Hasher::Impl {
  CryptoPP::Keccak_256 h;
};

Keccak256Hasher::Keccak256Hasher() : impl_(std::make_unique<Impl>()) {}
Keccak256Hasher::~Keccak256Hasher() = default;

void Keccak256Hasher::Update(std::span<const uint8_t> data) {
  impl_->h.Update(data.data(), data.size());
}

void Keccak256Hasher::Update(std::string_view data) {
  impl_->h.Update(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

Hash256 Keccak256Hasher::Finish() {
  Hash256 out;
  impl_->h.Final(out.data());  // Final() also restarts the hash
  return out;
}

Hash256 Keccak256(std::span<const uint8_t> data) {
  CryptoPP::Keccak_256 h;
  Hash256 out;
  h.CalculateDigest(out.data(), data.data(), data.size());
  return out;
}

Hash256 Keccak256(std::string_view data) {
  return Keccak256(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

}  // namespace statelog
