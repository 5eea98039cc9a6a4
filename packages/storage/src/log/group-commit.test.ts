import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '@tributary/common';
import type { FlushPolicy } from './log-config.js';
import { LogStorageError } from './log-errors.js';
import { PartitionLog } from './partition-log.js';
import { producerBatch, unwrap } from './testing/batches.js';
import { ManualClock } from './testing/manual-clock.js';
import { ManualScheduler } from './testing/manual-scheduler.js';
import { RecordingFileSystem } from './testing/recording-file-system.js';

const DIR = '/data/p-0';

async function openLog(fs: RecordingFileSystem, flush: FlushPolicy, scheduler = new ManualScheduler(), segmentBytes = 1 << 20) {
  await fs.mkdir('/data');
  return unwrap(await PartitionLog.open({ dir: DIR, fs, clock: new ManualClock(), scheduler, config: { flush, segmentBytes } }));
}

test('concurrent appends share datasyncs, and none resolves before a sync covering it has completed', async () => {
  const fs = new RecordingFileSystem(new MemoryFileSystem(), 3);
  // Small segments, so some appends are made durable by a roll's sync rather than the group's.
  const log = await openLog(fs, { kind: 'every-append' }, undefined, 16 * 1024);
  const appends = 200;
  const batches = await Promise.all(Array.from({ length: appends }, (_, i) => producerBatch({ records: 2, valueBytes: 200, seed: i })));
  const early: number[] = [];
  const results = await Promise.all(
    batches.map(async (batch) => {
      const info = unwrap(await log.appendAsLeader(batch, { leaderEpoch: 0 }));
      if (!fs.isDurable(info.baseOffset)) early.push(info.baseOffset);
      assert.ok(log.durableEndOffset > info.lastOffset, 'durableEndOffset covers an acknowledged append');
      return info;
    }),
  );
  assert.deepEqual(early, [], 'appends acknowledged before their bytes were synced');
  assert.deepEqual(results.map((r) => r.baseOffset), Array.from({ length: appends }, (_, i) => i * 2), 'offsets assigned in call order');
  assert.ok(log.segmentCount > 2, 'rolls happened');
  assert.ok(fs.logSyncs < appends / 5, `${fs.logSyncs} datasyncs for ${appends} appends`);
  console.log(`${fs.logSyncs} datasyncs of .log files for ${appends} concurrent appends (${log.segmentCount} segments)`);
  unwrap(await log.close());
});

test("'interval' acknowledges on write and syncs when the timer fires", async () => {
  const fs = new RecordingFileSystem(new MemoryFileSystem());
  const scheduler = new ManualScheduler();
  const log = await openLog(fs, { kind: 'interval', intervalMs: 50 }, scheduler);
  for (let i = 0; i < 5; i++) unwrap(await log.appendAsLeader(await producerBatch({ seed: i }), { leaderEpoch: 0 }));
  assert.equal(fs.logSyncs, 0);
  assert.equal(log.durableEndOffset, 0);
  assert.equal(scheduler.pending, 1, 'one timer, armed by the first unsynced append');
  scheduler.fireAll();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fs.logSyncs, 1);
  assert.equal(log.durableEndOffset, 5);
  unwrap(await log.appendAsLeader(await producerBatch(), { leaderEpoch: 0 }));
  assert.equal(scheduler.pending, 1);
  unwrap(await log.close());
  assert.equal(scheduler.pending, 0, 'close clears the timer');
});

test("'never' syncs only on flush and close", async () => {
  const fs = new RecordingFileSystem(new MemoryFileSystem());
  const log = await openLog(fs, { kind: 'never' });
  for (let i = 0; i < 5; i++) unwrap(await log.appendAsLeader(await producerBatch({ seed: i }), { leaderEpoch: 0 }));
  assert.equal(fs.logSyncs, 0);
  assert.equal(log.durableEndOffset, 0);
  assert.equal(unwrap(await log.flush()), 5);
  assert.equal(fs.logSyncs, 1);
  unwrap(await log.close());
});

test('a failed datasync fails every waiting append with the storage error and takes the log offline', async () => {
  const memory = new MemoryFileSystem();
  const fs = new RecordingFileSystem(memory, 2);
  const log = await openLog(fs, { kind: 'every-append' });
  unwrap(await log.appendAsLeader(await producerBatch(), { leaderEpoch: 0 }));
  memory.injectFault({ op: 'datasync', path: /\.log$/, code: 'EIO' });
  const results = await Promise.all(Array.from({ length: 10 }, async (_, i) => log.appendAsLeader(await producerBatch({ seed: i }), { leaderEpoch: 0 })));
  for (const result of results) assert.ok(!result.ok && result.error instanceof LogStorageError && result.error.code === 56);
  assert.equal(log.durableEndOffset, 1);
  const later = await log.read(0, { maxBytes: 100 });
  assert.ok(!later.ok && later.error instanceof LogStorageError, 'offline for reads too');
  assert.ok(!(await log.close()).ok);
});
