import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '@tributary/common';
import { CompressionCodec } from '@tributary/protocol';
import { cleanableCount, cleanedCount, dirtyRatio, groupSegments } from './compaction-plan.js';
import { CompactionMap } from './compaction-map.js';
import { resolveLogConfig, type LogConfig } from './log-config.js';
import { PartitionLog } from './partition-log.js';
import { batchesOf, unwrap } from './testing/batches.js';
import { checkCompactedFiles, keyedBatch, latestValues, readRecords, type KeyedRecord } from './testing/compaction-support.js';
import { ManualClock } from './testing/manual-clock.js';

const DIR = '/data/c-0';
const HOUR = 60 * 60 * 1000;

async function openLog(config: Partial<LogConfig> = {}, fs = new MemoryFileSystem(), clock = new ManualClock()) {
  if (!(await fs.exists('/data'))) await fs.mkdir('/data');
  const log = unwrap(await PartitionLog.open({ dir: DIR, fs, clock, config: { cleanupPolicy: 'compact', segmentBytes: 600, indexIntervalBytes: 100, ...config } }));
  return { log, fs, clock };
}

async function put(log: PartitionLog, clock: ManualClock, records: readonly KeyedRecord[], compression = CompressionCodec.None) {
  return unwrap(await log.appendAsLeader(await keyedBatch(records, clock.nowMs(), compression), { leaderEpoch: 0 }));
}

test('the latest value of each key stays at its offset; null keys stay; the next offset is unchanged', async () => {
  const { log, clock, fs } = await openLog();
  const written: Array<KeyedRecord & { offset: number }> = [];
  for (let i = 0; i < 60; i++) {
    const records = [{ key: `k${i % 7}`, value: `v${i}` }, { key: i % 10 === 0 ? null : `k${(i * 3) % 7}`, value: `w${i}` }];
    const info = await put(log, clock, records);
    records.forEach((r, j) => written.push({ ...r, offset: info.baseOffset + j }));
  }
  unwrap(await log.roll());
  const end = log.logEndOffset;
  const segmentsBefore = log.segmentCount;
  const stats = unwrap(await log.compact());
  assert.equal(stats.outcome, 'compacted');
  assert.ok(stats.recordsRemoved > 0 && stats.bytesAfter < stats.bytesBefore);
  assert.equal(stats.segmentsWritten, segmentsBefore - 1, 'full segments are not merged before they are cleaned');
  const again = unwrap(await log.compact());
  assert.equal(again.recordsRemoved, 0, 'a second compaction finds nothing more');
  assert.ok(log.segmentCount < segmentsBefore, `small cleaned segments merged: ${segmentsBefore} -> ${log.segmentCount}`);
  assert.equal(log.logEndOffset, end);
  const stored = await readRecords(log);
  const expected = written.filter((r, i) => r.key === null || !written.slice(i + 1).some((later) => later.key === r.key));
  assert.deepEqual(stored.map((r) => [r.offset, r.key, r.value]), expected.map((r) => [r.offset, r.key, r.value]));
  assert.equal(stored.filter((r) => r.key === null).length, 6, 'null keys kept');
  assert.equal((await put(log, clock, [{ key: 'k0', value: 'after' }])).baseOffset, end, 'the next offset is the old log end');
  unwrap(await log.close());
  await checkCompactedFiles(fs, DIR);
  const reopened = (await openLog({}, fs, clock)).log;
  assert.deepEqual(latestValues(await readRecords(reopened)), latestValues([...written, { key: 'k0', value: 'after' }]));
  unwrap(await reopened.close());
});

test('tombstones stay until deleteRetentionMs after their batch, then go with every older record of their key', async () => {
  const { log, clock } = await openLog({ deleteRetentionMs: HOUR });
  await put(log, clock, [{ key: 'a', value: '1' }, { key: 'b', value: '1' }]);
  await put(log, clock, [{ key: 'a', value: null }]);
  await put(log, clock, [{ key: 'c', value: '1' }]);
  unwrap(await log.roll());
  await put(log, clock, [{ key: 'z', value: 'active' }]);
  clock.advance(HOUR - 1);
  unwrap(await log.compact());
  assert.deepEqual((await readRecords(log)).map((r) => [r.offset, r.key, r.value]), [[1, 'b', '1'], [2, 'a', null], [3, 'c', '1'], [4, 'z', 'active']]);
  clock.advance(2);
  const stats = unwrap(await log.compact());
  assert.equal(stats.tombstonesRemoved, 1);
  assert.deepEqual((await readRecords(log)).map((r) => [r.offset, r.key, r.value]), [[1, 'b', '1'], [3, 'c', '1'], [4, 'z', 'active']]);
  unwrap(await log.close());
});

