#ifndef WEFT_CRC32C_H
#define WEFT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Continues a CRC-32C (Castagnoli, reflected) over `length` bytes from the raw register value
/// `crc` (no pre- or post-inversion: callers apply the standard ~ at start and end). Uses the
/// SSE 4.2 CRC32 instruction when the CPU has it, a table otherwise.
uint32_t weft_crc32c_update(uint32_t crc, const uint8_t *bytes, size_t length);

#endif
