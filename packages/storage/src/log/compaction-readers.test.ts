/**
 * Compaction beside readers and writers: a read in progress on a segment being replaced gets the
 * bytes it started on (the swap waits for it), appends go on while segments are cleaned, and
 * reads after the swap see the compacted log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, type FileHandle, type FileSystem, type OpenMode } from '@tributary/common';
import { PartitionLog } from './partition-log.js';
import { unwrap } from './testing/batches.js';
import { keyedBatch, latestValues, readRecords, type KeyedRecord } from './testing/compaction-support.js';
import { ManualClock } from './testing/manual-clock.js';

const DIR = '/data/cr-0';

/** A FileSystem whose next read of a `.log` file, once armed, waits until released; later reads pass. */
class OneBlockedRead implements FileSystem {
  private armed = false;
  private blocked: Promise<void> | null = null;
  private unblock: (() => void) | null = null;
  blockedReads = 0;

  constructor(private readonly inner: FileSystem) {}

  arm(): void {
    this.armed = true;
    this.blocked = new Promise((resolve) => (this.unblock = resolve));
  }

  release(): void {
    this.unblock?.();
  }

  async open(path: string, mode: OpenMode): Promise<FileHandle> {
    const handle = await this.inner.open(path, mode);
    return {
      read: async (buffer, offset, length, position) => {
        if (this.armed && path.endsWith('.log')) {
          this.armed = false;
          this.blockedReads++;
          await this.blocked;
        }
        return handle.read(buffer, offset, length, position);
      },
      write: (buffer, position) => handle.write(buffer, position),
      datasync: () => handle.datasync(),
      size: () => handle.size(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  }

  readFile = (path: string) => this.inner.readFile(path);
  readdir = (path: string) => this.inner.readdir(path);
  mkdir = (path: string) => this.inner.mkdir(path);
  rename = (from: string, to: string) => this.inner.rename(from, to);
  unlink = (path: string) => this.inner.unlink(path);
  exists = (path: string) => this.inner.exists(path);
  syncDirectory = (path: string) => this.inner.syncDirectory(path);
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

test('a read in progress on a segment being compacted gets its bytes; the swap waits for it', async () => {
  const memory = new MemoryFileSystem();
  await memory.mkdir('/data');
  const fs = new OneBlockedRead(memory);
  const clock = new ManualClock();
  const log = unwrap(await PartitionLog.open({ dir: DIR, fs, clock, config: { cleanupPolicy: 'compact', segmentBytes: 500, indexIntervalBytes: 100 } }));
  const appended: KeyedRecord[] = [];
  const put = async (record: KeyedRecord) => {
    appended.push(record);
    return unwrap(await log.appendAsLeader(await keyedBatch([record], clock.nowMs()), { leaderEpoch: 0 }));
  };
  for (let i = 0; i < 40; i++) await put({ key: `k${i % 4}`, value: `v${i}` });
  unwrap(await log.roll());
  const expected = unwrap(await log.read(0, { maxBytes: 1 << 20 })).records;

  fs.arm();
  const reading = log.read(0, { maxBytes: 1 << 20 });
  while (fs.blockedReads === 0) await turns(1);
  let compacted = false;
  const compaction = log.compact().then((result) => {
    compacted = true;
    return result;
  });
  // Appends go on while the compaction reads and writes (it holds no queue until its swap).
  const during = await put({ key: 'k0', value: 'during' });
  assert.equal(during.baseOffset, 40);
  await turns(200);
  assert.ok(!compacted, 'the swap waits for the reader');
  assert.ok((await memory.readdir(DIR)).includes('00000000000000000000.log'));
  fs.release();
  assert.deepEqual(unwrap(await reading).records, expected, 'the reader got the bytes it started on');
  const stats = unwrap(await compaction);
  assert.equal(stats.outcome, 'compacted');
  const after = await readRecords(log);
  assert.deepEqual(latestValues(after), latestValues(appended));
  // Whether 'during' was in the log when the key map was built is a race; v36 goes or stays with it.
  assert.deepEqual(after.map((r) => r.value).filter((v) => v !== 'v36'), ['v37', 'v38', 'v39', 'during']);
  unwrap(await log.close());
});
