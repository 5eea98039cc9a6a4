/**
 * The record-level step of a timestamp lookup (ListOffsets): in the first batch whose max
 * timestamp reaches the target, the first record at or after the log start whose timestamp does.
 * This is the one place the log decodes records (decompressing them when needed).
 */
import { BATCH_OFFSETS, TimestampType, decodeRecordBatch } from '@tributary/protocol';

export interface OffsetAndTimestamp {
  readonly offset: number;
  readonly timestamp: number;
}

export async function firstRecordAtOrAfter(batch: Buffer, timestamp: number, startOffset: number): Promise<OffsetAndTimestamp> {
  const decoded = await decodeRecordBatch(batch);
  const fallbackOffset = Math.max(Number(batch.readBigInt64BE(BATCH_OFFSETS.baseOffset)), startOffset);
  // The batch passed its CRC, so this is a producer's inconsistent batch (records that do not
  // decode, or a max timestamp no record has): answer with the batch itself, as the header says.
  if (!decoded.ok) return { offset: fallbackOffset, timestamp: Number(batch.readBigInt64BE(BATCH_OFFSETS.maxTimestamp)) };
  const { baseOffset, baseTimestamp, maxTimestamp, timestampType, records } = decoded.value;
  for (const record of records) {
    const offset = Number(baseOffset) + record.offsetDelta;
    // With LogAppendTime every record carries the batch's (append) time.
    const recordTimestamp = timestampType === TimestampType.LogAppendTime ? Number(maxTimestamp) : Number(baseTimestamp) + record.timestampDelta;
    if (offset >= startOffset && recordTimestamp >= timestamp) return { offset, timestamp: recordTimestamp };
  }
  return { offset: fallbackOffset, timestamp: Number(maxTimestamp) };
}
