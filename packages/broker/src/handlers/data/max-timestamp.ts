/**
 * ListOffsets' MAX_TIMESTAMP (-3, KIP-734): the record with the largest timestamp below the high
 * watermark. The log keeps no running maximum across segments, so this scans batch headers from
 * the tail, bounded by `MAX_TIMESTAMP_SCAN_BYTES`: in a log whose older records carry larger
 * timestamps than any recent one, the answer is the largest within that tail (a documented
 * approximation; timestamps normally grow with offsets).
 */
import { splitBatches } from '@tributary/protocol';
import type { OffsetAndTimestamp, PartitionLog } from '@tributary/storage';
import { err, ok, type Result } from '@tributary/common';

export const MAX_TIMESTAMP_SCAN_BYTES = 16 * 1024 * 1024;
/** How far back from the high watermark the scan starts, in offsets. */
export const MAX_TIMESTAMP_SCAN_OFFSETS = 100_000;
const READ_BYTES = 1024 * 1024;

export async function maxTimestampOffset(log: PartitionLog, highWatermark: number): Promise<Result<OffsetAndTimestamp | null, Error>> {
  let offset = Math.max(log.logStartOffset, highWatermark - MAX_TIMESTAMP_SCAN_OFFSETS);
  let scanned = 0;
  let best = -1n;
  while (offset < highWatermark && scanned < MAX_TIMESTAMP_SCAN_BYTES) {
    const read = await log.read(offset, { maxBytes: READ_BYTES, maxOffset: highWatermark });
    if (!read.ok) return err(read.error);
    if (read.value.records.length === 0) break;
    scanned += read.value.records.length;
    const split = splitBatches(read.value.records);
    if (!split.ok || split.value.batches.length === 0) break;
    for (const { header } of split.value.batches) {
      if (!header.isControl && header.maxTimestamp > best) best = header.maxTimestamp;
      offset = Number(header.baseOffset) + header.lastOffsetDelta + 1;
    }
  }
  if (best < 0n) return ok(null);
  // The first record stamped with the largest timestamp.
  const found = await log.offsetForTimestamp(Number(best));
  if (!found.ok) return err(found.error);
  return ok(found.value !== null && found.value.offset < highWatermark ? found.value : null);
}
