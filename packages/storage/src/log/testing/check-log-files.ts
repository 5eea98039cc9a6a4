/**
 * Test support: checks a closed log's files directly, without the log's code: every `.log` holds
 * whole CRC-valid batches with offsets running on from segment to segment; every `.index` entry
 * names a batch start (base offset and position); every `.timeindex` entry names the first batch
 * reaching its timestamp, with timestamps increasing. Throws (assert) on any mismatch.
 */
import assert from 'node:assert/strict';
import type { FileSystem } from '@tributary/common';
import { verifyBatchCrc } from '@tributary/protocol';
import { batchesOf } from './batches.js';

export interface LogFilesSummary {
  readonly segments: number;
  readonly batches: number;
  /** The offset after the last batch (null when there is none). */
  readonly endOffset: number | null;
}

export async function checkLogFiles(fs: FileSystem, dir: string): Promise<LogFilesSummary> {
  const bases = (await fs.readdir(dir)).filter((n) => /^\d{20}\.log$/.test(n)).map((n) => n.slice(0, 20)).sort();
  let expected: number | null = null;
  let batchCount = 0;
  for (const base of bases) {
    const baseOffset = Number(base);
    const log = await fs.readFile(`${dir}/${base}.log`);
    const batches = batchesOf(log);
    if (expected !== null && batches.length > 0) assert.equal(baseOffset, expected, `segment ${base} does not continue the log`);
    const starts = new Map<number, { position: number; maxTimestamp: number; index: number }>();
    let position = 0;
    let next = baseOffset;
    for (const [i, batch] of batches.entries()) {
      assert.ok(verifyBatchCrc(batch.bytes).ok, `CRC of batch ${batch.baseOffset} in ${base}`);
      assert.equal(batch.baseOffset, next, `offsets continue in ${base}`);
      starts.set(batch.baseOffset, { position, maxTimestamp: batch.maxTimestamp, index: i });
      position += batch.bytes.length;
      next = batch.lastOffset + 1;
    }
    checkOffsetIndex(await fs.readFile(`${dir}/${base}.index`), baseOffset, starts, base);
    checkTimeIndex(await fs.readFile(`${dir}/${base}.timeindex`), baseOffset, starts, batches.map((b) => b.maxTimestamp), base);
    if (batches.length > 0) expected = next;
    batchCount += batches.length;
  }
  return { segments: bases.length, batches: batchCount, endOffset: expected };
}

function checkOffsetIndex(bytes: Buffer, baseOffset: number, starts: Map<number, { position: number }>, base: string): void {
  assert.equal(bytes.length % 8, 0, `${base}.index holds whole entries`);
  let previous = -1;
  for (let at = 0; at < bytes.length; at += 8) {
    const offset = baseOffset + bytes.readInt32BE(at);
    const position = bytes.readInt32BE(at + 4);
    assert.ok(offset > previous, `${base}.index offsets increase`);
    assert.equal(starts.get(offset)?.position, position, `${base}.index entry ${offset} -> ${position} names a batch start`);
    previous = offset;
  }
}

function checkTimeIndex(bytes: Buffer, baseOffset: number, starts: Map<number, { index: number }>, maxTimestamps: number[], base: string): void {
  assert.equal(bytes.length % 12, 0, `${base}.timeindex holds whole entries`);
  let previous = -Infinity;
  for (let at = 0; at < bytes.length; at += 12) {
    const timestamp = Number(bytes.readBigInt64BE(at));
    const offset = baseOffset + bytes.readInt32BE(at + 8);
    assert.ok(timestamp > previous, `${base}.timeindex timestamps increase`);
    const start = starts.get(offset);
    assert.ok(start, `${base}.timeindex entry ${offset} names a batch start`);
    assert.equal(maxTimestamps[start.index], timestamp, `${base}.timeindex: batch ${offset} reaches ${timestamp}`);
    assert.ok(maxTimestamps.slice(0, start.index).every((t) => t < timestamp), `${base}.timeindex: ${offset} is the first to reach ${timestamp}`);
    previous = timestamp;
  }
}