test('compressed batches are rewritten with their own codec, every codec', async () => {
  const codecs = [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd];
  const { log, clock, fs } = await openLog({ segmentBytes: 100_000 });
  for (const [i, codec] of codecs.entries()) {
    await put(log, clock, [{ key: 'shared', value: `s${i}` }, { key: `own${i}`, value: 'x'.repeat(50) }, { key: 'shared', value: `t${i}` }], codec);
  }
  unwrap(await log.roll());
  unwrap(await log.compact());
  const stored = await readRecords(log);
  assert.deepEqual(stored.map((r) => [r.offset, r.key, r.value]), [
    ...codecs.map((_, i) => [i * 3 + 1, `own${i}`, 'x'.repeat(50)]).slice(0, 4),
    [13, 'own4', 'x'.repeat(50)],
    [14, 'shared', 't4'],
  ]);
  for (const [i, codec] of codecs.entries()) assert.equal(stored.find((r) => r.key === `own${i}`)!.compression, codec, `codec ${codec}`);
  const batches = batchesOf(unwrap(await log.read(0, { maxBytes: 1 << 20 })).records);
  assert.deepEqual(batches.map((b) => [b.baseOffset, b.lastOffset]), codecs.map((_, i) => [i * 3, i * 3 + 2]), 'base offsets and last offset deltas kept');
  unwrap(await log.close());
  await checkCompactedFiles(fs, DIR);
});

test('a read at any offset, gaps included, returns the batches from the first one reaching it', async () => {
  const { log, clock } = await openLog({ segmentBytes: 300 });
  for (let i = 0; i < 40; i++) await put(log, clock, [{ key: `k${i % 3}`, value: `v${i}` }, { key: `u${i}`, value: i % 4 === 0 ? null : 'u' }]);
  unwrap(await log.roll());
  clock.advance(48 * HOUR);
  unwrap(await log.compact());
  const kept = await readRecords(log);
  for (let offset = log.logStartOffset; offset < log.logEndOffset; offset++) {
    const batches = batchesOf(unwrap(await log.read(offset, { maxBytes: 1 })).records);
    const next = kept.find((r) => r.offset >= offset);
    assert.equal(batches[0]?.baseOffset, next?.batchBaseOffset, `read at ${offset}`);
  }
  unwrap(await log.close());
});

test('truncating into a compacted segment, and reopening cleanly or not, keeps what was kept', async () => {
  const { log, clock, fs } = await openLog({ segmentBytes: 400 });
  for (let i = 0; i < 30; i++) await put(log, clock, [{ key: `k${i % 4}`, value: `v${i}` }]);
  unwrap(await log.roll());
  unwrap(await log.compact());
  const kept = await readRecords(log);
  assert.deepEqual(kept.map((r) => r.offset), [26, 27, 28, 29]);
  assert.equal(unwrap(await log.truncateTo(28)), 28);
  assert.deepEqual((await readRecords(log)).map((r) => r.offset), [26, 27]);
  await put(log, clock, [{ key: 'k0', value: 'new' }]);
  const unclean = (await openLog({ segmentBytes: 400 }, fs, clock)).log;
  assert.deepEqual((await readRecords(unclean)).map((r) => [r.offset, r.value]), [[26, 'v26'], [27, 'v27'], [28, 'new']]);
  unwrap(await unclean.close());
  await checkCompactedFiles(fs, DIR);
  void log;
});

test('a small key map cleans a prefix per compaction; repeated compactions reach the full result', async () => {
  const { log, clock } = await openLog({ segmentBytes: 500, compactionMapBytesMax: 5 * 70 });
  const written: KeyedRecord[] = [];
  for (let i = 0; i < 80; i++) {
    const record = { key: `key-${i % 20}`, value: `v${i}` };
    written.push(record);
    await put(log, clock, [record]);
  }
  unwrap(await log.roll());
  let rounds = 0;
  let first = unwrap(await log.compact());
  assert.ok(first.mapKeys <= 5 && first.mapEndOffset < log.logEndOffset, `bounded map: ${first.mapKeys} keys to ${first.mapEndOffset}`);
  while (log.dirtyRatio > 0 && rounds++ < 50) first = unwrap(await log.compact());
  assert.ok(rounds < 50);
  assert.deepEqual(latestValues(await readRecords(log)), latestValues(written));
  assert.ok((await readRecords(log)).length <= 20 + 5, 'close to one record per key');
  unwrap(await log.close());
});

test('needsCompaction follows the policy and the dirty ratio; retention deletes nothing under compact', async () => {
  const { log, clock } = await openLog({ minCleanableDirtyRatio: 0.5, retentionMs: 1 });
  assert.equal(log.needsCompaction(), false, 'nothing sealed');
  for (let i = 0; i < 30; i++) await put(log, clock, [{ key: `k${i % 2}`, value: `v${i}` }]);
  unwrap(await log.roll());
  assert.equal(log.dirtyRatio, 1);
  assert.ok(log.needsCompaction());
  clock.advance(10 * HOUR);
  assert.equal(unwrap(await log.enforceRetention()), 0);
  unwrap(await log.compact());
  assert.equal(log.dirtyRatio, 0);
  assert.equal(log.needsCompaction(), false);
  unwrap(await log.close());
  const del = await openLog({ cleanupPolicy: 'delete' });
  for (let i = 0; i < 30; i++) await put(del.log, del.clock, [{ key: 'k', value: `v${i}` }]);
  assert.equal(del.log.needsCompaction(), false);
  unwrap(await del.log.close());
});

