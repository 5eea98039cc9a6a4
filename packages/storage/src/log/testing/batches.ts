/**
 * Test support: producer batches (as a client sends them: offset 0, epoch -1) and helpers to read
 * a records blob back. Not exported from the package.
 */
import { encodeRecordBatch, splitBatches, type Record } from '@tributary/protocol';

export interface BatchSpec {
  /** Records in the batch; default 1. */
  readonly records?: number;
  /** Bytes of each record value; default 16. */
  readonly valueBytes?: number;
  /** The first record's timestamp; each next record is 1 ms later. Default 1_700_000_000_000. */
  readonly timestamp?: number;
  /** Varies the values' bytes. */
  readonly seed?: number;
}

export const BASE_TIMESTAMP = 1_700_000_000_000;

export function producerBatch(spec: BatchSpec = {}): Promise<Buffer> {
  const count = spec.records ?? 1;
  const valueBytes = spec.valueBytes ?? 16;
  const seed = spec.seed ?? 0;
  const records: Record[] = Array.from({ length: count }, (_, i) => ({
    attributes: 0,
    timestampDelta: i,
    offsetDelta: i,
    key: null,
    value: Buffer.alloc(valueBytes, (seed + i) & 0xff),
    headers: [],
  }));
  return encodeRecordBatch({ baseTimestamp: BigInt(spec.timestamp ?? BASE_TIMESTAMP), records });
}

export interface BatchView {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly leaderEpoch: number;
  readonly maxTimestamp: number;
  readonly bytes: Buffer;
}

/** The whole batches of a records blob (throws on anything else: test code). */
export function batchesOf(records: Buffer): BatchView[] {
  const split = splitBatches(records);
  if (!split.ok) throw split.error;
  if (split.value.partialBytes !== 0) throw new Error(`${split.value.partialBytes} partial bytes`);
  return split.value.batches.map(({ header, bytes }) => ({
    baseOffset: Number(header.baseOffset),
    lastOffset: Number(header.baseOffset) + header.lastOffsetDelta,
    leaderEpoch: header.partitionLeaderEpoch,
    maxTimestamp: Number(header.maxTimestamp),
    bytes,
  }));
}

export function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!result.ok) throw result.error;
  return result.value;
}
