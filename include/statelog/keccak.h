// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not NIST SHA3-256 (0x06).
// Keccak256("") = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470.
#ifndef STATELOG_KECCAK_H_
#define STATELOG_KECCAK_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "statelog/bytes.h"

namespace statelog {

// Returns keccak256(data).
Hash256 Keccak256(std::span<const uint8_t> data);
Hash256 Keccak256(std::string_view data);

// Incremental Keccak-256. Not thread-safe; one object per thread.
class Keccak256Hasher {
 public:
  Keccak256Hasher();
  ~Keccak256Hasher();
  Keccak256Hasher(const Keccak256Hasher&) = delete;
  Keccak256Hasher& operator=(const Keccak256Hasher&) = delete;

  void Update(std::span<const uint8_t> data);
  void Update(std::string_view data);
  // Returns the digest and resets the hasher for reuse.
  Hash256 Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace statelog

#endif  // STATELOG_KECCAK_H_
