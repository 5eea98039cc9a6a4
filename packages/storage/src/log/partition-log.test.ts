import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '@tributary/common';
import { TimestampType, verifyBatchCrc } from '@tributary/protocol';
import type { LogConfig } from './log-config.js';
import { InvalidBatchError, LogClosedError, OffsetOutOfRangeError, UnexpectedAppendOffsetError } from './log-errors.js';
import { PartitionLog } from './partition-log.js';
import { BASE_TIMESTAMP, batchesOf, producerBatch, unwrap } from './testing/batches.js';
import { ManualClock } from './testing/manual-clock.js';

const DIR = '/data/topic-0';

async function openLog(config: Partial<LogConfig> = {}, fs = new MemoryFileSystem(), clock = new ManualClock()) {
  await fs.mkdir('/data');
  const log = unwrap(await PartitionLog.open({ dir: DIR, fs, clock, config }));
  return { log, fs, clock };
}

async function readAll(log: PartitionLog): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = log.logStartOffset;
  // Bounded: each read returns at least one batch until the end.
  while (offset < log.logEndOffset) {
    const { records } = unwrap(await log.read(offset, { maxBytes: 1 << 20 }));
    assert.ok(records.length > 0, `no progress at ${offset}`);
    parts.push(records);
    offset = batchesOf(records).at(-1)!.lastOffset + 1;
  }
  return Buffer.concat(parts);
}

test('a new log starts empty, with a 20-digit-named first segment', async () => {
  const { log, fs } = await openLog();
  assert.equal(log.logStartOffset, 0);
  assert.equal(log.logEndOffset, 0);
  const names = (await fs.readdir(DIR)).sort();
  assert.deepEqual(names, ['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex']);
  const read = unwrap(await log.read(0, { maxBytes: 1000 }));
  assert.equal(read.records.length, 0);
  unwrap(await log.close());
});

test('leader appends get offsets from the log end and the leader epoch; reads return the stored bytes', async () => {
  const { log } = await openLog();
  const first = await producerBatch({ records: 3 });
  const info = unwrap(await log.appendAsLeader(first, { leaderEpoch: 7 }));
  assert.deepEqual(info, { baseOffset: 0, lastOffset: 2, logAppendTimeMs: -1, maxTimestamp: BASE_TIMESTAMP + 2 });
  const second = Buffer.concat([await producerBatch({ records: 2, seed: 1 }), await producerBatch({ records: 1, seed: 2 })]);
  const info2 = unwrap(await log.appendAsLeader(second, { leaderEpoch: 8 }));
  assert.equal(info2.baseOffset, 3);
  assert.equal(info2.lastOffset, 5);
  assert.equal(log.logEndOffset, 6);
  assert.equal(log.durableEndOffset, 6, 'every-append: durable on acknowledgement');

  const stored = batchesOf(await readAll(log));
  assert.deepEqual(stored.map((b) => [b.baseOffset, b.lastOffset, b.leaderEpoch]), [[0, 2, 7], [3, 4, 8], [5, 5, 8]]);
  assert.deepEqual(Buffer.concat(stored.map((b) => b.bytes)), Buffer.concat([first, second]), 'stored exactly as stamped');
  for (const batch of stored) assert.ok(verifyBatchCrc(batch.bytes).ok, 'the stamped fields lie outside the CRC');
  unwrap(await log.close());
});

