import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryFileSystem, leaderEpoch } from '@tributary/common';
import { decodeCheckpoint, encodeCheckpoint } from '../checkpoint/checkpoint-file.js';
import { LogStorageError } from '../log/log-errors.js';
import { CorruptCheckpointError } from '../storage-errors.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { leaderEpochCheckpointFormat, type EpochEntry } from './leader-epoch-checkpoint.js';

const entry = (epoch: number, startOffset: number): EpochEntry => ({ epoch: leaderEpoch(epoch), startOffset });
const PATH = '/p0/leader-epoch-checkpoint';

async function fileSystemWith(content?: string): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/p0');
  await fs.syncDirectory('/');
  if (content !== undefined) {
    const handle = await fs.open(PATH, 'rw');
    await handle.write(Buffer.from(content), 0);
    await handle.datasync();
    await handle.close();
    await fs.syncDirectory('/p0');
  }
  return fs;
}

test("the file is Kafka's text format", () => {
  const bytes = encodeCheckpoint(leaderEpochCheckpointFormat, [entry(3, 0), entry(5, 1200)]);
  assert.equal(bytes.toString(), '0\n2\n3 0\n5 1200\n');
  assert.equal(encodeCheckpoint(leaderEpochCheckpointFormat, []).toString(), '0\n0\n');
});

test('any ordered entries round-trip through the format', () => {
  const ordered = fc
    .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.maxSafeNat()), { maxLength: 20 })
    .map((pairs) => {
      const epochs = [...new Set(pairs.map(([epoch]) => epoch))].sort((a, b) => a - b);
      const offsets = [...new Set(pairs.map(([, offset]) => offset))].sort((a, b) => a - b);
      const n = Math.min(epochs.length, offsets.length);
      return Array.from({ length: n }, (_, i) => entry(epochs[i]!, offsets[i]!));
    });
  fc.assert(
    fc.property(ordered, (entries) => {
      const decoded = decodeCheckpoint(leaderEpochCheckpointFormat, encodeCheckpoint(leaderEpochCheckpointFormat, entries), 'x');
      assert.ok(decoded.ok);
      assert.deepEqual(decoded.value, entries);
    }),
  );
});

test('a corrupt file is a typed error (KAFKA_STORAGE_ERROR) naming the line', async () => {
  const cases: Array<[string, string, number]> = [
    ['', 'empty file', 0],
    ['0\n1\n3 0', 'no final newline', 0],
    ['1\n0\n', 'unsupported version', 1],
    ['00\n0\n', 'unsupported version', 1],
    ['0\n', 'malformed entry count', 2],
    ['0\nx\n', 'malformed entry count', 2],
    ['0\n-1\n', 'malformed entry count', 2],
    ['0\n2\n3 0\n', 'expected 2 entries, found 1', 2],
    ['0\n1\n3 0\n4 9\n', 'expected 1 entries, found 2', 2],
    ['0\n1\n3 0\n\n', 'expected 1 entries, found 2', 2],
    ['0\n1\n3\n', 'malformed entry', 3],
    ['0\n1\n3  0\n', 'malformed entry', 3],
    ['0\n1\n3 0 7\n', 'malformed entry', 3],
    ['0\n1\n-3 0\n', 'malformed entry', 3],
    ['0\n1\n3 -1\n', 'malformed entry', 3],
    ['0\n1\n03 0\n', 'malformed entry', 3],
    ['0\n1\n3 0x10\n', 'malformed entry', 3],
    ['0\n1\n2147483648 0\n', 'malformed entry', 3],
    ['0\n1\n1 9007199254740992\n', 'malformed entry', 3],
    ['0\n1\n1 12345678901234567\n', 'malformed entry', 3],
    ['0\r\n0\r\n', 'unsupported version', 1],
    ['0\n2\n5 0\n4 10\n', 'epoch 4 follows epoch 5', 0],
    ['0\n2\n4 0\n4 10\n', 'epoch 4 follows epoch 4', 0],
    ['0\n2\n4 10\n5 10\n', 'epoch 5 starts at 10, not after 10', 0],
  ];
  for (const [content, reason, line] of cases) {
    const loaded = await LeaderEpochCache.load(await fileSystemWith(content), PATH);
    assert.ok(!loaded.ok, JSON.stringify(content));
    assert.ok(loaded.error instanceof CorruptCheckpointError, JSON.stringify(content));
    assert.equal(loaded.error.code, 56);
    assert.ok(loaded.error.reason.includes(reason), `${JSON.stringify(content)}: ${loaded.error.reason}`);
    assert.equal(loaded.error.line, line, JSON.stringify(content));
  }
});

