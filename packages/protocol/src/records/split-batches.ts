/**
 * Splitting a records blob (Produce/Fetch RECORDS field, a log segment read) into batches.
 * A Fetch response may end with a truncated batch (the broker cuts at the byte limit): that tail
 * is reported, not treated as an error.
 */
import { err, ok, type Result } from '@tributary/common';
import { BATCH_HEADER_BYTES, BATCH_OFFSETS, LOG_OVERHEAD, readBatchHeader, type RecordBatchHeader } from './batch-header.js';
import { RecordDecodeError } from './errors.js';

export interface SplitBatch {
  readonly header: RecordBatchHeader;
  /** The whole batch: a view into the input, not a copy. CRC not yet verified. */
  readonly bytes: Buffer;
}

export interface SplitBatches {
  readonly batches: readonly SplitBatch[];
  /** Bytes at the end that do not hold a whole batch (0 when the blob ends on a batch boundary). */
  readonly partialBytes: number;
}

/**
 * Cuts `buf` into whole batches, each header parsed (magic 2 required). A length that no batch
 * can have is an error even in the tail; a tail too short to hold its declared length is partial.
 */
export function splitBatches(buf: Buffer): Result<SplitBatches, RecordDecodeError> {
  const batches: SplitBatch[] = [];
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const batchLength = buf.readInt32BE(pos + BATCH_OFFSETS.batchLength);
    if (batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD) {
      return err(new RecordDecodeError('malformed', `record batch at byte ${pos} has impossible length ${batchLength}`));
    }
    const size = LOG_OVERHEAD + batchLength;
    if (buf.length - pos < size) break;
    const header = readBatchHeader(buf, pos);
    if (!header.ok) return header;
    batches.push({ header: header.value, bytes: buf.subarray(pos, pos + size) });
    pos += size;
  }
  return ok({ batches, partialBytes: buf.length - pos });
}