test('invalid appends are refused with a typed error and leave the log unchanged', async () => {
  const { log } = await openLog();
  const good = await producerBatch({ records: 2 });
  const badCrc = Buffer.from(good);
  badCrc[badCrc.length - 1] ^= 0xff;
  const noRecords = await (async () => {
    const { encodeRecordBatch } = await import('@tributary/protocol');
    return encodeRecordBatch({ baseTimestamp: 0n, records: [] });
  })();
  const badMagic = Buffer.from(good);
  badMagic[16] = 1;
  const cases: Array<[string, Buffer, string]> = [
    ['crc', badCrc, 'corrupt'],
    ['partial', good.subarray(0, good.length - 3), 'corrupt'],
    ['empty blob', Buffer.alloc(0), 'invalid'],
    ['no records', noRecords, 'invalid'],
    ['magic 1', badMagic, 'corrupt'],
  ];
  for (const [name, records, kind] of cases) {
    const result = await log.appendAsLeader(records, { leaderEpoch: 0 });
    assert.ok(!result.ok && result.error instanceof InvalidBatchError, name);
    assert.equal(result.error.kind, kind, name);
  }
  const tooBig = await openLog({ maxBatchBytes: 100 });
  const refused = await tooBig.log.appendAsLeader(await producerBatch({ valueBytes: 200 }), { leaderEpoch: 0 });
  assert.ok(!refused.ok && refused.error instanceof InvalidBatchError && refused.error.kind === 'too-large');
  assert.equal(refused.error.code, 10);
  assert.equal(log.logEndOffset, 0);
  unwrap(await log.close());
  unwrap(await tooBig.log.close());
});

test('reads: out of range, at the end, byte limits at whole batches, minOneBatch, maxOffset, mid-batch offsets', async () => {
  const { log } = await openLog();
  const sizes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const batch = await producerBatch({ records: 2, valueBytes: 100, seed: i });
    sizes.push(batch.length);
    unwrap(await log.appendAsLeader(batch, { leaderEpoch: 0 }));
  }
  const below = await log.read(-1, { maxBytes: 100 });
  assert.ok(!below.ok && below.error instanceof OffsetOutOfRangeError && below.error.code === 1);
  const above = await log.read(11, { maxBytes: 100 });
  assert.ok(!above.ok && above.error instanceof OffsetOutOfRangeError);
  assert.equal(unwrap(await log.read(10, { maxBytes: 100 })).records.length, 0);

  const twoAndABit = sizes[0] + sizes[1] + 10;
  assert.deepEqual(batchesOf(unwrap(await log.read(0, { maxBytes: twoAndABit })).records).map((b) => b.baseOffset), [0, 2]);
  assert.equal(unwrap(await log.read(0, { maxBytes: 10, minOneBatch: false })).records.length, 0);
  assert.deepEqual(batchesOf(unwrap(await log.read(0, { maxBytes: 10 })).records).map((b) => b.baseOffset), [0], 'minOneBatch by default');
  assert.deepEqual(batchesOf(unwrap(await log.read(5, { maxBytes: 1 << 20 })).records).map((b) => b.baseOffset), [4, 6, 8], 'from the batch holding 5');
  assert.deepEqual(batchesOf(unwrap(await log.read(0, { maxBytes: 1 << 20, maxOffset: 6 })).records).map((b) => b.baseOffset), [0, 2, 4]);
  assert.equal(unwrap(await log.read(6, { maxBytes: 1 << 20, maxOffset: 6 })).records.length, 0);
  unwrap(await log.close());
});

test('segments roll by size, by age and when an index fills, and reads cross them', async () => {
  const bySize = await openLog({ segmentBytes: 1000, indexIntervalBytes: 100 });
  for (let i = 0; i < 20; i++) unwrap(await bySize.log.appendAsLeader(await producerBatch({ records: 2, valueBytes: 80, seed: i }), { leaderEpoch: 0 }));
  assert.ok(bySize.log.segmentCount > 3, `${bySize.log.segmentCount} segments`);
  const names = (await bySize.fs.readdir(DIR)).filter((n) => n.endsWith('.log')).sort();
  assert.equal(names.length, bySize.log.segmentCount);
  assert.ok(names.every((n) => /^\d{20}\.log$/.test(n)));
  assert.deepEqual(batchesOf(await readAll(bySize.log)).map((b) => b.baseOffset), Array.from({ length: 20 }, (_, i) => i * 2));
  unwrap(await bySize.log.close());

  const byAge = await openLog({ segmentMs: 1000 });
  unwrap(await byAge.log.appendAsLeader(await producerBatch({ timestamp: byAge.clock.nowMs() }), { leaderEpoch: 0 }));
  byAge.clock.advance(500);
  unwrap(await byAge.log.appendAsLeader(await producerBatch({ timestamp: byAge.clock.nowMs() }), { leaderEpoch: 0 }));
  assert.equal(byAge.log.segmentCount, 1);
  byAge.clock.advance(600);
  unwrap(await byAge.log.appendAsLeader(await producerBatch({ timestamp: byAge.clock.nowMs() }), { leaderEpoch: 0 }));
  assert.equal(byAge.log.segmentCount, 2);
  unwrap(await byAge.log.close());

  const byIndex = await openLog({ segmentIndexBytes: 24, indexIntervalBytes: 1 });
  for (let i = 0; i < 10; i++) unwrap(await byIndex.log.appendAsLeader(await producerBatch({ seed: i }), { leaderEpoch: 0 }));
  assert.ok(byIndex.log.segmentCount >= 3, `${byIndex.log.segmentCount} segments`);
  assert.equal(batchesOf(await readAll(byIndex.log)).length, 10);
  unwrap(await byIndex.log.close());
});

