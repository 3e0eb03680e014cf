// crc32.h — CRC-32 (IEEE 802.3, as in zlib/Ethernet) for link frames and
// storage records, and CRC-32C (Castagnoli, as in cloud KMS APIs) for the
// signer API's optional integrity fields.
#ifndef PKI_BASE_CRC32_H_
#define PKI_BASE_CRC32_H_

#include <cstdint>

#include "base/bytes.h"

namespace pki {

// Crc32 returns the CRC-32 of |data|, continuing from |crc| (0 to start).
uint32_t Crc32(ByteSpan data, uint32_t crc = 0);

// Crc32c returns the CRC-32C of |data|, continuing from |crc| (0 to start).
uint32_t Crc32c(ByteSpan data, uint32_t crc = 0);

}  // namespace pki

#endif  // PKI_BASE_CRC32_H_
