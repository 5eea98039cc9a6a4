/**
 * Test support for compaction: keyed batches, reading a log back as records, and checking a
 * compacted log's files directly (check-log-files.ts requires contiguous offsets; compaction
 * leaves gaps, so here offsets need only increase).
 */
import assert from 'node:assert/strict';
import type { FileSystem } from '@tributary/common';
import { CompressionCodec, TimestampType, decodeRecordBatch, encodeRecordBatch, verifyBatchCrc, type Record } from '@tributary/protocol';
import type { PartitionLog } from '../partition-log.js';
import { batchesOf, unwrap } from './batches.js';

export interface KeyedRecord {
  readonly key: string | null;
  /** null: a tombstone. */
  readonly value: string | null;
}

export function keyedBatch(records: readonly KeyedRecord[], timestamp: number, compression = CompressionCodec.None): Promise<Buffer> {
  const encoded: Record[] = records.map((r, i) => ({
    attributes: 0,
    timestampDelta: i,
    offsetDelta: i,
    key: r.key === null ? null : Buffer.from(r.key),
    value: r.value === null ? null : Buffer.from(r.value),
    headers: [],
  }));
  return encodeRecordBatch({ baseTimestamp: BigInt(timestamp), records: encoded }, { compression });
}

export interface StoredRecord extends KeyedRecord {
  readonly offset: number;
  readonly batchBaseOffset: number;
  readonly compression: CompressionCodec;
  readonly timestampType: TimestampType;
}

/** Every record from the log start to the end, read the way a consumer does (across gaps). */
export async function readRecords(log: PartitionLog): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let offset = log.logStartOffset;
  // Each round moves past at least one batch (asserted), so it ends.
  while (offset < log.logEndOffset) {
    const batches = batchesOf(unwrap(await log.read(offset, { maxBytes: 1 << 20 })).records);
    assert.ok(batches.length > 0, `a read at ${offset} (end ${log.logEndOffset}) makes progress`);
    for (const batch of batches) {
      assert.ok(batch.lastOffset >= offset, `batch ${batch.baseOffset}-${batch.lastOffset} holds offsets from ${offset}`);
      const decoded = unwrap(await decodeRecordBatch(batch.bytes));
      for (const record of decoded.records) {
        const recordOffset = batch.baseOffset + record.offsetDelta;
        if (recordOffset < log.logStartOffset) continue;
        out.push({
          offset: recordOffset,
          batchBaseOffset: batch.baseOffset,
          key: record.key === null ? null : record.key.toString(),
          value: record.value === null ? null : record.value.toString(),
          compression: decoded.compression,
          timestampType: decoded.timestampType,
        });
      }
      offset = batch.lastOffset + 1;
    }
  }
  return out;
}

/** The latest value per key (tombstoned keys absent), null keys aside. */
export function latestValues(records: readonly KeyedRecord[]): Map<string, string> {
  const latest = new Map<string, string | null>();
  for (const r of records) if (r.key !== null) latest.set(r.key, r.value);
  return new Map([...latest].filter((e): e is [string, string] => e[1] !== null));
}

/**
 * A closed (or quiet) log's files: whole CRC-valid batches with increasing offsets inside each
 * segment's range [base, next base); offset-index entries naming batch starts; time-index entries
 * naming the first batch to reach their (increasing) timestamps. No compaction leftovers.
 */
export async function checkCompactedFiles(fs: FileSystem, dir: string): Promise<void> {
  const names = await fs.readdir(dir);
  assert.ok(!names.some((n) => /\.(cleaned|swap|deleted)$/.test(n)), `leftovers: ${names.join()}`);
  const bases = names.filter((n) => /^\d{20}\.log$/.test(n)).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
  let previousEnd = -1;
  for (const [i, base] of bases.entries()) {
    const name = String(base).padStart(20, '0');
    const batches = batchesOf(await fs.readFile(`${dir}/${name}.log`));
    const starts = new Map<number, { position: number; index: number }>();
    let position = 0;
    for (const [j, batch] of batches.entries()) {
      assert.ok(verifyBatchCrc(batch.bytes).ok, `CRC of batch ${batch.baseOffset}`);
      assert.ok(batch.baseOffset > previousEnd && batch.baseOffset >= base, `offsets increase at ${batch.baseOffset} in ${name}`);
      if (i + 1 < bases.length) assert.ok(batch.lastOffset < bases[i + 1], `batch ${batch.baseOffset} within segment ${name}`);
      starts.set(batch.baseOffset, { position, index: j });
      position += batch.bytes.length;
      previousEnd = batch.lastOffset;
    }
    const index = await fs.readFile(`${dir}/${name}.index`);
    for (let at = 0; at < index.length; at += 8) {
      const offset = base + index.readInt32BE(at);
      assert.equal(starts.get(offset)?.position, index.readInt32BE(at + 4), `${name}.index entry ${offset} names a batch start`);
    }
    const time = await fs.readFile(`${dir}/${name}.timeindex`);
    let previous = -Infinity;
    for (let at = 0; at < time.length; at += 12) {
      const timestamp = Number(time.readBigInt64BE(at));
      const start = starts.get(base + time.readInt32BE(at + 8));
      assert.ok(start && timestamp > previous, `${name}.timeindex entry at ${at}`);
      assert.equal(batches[start.index].maxTimestamp, timestamp, `${name}.timeindex entry names the batch reaching ${timestamp}`);
      previous = timestamp;
    }
  }
}