test('follower appends keep offsets and epochs and must continue the log exactly', async () => {
  const leader = await openLog();
  for (let i = 0; i < 4; i++) unwrap(await leader.log.appendAsLeader(await producerBatch({ records: 3, seed: i }), { leaderEpoch: 4 + i }));
  const fetched = unwrap(await leader.log.read(0, { maxBytes: 1 << 20 })).records;
  const batches = batchesOf(fetched);

  const follower = await openLog({}, new MemoryFileSystem());
  const gap = await follower.log.appendAsFollower(batches[1].bytes);
  assert.ok(!gap.ok && gap.error instanceof UnexpectedAppendOffsetError);
  assert.equal(gap.error.expectedOffset, 0);
  assert.equal(unwrap(await follower.log.appendAsFollower(Buffer.concat([batches[0].bytes, batches[1].bytes]))).lastOffset, 5);
  unwrap(await follower.log.appendAsFollower(Buffer.concat([batches[2].bytes, batches[3].bytes])));
  assert.deepEqual(await readAll(follower.log), fetched);
  const notContiguous = await follower.log.appendAsFollower(Buffer.concat([batches[0].bytes, batches[2].bytes]));
  assert.ok(!notContiguous.ok && notContiguous.error instanceof InvalidBatchError);
  unwrap(await leader.log.close());
  unwrap(await follower.log.close());
});

test('LogAppendTime stamps the append time as max timestamp, with a recomputed CRC', async () => {
  const { log, clock } = await openLog({ timestampType: TimestampType.LogAppendTime });
  clock.advance(12345);
  const info = unwrap(await log.appendAsLeader(await producerBatch({ records: 2, timestamp: 5 }), { leaderEpoch: 0 }));
  assert.equal(info.logAppendTimeMs, clock.nowMs());
  assert.equal(info.maxTimestamp, clock.nowMs());
  const [stored] = batchesOf(unwrap(await log.read(0, { maxBytes: 1 << 20 })).records);
  const verified = verifyBatchCrc(stored.bytes);
  assert.ok(verified.ok);
  assert.equal(verified.value.timestampType, TimestampType.LogAppendTime);
  assert.equal(Number(verified.value.maxTimestamp), clock.nowMs());
  unwrap(await log.close());
});

test('offsetForTimestamp finds the earliest record at or after a time, across segments', async () => {
  const { log } = await openLog({ segmentBytes: 600, indexIntervalBytes: 64 });
  // Batch i holds records at 1000*i + 0..3; one out-of-order batch in the middle.
  const stamps = [0, 1000, 2000, 500, 3000, 4000, 5000, 6000];
  for (const [i, t] of stamps.entries()) unwrap(await log.appendAsLeader(await producerBatch({ records: 4, timestamp: t, seed: i }), { leaderEpoch: 0 }));
  assert.ok(log.segmentCount > 2);
  const at = async (t: number) => unwrap(await log.offsetForTimestamp(t));
  assert.deepEqual(await at(-5), { offset: 0, timestamp: 0 });
  assert.deepEqual(await at(2), { offset: 2, timestamp: 2 });
  assert.deepEqual(await at(1001), { offset: 5, timestamp: 1001 });
  assert.deepEqual(await at(2004), { offset: 16, timestamp: 3000 }, 'the 500 batch does not reach 2004');
  assert.deepEqual(await at(501), { offset: 4, timestamp: 1000 });
  assert.deepEqual(await at(6003), { offset: 31, timestamp: 6003 });
  assert.equal(await at(6004), null);
  unwrap(await log.close());
});

