/**
 * CRC-32C (Castagnoli), the checksum of record batch v2 (magic 2 replaced v0/v1's CRC-32 with it).
 * Native (@node-rs/crc32 uses SSE4.2/ARMv8 CRC instructions), so checking a batch costs little
 * next to copying it.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C of `data` as an unsigned 32-bit number (how Kafka reads the batch CRC field). */
export function crc32c(data: Uint8Array): number {
  // The binding already returns the u32 value; `>>> 0` pins that contract should it ever change.
  return nativeCrc32c(data) >>> 0;
}
