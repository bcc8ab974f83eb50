#include "crypto/crc32c.h"

#include <crypto++/crc.h>

namespace statelog {

uint32_t Crc32c(std::string_view data) {
  CryptoPP::CRC32C crc;
  crc.Update(reinterpret_cast<const CryptoPP::byte*>(data.data()), data.size());
  CryptoPP::byte out[4];
  crc.TruncatedFinal(out, sizeof(out));  // the value, least significant byte first
  return static_cast<uint32_t>(out[0]) | static_cast<uint32_t>(out[1]) << 8 |
         static_cast<uint32_t>(out[2]) << 16 | static_cast<uint32_t>(out[3]) << 24;
}

}  // namespace statelog
