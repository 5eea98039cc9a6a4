/**
 * Checking an incoming records blob before it is appended, and the leader's rewrite of the
 * header fields it owns. Only headers are read and CRCs checked: records stay as the producer
 * sent them (compressed or not), which is what lets the log store them byte for byte.
 */
import { err, ok, type Result } from '@tributary/common';
import { BATCH_OFFSETS, crc32c, splitBatches, verifyBatchCrc, type RecordBatchHeader } from '@tributary/protocol';
import { InvalidBatchError } from './log-errors.js';
import type { SegmentBatch } from './log-segment.js';

export interface IncomingBatch {
  /** Where the batch starts in the blob. */
  readonly start: number;
  readonly size: number;
  readonly header: RecordBatchHeader;
}

export type AppendRole = 'leader' | 'follower';

/** Attribute bit 3: timestamps are the broker's append time. */
const ATTR_LOG_APPEND_TIME = 0x08;

/**
 * Splits `records` into v2 batches and checks each: whole (no partial tail), magic 2, CRC-32C,
 * at least one record, a last offset delta that fits the count (exactly count - 1 from a producer;
 * at least that from a leader, whose compacted batches may skip offsets) and, for the leader,
 * at most `maxBatchBytes`. A follower's batches must also carry safe, contiguous offsets.
 */
export function validateIncoming(records: Buffer, role: AppendRole, maxBatchBytes: number): Result<IncomingBatch[], InvalidBatchError> {
  if (records.length === 0) return err(new InvalidBatchError('invalid', 'an append needs at least one record batch'));
  const split = splitBatches(records);
  if (!split.ok) return err(new InvalidBatchError('corrupt', split.error.message, { cause: split.error }));
  if (split.value.partialBytes > 0) {
    return err(new InvalidBatchError('corrupt', `the records end with ${split.value.partialBytes} bytes that are not a whole batch`));
  }
  const batches: IncomingBatch[] = [];
  let start = 0;
  for (const { bytes } of split.value.batches) {
    if (role === 'leader' && bytes.length > maxBatchBytes) {
      return err(new InvalidBatchError('too-large', `a batch of ${bytes.length} bytes exceeds maxBatchBytes ${maxBatchBytes}`));
    }
    const verified = verifyBatchCrc(bytes);
    if (!verified.ok) return err(new InvalidBatchError('corrupt', verified.error.message, { cause: verified.error }));
    const problem = checkHeader(verified.value, role, batches.at(-1)?.header);
    if (problem) return err(new InvalidBatchError('invalid', problem));
    batches.push({ start, size: bytes.length, header: verified.value });
    start += bytes.length;
  }
  return ok(batches);
}

function checkHeader(header: RecordBatchHeader, role: AppendRole, previous: RecordBatchHeader | undefined): string | null {
  const { recordCount, lastOffsetDelta } = header;
  if (recordCount <= 0) return `a batch must hold at least one record (count ${recordCount})`;
  if (role === 'leader' && lastOffsetDelta !== recordCount - 1) {
    return `a producer batch of ${recordCount} records must have last offset delta ${recordCount - 1}, not ${lastOffsetDelta}`;
  }
  if (lastOffsetDelta < recordCount - 1) return `last offset delta ${lastOffsetDelta} is too small for ${recordCount} records`;
  if (role === 'follower') {
    const baseOffset = header.baseOffset;
    if (baseOffset < 0n || baseOffset + BigInt(lastOffsetDelta) > BigInt(Number.MAX_SAFE_INTEGER)) return `offset ${baseOffset} is out of range`;
    if (previous && baseOffset !== previous.baseOffset + BigInt(previous.lastOffsetDelta) + 1n) {
      return `batch offsets are not contiguous: ${baseOffset} follows a batch ending at ${previous.baseOffset + BigInt(previous.lastOffsetDelta)}`;
    }
  }
  return null;
}

export interface LeaderStamp {
  /** The batches with the offsets and timestamps they now carry. */
  readonly batches: SegmentBatch[];
  readonly lastOffset: number;
  readonly maxTimestamp: number;
}

/**
 * Assigns offsets from `firstOffset` and the leader epoch, in place. Both fields lie outside the
 * CRC. With LogAppendTime the max timestamp becomes `appendTimeMs` and the timestamp-type bit is
 * set; those bytes are under the CRC, so it is recomputed (as Kafka's setMaxTimestamp does).
 */
export function stampAsLeader(
  records: Buffer,
  batches: readonly IncomingBatch[],
  firstOffset: number,
  leaderEpoch: number,
  logAppendTimeMs: number | null,
): LeaderStamp {
  let next = firstOffset;
  let maxTimestamp = -1;
  const stamped: SegmentBatch[] = [];
  for (const { start, size, header } of batches) {
    records.writeBigInt64BE(BigInt(next), start + BATCH_OFFSETS.baseOffset);
    records.writeInt32BE(leaderEpoch, start + BATCH_OFFSETS.partitionLeaderEpoch);
    let batchMax = Number(header.maxTimestamp);
    if (logAppendTimeMs !== null) {
      records.writeInt16BE(header.attributes | ATTR_LOG_APPEND_TIME, start + BATCH_OFFSETS.attributes);
      records.writeBigInt64BE(BigInt(logAppendTimeMs), start + BATCH_OFFSETS.maxTimestamp);
      const crc = crc32c(records.subarray(start + BATCH_OFFSETS.attributes, start + size));
      records.writeUInt32BE(crc, start + BATCH_OFFSETS.crc);
      batchMax = logAppendTimeMs;
    }
    maxTimestamp = Math.max(maxTimestamp, batchMax);
    stamped.push({ start, size, baseOffset: next, lastOffset: next + header.lastOffsetDelta, maxTimestamp: batchMax });
    next += header.lastOffsetDelta + 1;
  }
  return { batches: stamped, lastOffset: next - 1, maxTimestamp };
}

/** A follower's batches keep the offsets and timestamps the leader gave them. */
export function placeFollowerBatches(batches: readonly IncomingBatch[]): SegmentBatch[] {
  return batches.map(({ start, size, header }) => {
    const baseOffset = Number(header.baseOffset);
    return { start, size, baseOffset, lastOffset: baseOffset + header.lastOffsetDelta, maxTimestamp: Number(header.maxTimestamp) };
  });
}
