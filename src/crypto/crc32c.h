// CRC-32C (Castagnoli), the checksum of binary snapshots. Internal header of the crypto layer
// (Crypto++ stays private to it).
#ifndef STATELOG_CRYPTO_CRC32C_H_
#define STATELOG_CRYPTO_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace statelog {

// Returns the CRC-32C of `data` (the iSCSI polynomial; "123456789" gives 0xe3069283).
uint32_t Crc32c(std::string_view data);

}  // namespace statelog

#endif  // STATELOG_CRYPTO_CRC32C_H_