test('truncateTo cuts segments and indexes, at batch boundaries', async () => {
  const { log, fs } = await openLog({ segmentBytes: 700, indexIntervalBytes: 64 });
  for (let i = 0; i < 20; i++) unwrap(await log.appendAsLeader(await producerBatch({ records: 2, valueBytes: 30, seed: i }), { leaderEpoch: 0 }));
  const before = log.segmentCount;
  assert.ok(before > 3);
  assert.equal(unwrap(await log.truncateTo(17)), 16, 'inside batch 16..17: the whole batch goes');
  assert.ok(log.segmentCount < before);
  assert.deepEqual(batchesOf(await readAll(log)).map((b) => b.lastOffset), [1, 3, 5, 7, 9, 11, 13, 15]);
  assert.equal((await fs.readdir(DIR)).filter((n) => n.endsWith('.log')).length, log.segmentCount);
  unwrap(await log.appendAsLeader(await producerBatch({ records: 2 }), { leaderEpoch: 1 }));
  assert.equal(log.logEndOffset, 18);
  assert.equal(unwrap(await log.truncateTo(100)), 18, 'beyond the end: nothing to do');
  assert.equal(unwrap(await log.truncateTo(0)), 0);
  assert.equal(log.segmentCount, 1);
  unwrap(await log.close());
});

test('deleteRecordsBefore moves the start, deletes whole segments below it and survives reopening', async () => {
  const fs = new MemoryFileSystem();
  const { log, clock } = await openLog({ segmentBytes: 700 }, fs);
  for (let i = 0; i < 20; i++) unwrap(await log.appendAsLeader(await producerBatch({ records: 2, valueBytes: 30, seed: i }), { leaderEpoch: 0 }));
  const segments = log.segmentCount;
  assert.equal(unwrap(await log.deleteRecordsBefore(13)), 13);
  assert.ok(log.segmentCount < segments);
  const early = await log.read(12, { maxBytes: 100 });
  assert.ok(!early.ok && early.error instanceof OffsetOutOfRangeError);
  assert.equal(batchesOf(unwrap(await log.read(13, { maxBytes: 100 })).records)[0].baseOffset, 12, 'the batch holding 13');
  const past = await log.deleteRecordsBefore(41);
  assert.ok(!past.ok && past.error instanceof OffsetOutOfRangeError);
  unwrap(await log.close());
  assert.ok((await fs.readdir(DIR)).includes('clean-shutdown'));

  const reopened = unwrap(await PartitionLog.open({ dir: DIR, fs, clock }));
  assert.ok(!(await fs.readdir(DIR)).includes('clean-shutdown'), 'the marker goes on open');
  assert.equal(reopened.logStartOffset, 13);
  assert.equal(reopened.logEndOffset, 40);
  const closed = await log.read(13, { maxBytes: 10 });
  assert.ok(!closed.ok && closed.error instanceof LogClosedError);
  unwrap(await reopened.close());
});

test('reopening after close gives the same log, and appends continue', async () => {
  const fs = new MemoryFileSystem();
  const { log, clock } = await openLog({ segmentBytes: 2000, indexIntervalBytes: 100 }, fs);
  for (let i = 0; i < 30; i++) unwrap(await log.appendAsLeader(await producerBatch({ records: 1 + (i % 3), valueBytes: 40, seed: i }), { leaderEpoch: 0 }));
  const before = await readAll(log);
  unwrap(await log.close());
  const reopened = unwrap(await PartitionLog.open({ dir: DIR, fs, clock, config: { segmentBytes: 2000, indexIntervalBytes: 100 } }));
  assert.deepEqual(await readAll(reopened), before);
  const info = unwrap(await reopened.appendAsLeader(await producerBatch(), { leaderEpoch: 1 }));
  assert.equal(info.baseOffset, log.logEndOffset);
  unwrap(await reopened.close());
});
