/**
 * Which records a compaction keeps, and rewriting one batch with only those.
 *
 * A record at offset o with key k is dropped when:
 *  - the map holds a later offset for k (superseded: that later record is kept, see below), or
 *  - it is a tombstone (null value), o is below `mapEndOffset`, and its batch's max timestamp is
 *    more than deleteRetentionMs before now (`tombstoneHorizonMs`).
 * Everything else is kept: records with a null key (Kafka refuses them in compacted topics; this
 * log keeps them), control batches (whole, untouched), records the map cannot speak for.
 *
 * Why this never loses a key's latest value: the map's entry for k is the largest offset seen for
 * k, and that record is never dropped as superseded. A tombstone is dropped only below the map's
 * end, where every key met since the first dirty offset is in the map: if k is in the map, every
 * earlier record of k goes too; if k is not, the tombstone lies in the clean part, which a previous
 * compaction left with one record per key, so nothing older of k remains to resurface.
 *
 * The tombstone delay counts from the batch's max timestamp (the broker's time with LogAppendTime,
 * the producer's with CreateTime): a producer whose clock runs behind shortens it. Kafka (KIP-534)
 * instead stamps a delete horizon into the batch the first time it is cleaned; the difference is
 * only when the delay starts.
 *
 * Rewritten batches keep their base offset, last offset delta (so the next offset stays right),
 * base timestamp, producer id/epoch/base sequence, leader epoch and attributes, codec included;
 * the kept records keep their offset and timestamp deltas. The max timestamp is recomputed from
 * the kept records with CreateTime (as Kafka does) and kept with LogAppendTime. A batch whose
 * records are all kept is kept byte for byte.
 */
import { err, ok, type Result } from '@tributary/common';
import { TimestampType, decodeRecordBatch, encodeRecordBatch, type Record, type RecordBatchHeader, type RecordDecodeError } from '@tributary/protocol';
import type { CompactionMap } from './compaction-map.js';

export interface CleaningRules {
  readonly map: CompactionMap;
  /** Below this offset every keyed record since the first dirty offset has its key in `map`. */
  readonly mapEndOffset: number;
  /** Tombstones in batches whose max timestamp is below this are dropped (now - deleteRetentionMs). */
  readonly tombstoneHorizonMs: number;
}

export type CleanedBatch =
  /** Every record kept (or a control batch): the original bytes. */
  | { readonly kind: 'unchanged' }
  /** No record kept. */
  | { readonly kind: 'emptied'; readonly records: number; readonly tombstones: number }
  | { readonly kind: 'rewritten'; readonly bytes: Buffer; readonly records: number; readonly tombstones: number };

/** Whether the record at `offset` stays, per the rules above; `expired` says its batch is past the tombstone horizon. */
export function keepsRecord(rules: CleaningRules, record: Record, offset: number, expired: boolean): boolean {
  if (record.key === null) return true;
  const latest = rules.map.get(record.key);
  if (latest !== undefined && latest > offset) return false;
  return !(record.value === null && expired && offset < rules.mapEndOffset);
}

/** Cleans one CRC-checked stored batch. A batch that will not decode is an error (the caller stops: it cannot tell what it holds). */
export async function cleanBatch(bytes: Buffer, header: RecordBatchHeader, rules: CleaningRules): Promise<Result<CleanedBatch, RecordDecodeError>> {
  if (header.isControl) return ok({ kind: 'unchanged' });
  const decoded = await decodeRecordBatch(bytes);
  if (!decoded.ok) return err(decoded.error);
  const batch = decoded.value;
  const baseOffset = Number(batch.baseOffset);
  const expired = Number(batch.maxTimestamp) < rules.tombstoneHorizonMs;
  const kept: Record[] = [];
  let tombstones = 0;
  for (const record of batch.records) {
    if (keepsRecord(rules, record, baseOffset + record.offsetDelta, expired)) kept.push(record);
    else if (record.value === null) tombstones++;
  }
  const removed = batch.records.length - kept.length;
  if (removed === 0) return ok({ kind: 'unchanged' });
  if (kept.length === 0) return ok({ kind: 'emptied', records: removed, tombstones });
  const rewritten = await encodeRecordBatch(
    {
      baseOffset: batch.baseOffset,
      partitionLeaderEpoch: batch.partitionLeaderEpoch,
      timestampType: batch.timestampType,
      isTransactional: batch.isTransactional,
      isControl: batch.isControl,
      baseTimestamp: batch.baseTimestamp,
      maxTimestamp: batch.timestampType === TimestampType.LogAppendTime ? batch.maxTimestamp : undefined,
      lastOffsetDelta: batch.lastOffsetDelta,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      records: kept,
    },
    { compression: batch.compression },
  );
  return ok({ kind: 'rewritten', bytes: rewritten, records: removed, tombstones });
}