test('minCompactionLagMs keeps recent segments out of compaction', async () => {
  const { log, clock } = await openLog({ minCompactionLagMs: HOUR });
  for (let i = 0; i < 20; i++) await put(log, clock, [{ key: 'k', value: `v${i}` }]);
  unwrap(await log.roll());
  assert.equal(unwrap(await log.compact()).outcome, 'nothing-to-clean');
  clock.advance(HOUR);
  assert.equal(unwrap(await log.compact()).outcome, 'compacted');
  assert.deepEqual((await readRecords(log)).map((r) => r.value), ['v19']);
  unwrap(await log.close());
});

test('a batch emptied by compaction that ends the log is kept (its producer state)', async () => {
  const { log, clock } = await openLog({ deleteRetentionMs: 0 });
  await put(log, clock, [{ key: 'a', value: '1' }]);
  await put(log, clock, [{ key: 'a', value: null }]);
  unwrap(await log.roll());
  clock.advance(1);
  unwrap(await log.compact());
  assert.deepEqual((await readRecords(log)).map((r) => [r.offset, r.value]), [[1, null]]);
  await put(log, clock, [{ key: 'b', value: '1' }]);
  unwrap(await log.roll());
  unwrap(await log.compact());
  assert.deepEqual((await readRecords(log)).map((r) => [r.offset, r.key]), [[2, 'b']]);
  unwrap(await log.close());
});

test('a truncation during a compaction interrupts it; nothing is left behind', async () => {
  const { log, clock, fs } = await openLog();
  for (let i = 0; i < 40; i++) await put(log, clock, [{ key: `k${i % 3}`, value: `v${i}` }]);
  unwrap(await log.roll());
  const compacting = log.compact();
  unwrap(await log.truncateTo(30));
  assert.equal(unwrap(await compacting).outcome, 'interrupted');
  assert.ok(!(await fs.readdir(DIR)).some((n) => n.includes('cleaned') || n.includes('swap')));
  assert.equal(log.logEndOffset, 30);
  assert.equal((await readRecords(log)).length, 30);
  unwrap(await log.roll());
  assert.equal(unwrap(await log.compact()).outcome, 'compacted');
  assert.deepEqual((await readRecords(log)).map((r) => r.value), ['v27', 'v28', 'v29']);
  unwrap(await log.close());
});

test('config: the compaction settings are checked', () => {
  assert.equal(resolveLogConfig().cleanupPolicy, 'delete');
  assert.equal(resolveLogConfig().deleteRetentionMs, 24 * HOUR);
  assert.equal(resolveLogConfig().minCleanableDirtyRatio, 0.5);
  assert.equal(resolveLogConfig().minCompactionLagMs, 0);
  assert.throws(() => resolveLogConfig({ cleanupPolicy: 'delete,compact' as never }));
  assert.throws(() => resolveLogConfig({ deleteRetentionMs: -1 }));
  assert.throws(() => resolveLogConfig({ minCleanableDirtyRatio: 1.5 }));
  assert.throws(() => resolveLogConfig({ minCompactionLagMs: 0.5 }));
  assert.throws(() => resolveLogConfig({ compactionMapBytesMax: 0 }));
  assert.equal(resolveLogConfig({ cleanupPolicy: 'compact,delete' }).cleanupPolicy, 'compact,delete');
});

test('planning: cleanable prefix, map reach, groups, dirty ratio; the map bound', () => {
  const seg = (baseOffset: number, endOffset: number, size: number, largestTimestamp = 0) => ({ baseOffset, endOffset, size, largestTimestamp });
  const segments = [seg(0, 10, 100, 5), seg(10, 20, 100, 50), seg(20, 30, 100, 5)];
  assert.equal(cleanableCount(segments, 100, 0), 3);
  assert.equal(cleanableCount(segments, 100, 60), 1, 'stops at the first recent segment');
  assert.equal(cleanedCount(segments, 0, 30), 3);
  assert.equal(cleanedCount(segments, 0, 25), 2, 'whole segments up to the map end');
  assert.equal(cleanedCount(segments, 20, 25), 3, 'the partial one when no whole dirty segment fits');
  assert.equal(cleanedCount(segments, 0, 5), 1);
  assert.deepEqual(groupSegments(segments, 250), [{ from: 0, to: 2 }, { from: 2, to: 3 }]);
  assert.deepEqual(groupSegments(segments, 50), [{ from: 0, to: 1 }, { from: 1, to: 2 }, { from: 2, to: 3 }]);
  assert.deepEqual(dirtyRatio(segments, 20), { ratio: 1 / 3, dirtyBytes: 100 });
  const map = new CompactionMap(2 * 64 + 2);
  assert.ok(map.put(Buffer.from('a'), 1) && map.put(Buffer.from('b'), 2) && map.put(Buffer.from('a'), 3));
  assert.equal(map.put(Buffer.from('c'), 4), false, 'a new key past the bound');
  assert.equal(map.get(Buffer.from('a')), 3);
  assert.ok(new CompactionMap(1).put(Buffer.from('big key'), 0), 'the first key always fits');
});