test('a file above the size bound is corrupt and is not read', async () => {
  const fs = await fileSystemWith(`0\n0\n${' '.repeat(64)}`);
  const { CheckpointFile } = await import('../checkpoint/checkpoint-file.js');
  const read = await new CheckpointFile(fs, PATH, leaderEpochCheckpointFormat, 32).read();
  assert.ok(!read.ok && read.error instanceof CorruptCheckpointError && read.error.reason.includes('limit'));
});

test('a leftover .tmp is ignored and removed on load; a longer one is not mixed into the next write', async () => {
  const fs = await fileSystemWith('0\n1\n3 0\n');
  const tmp = await fs.open(`${PATH}.tmp`, 'rw');
  await tmp.write(Buffer.from('0\n5\n1 1\n2 2\n3 3\n4 4\n5 5\n'), 0);
  await tmp.close();
  const loaded = await LeaderEpochCache.load(fs, PATH);
  assert.ok(loaded.ok);
  assert.deepEqual(loaded.value.epochEntries(), [entry(3, 0)]);
  assert.deepEqual(await fs.readdir('/p0'), ['leader-epoch-checkpoint']);

  const again = await fs.open(`${PATH}.tmp`, 'rw');
  await again.write(Buffer.from('x'.repeat(100)), 0);
  await again.close();
  loaded.value.assign(leaderEpoch(4), 7);
  assert.ok((await loaded.value.flush()).ok);
  assert.equal((await fs.readFile(PATH)).toString(), '0\n2\n3 0\n4 7\n');
});

test('I/O faults surface as LogStorageError values and leave the old checkpoint', async () => {
  for (const op of ['open', 'truncate', 'write', 'datasync', 'close', 'rename', 'syncDirectory'] as const) {
    for (const code of ['ENOSPC', 'EIO', 'EACCES'] as const) {
      const fs = await fileSystemWith('0\n1\n3 0\n');
      const loaded = await LeaderEpochCache.load(fs, PATH);
      assert.ok(loaded.ok);
      loaded.value.assign(leaderEpoch(4), 7);
      fs.injectFault({ op, code, times: 1 });
      const flushed = await loaded.value.flush();
      assert.ok(!flushed.ok, `${op} ${code}`);
      assert.ok(flushed.error instanceof LogStorageError);
      assert.equal(flushed.error.code, 56);
      assert.equal(flushed.error.fsCode, code);
      assert.equal(loaded.value.hasUnflushedChanges, true, 'still owed');
      fs.crash();
      const reloaded = await LeaderEpochCache.load(fs, PATH);
      assert.ok(reloaded.ok);
      assert.deepEqual(reloaded.value.epochEntries(), [entry(3, 0)], `${op} ${code}: old checkpoint after a crash`);
    }
  }
});

test('a fault on the retry path: flush succeeds once the fault is gone', async () => {
  const fs = await fileSystemWith();
  const loaded = await LeaderEpochCache.load(fs, PATH);
  assert.ok(loaded.ok);
  loaded.value.assign(leaderEpoch(1), 0);
  fs.injectFault({ op: 'write', path: /\.tmp$/, code: 'ENOSPC' });
  assert.ok(!(await loaded.value.flush()).ok);
  fs.clearFaults();
  assert.ok((await loaded.value.flush()).ok);
  fs.crash();
  const reloaded = await LeaderEpochCache.load(fs, PATH);
  assert.ok(reloaded.ok && reloaded.value.latestEpoch === 1);
});

test('load failures are values too', async () => {
  const fs = await fileSystemWith('0\n0\n');
  fs.injectFault({ op: 'read', code: 'EIO' });
  const loaded = await LeaderEpochCache.load(fs, PATH);
  assert.ok(!loaded.ok && loaded.error instanceof LogStorageError && loaded.error.fsCode === 'EIO');
});

test('concurrent flushes never interleave on the .tmp and the last state wins', async () => {
  const fs = await fileSystemWith();
  const loaded = await LeaderEpochCache.load(fs, PATH);
  assert.ok(loaded.ok);
  const cache = loaded.value;
  const flushes: Array<Promise<unknown>> = [];
  for (let epoch = 0; epoch < 20; epoch++) {
    cache.assign(leaderEpoch(epoch), epoch * 10);
    flushes.push(cache.flush());
  }
  const results = (await Promise.all(flushes)) as Array<{ ok: boolean }>;
  assert.ok(results.every((r) => r.ok));
  fs.crash();
  const reloaded = await LeaderEpochCache.load(fs, PATH);
  assert.ok(reloaded.ok);
  assert.equal(reloaded.value.epochEntries().length, 20);
});
