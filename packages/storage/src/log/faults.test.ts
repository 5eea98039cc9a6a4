import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, type InjectedFaultCode } from '@tributary/common';
import { LogStorageError, type StorageErrorKind } from './log-errors.js';
import { PartitionLog } from './partition-log.js';
import { batchesOf, producerBatch, unwrap } from './testing/batches.js';
import { ManualClock } from './testing/manual-clock.js';

async function twoLogs(fs: MemoryFileSystem, config = {}): Promise<[PartitionLog, PartitionLog]> {
  await fs.mkdir('/data');
  const open = async (dir: string) => unwrap(await PartitionLog.open({ dir, fs, clock: new ManualClock(), config }));
  return [await open('/data/a-0'), await open('/data/b-0')];
}

async function append(log: PartitionLog, seed: number) {
  return log.appendAsLeader(await producerBatch({ records: 2, valueBytes: 100, seed }), { leaderEpoch: 0 });
}

function assertStorageError(result: { ok: boolean; error?: unknown }, kind: StorageErrorKind, what: string): LogStorageError {
  assert.ok(!result.ok, `${what} should fail`);
  const error = result.error;
  assert.ok(error instanceof LogStorageError, `${what}: ${String(error)}`);
  assert.equal(error.kind, kind, what);
  assert.equal(error.code, 56, 'KAFKA_STORAGE_ERROR');
  return error;
}

const faults: Array<[InjectedFaultCode, StorageErrorKind]> = [
  ['ENOSPC', 'disk-full'],
  ['EACCES', 'permission-denied'],
  ['EPERM', 'permission-denied'],
  ['EIO', 'io'],
];

for (const [code, kind] of faults) {
  test(`${code} on one log's writes takes that log offline (${kind}); the other keeps serving`, async () => {
    const fs = new MemoryFileSystem();
    const [a, b] = await twoLogs(fs);
    unwrap(await append(a, 1));
    unwrap(await append(b, 1));
    fs.injectFault({ op: 'write', path: /^\/data\/a-0\//, code });

    const failed = assertStorageError(await append(a, 2), kind, 'append to a');
    // Every later call returns the same offline error, and none throws.
    for (const [what, call] of [
      ['append', () => append(a, 3)],
      ['read', () => a.read(0, { maxBytes: 100 })],
      ['timestamp', () => a.offsetForTimestamp(0)],
      ['truncate', () => a.truncateTo(0)],
      ['delete records', () => a.deleteRecordsBefore(1)],
      ['retention', () => a.enforceRetention()],
      ['roll', () => a.roll()],
      ['flush', () => a.flush()],
    ] as const) {
      const result = await call();
      assert.ok(!result.ok && result.error === failed, `${what} after going offline`);
    }
    assert.equal(a.offlineError, failed);

    unwrap(await append(b, 2));
    assert.equal(batchesOf(unwrap(await b.read(0, { maxBytes: 1 << 20 })).records).length, 2);
    assert.ok(!(await a.close()).ok, 'an offline log closes without the clean marker');
    unwrap(await b.close());

    // Once the disk is healthy again, reopening recovers what was acknowledged.
    fs.clearFaults();
    const reopened = unwrap(await PartitionLog.open({ dir: '/data/a-0', fs, clock: new ManualClock() }));
    assert.equal(reopened.logEndOffset, 2);
    unwrap(await append(reopened, 4));
    unwrap(await reopened.close());
  });
}

test('a full disk (capacity reached) is a disk-full storage error', async () => {
  const fs = new MemoryFileSystem({ capacityBytes: 4000 });
  const [a] = await twoLogs(fs);
  let result = await append(a, 0);
  for (let i = 1; result.ok && i < 100; i++) result = await append(a, i);
  assertStorageError(result, 'disk-full', 'append on a full disk');
});

test('a failure while rolling (creating the next segment) takes the log offline', async () => {
  const fs = new MemoryFileSystem();
  const [a, b] = await twoLogs(fs, { segmentBytes: 600 });
  fs.injectFault({ op: 'open', path: /^\/data\/a-0\/.*\.log$/, code: 'EACCES' });
  let result = await append(a, 0);
  for (let i = 1; result.ok && i < 20; i++) result = await append(a, i);
  assertStorageError(result, 'permission-denied', 'append that rolls');
  for (let i = 0; i < 5; i++) unwrap(await append(b, i));
  assert.ok(b.segmentCount > 1);
});

test('opening a log whose directory cannot be read returns the storage error', async () => {
  const fs = new MemoryFileSystem();
  const [a] = await twoLogs(fs);
  unwrap(await append(a, 0));
  unwrap(await a.close());
  fs.injectFault({ op: 'readdir', path: '/data/a-0', code: 'EACCES' });
  assertStorageError(await PartitionLog.open({ dir: '/data/a-0', fs, clock: new ManualClock() }), 'permission-denied', 'open');
  fs.clearFaults();
  fs.injectFault({ op: 'read', path: /\.log$/, code: 'EIO', times: 1 });
  // The clean-shutdown path still reads the active segment's tail.
  assertStorageError(await PartitionLog.open({ dir: '/data/a-0', fs, clock: new ManualClock() }), 'io', 'open with a read failure');
});
