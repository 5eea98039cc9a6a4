/**
 * Reading a segment's `.log`: locating the batch that holds an offset (index lookup, then a scan
 * of batch headers), reading whole batches for Fetch, finding the first batch that reaches a
 * timestamp. Every batch handed out is CRC-checked first: bytes that fail are corruption (the
 * log goes offline), never served.
 */
import type { FileHandle } from '@tributary/common';
import { BATCH_HEADER_BYTES, BATCH_OFFSETS, LOG_OVERHEAD, verifyBatchCrc } from '@tributary/protocol';
import { readFully, scanBatches, type ScannedBatch } from './batch-scanner.js';
import { LogStorageError } from './log-errors.js';

export interface LocatedBatch {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
}

export interface SegmentFile {
  readonly log: FileHandle;
  /** For error messages: the `.log`'s path. */
  readonly path: string;
  /** Read size when scanning headers (they are what locating reads). */
  readonly chunkBytes: number;
}

const EMPTY = Buffer.alloc(0);

/** The first batch in [from, end) matching `matches` (batches are visited in order); null when none. */
export async function findBatch(file: SegmentFile, from: number, end: number, matches: (batch: ScannedBatch) => boolean): Promise<LocatedBatch | null> {
  let found: LocatedBatch | null = null;
  const scan = await scanBatches(file.log, {
    from,
    to: end,
    chunkBytes: file.chunkBytes,
    verify: false,
    visit: (batch) => {
      if (!matches(batch)) return;
      const { position, size, baseOffset, lastOffset, maxTimestamp } = batch;
      found = { position, size, baseOffset, lastOffset, maxTimestamp };
      return 'stop';
    },
  });
  if (scan.stop.kind !== 'end') throw corrupt(file, scan.stop.reason);
  return found;
}

/**
 * Whole batches from `first`, up to `maxBytes` (the first batch even when larger, with
 * `minOneBatch`), stopping before any batch that reaches `maxOffset` or passes `end`.
 */
export async function readBatches(file: SegmentFile, first: LocatedBatch, end: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Promise<Buffer> {
  if (first.lastOffset >= maxOffset) return EMPTY;
  const available = Math.min(maxBytes, end - first.position);
  const length = available >= first.size ? available : minOneBatch ? first.size : 0;
  if (length === 0) return EMPTY;
  const bytes = Buffer.allocUnsafe(length);
  if ((await readFully(file.log, bytes, length, first.position)) < length) throw corrupt(file, `shorter than ${first.position + length} bytes`);
  return wholeBatches(file, bytes, first.position, maxOffset);
}

/** The CRC-checked bytes of one located batch. */
export async function readBatch(file: SegmentFile, batch: LocatedBatch): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(batch.size);
  const n = await readFully(file.log, bytes, batch.size, batch.position);
  const verified = n === batch.size ? verifyBatchCrc(bytes) : null;
  if (!verified?.ok) throw corrupt(file, `batch at byte ${batch.position}: ${verified ? verified.error.message : 'cut short'}`);
  return bytes;
}

function wholeBatches(file: SegmentFile, bytes: Buffer, position: number, maxOffset: number): Buffer {
  let at = 0;
  while (bytes.length - at >= BATCH_HEADER_BYTES) {
    const size = LOG_OVERHEAD + bytes.readInt32BE(at + BATCH_OFFSETS.batchLength);
    if (size > bytes.length - at) break;
    const verified = verifyBatchCrc(bytes.subarray(at, at + size));
    if (!verified.ok) throw corrupt(file, `batch at byte ${position + at}: ${verified.error.message}`);
    if (Number(verified.value.baseOffset) + verified.value.lastOffsetDelta >= maxOffset) break;
    at += size;
  }
  return bytes.subarray(0, at);
}

function corrupt(file: SegmentFile, detail: string): LogStorageError {
  return new LogStorageError('corrupt', `${file.path}: ${detail}`);
}
