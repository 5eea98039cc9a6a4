import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, type FileHandle, type FileSystem, type OpenMode } from '@tributary/common';
import type { LogConfig } from './log-config.js';
import { OffsetOutOfRangeError } from './log-errors.js';
import { PartitionLog } from './partition-log.js';
import { segmentsToDelete, type SegmentSummary } from './retention.js';
import { batchesOf, producerBatch, unwrap } from './testing/batches.js';
import { ManualClock } from './testing/manual-clock.js';

const DIR = '/data/r-0';
const DAY = 24 * 60 * 60 * 1000;

function summary(baseOffset: number, nextOffset: number, size: number, largestTimestamp: number, isActive = false): SegmentSummary {
  return { baseOffset, nextOffset, size, largestTimestamp, isActive };
}

test('segmentsToDelete: a prefix by time, then by size, never past maxOffset, never an empty active segment', () => {
  const segments = [summary(0, 10, 100, 1000), summary(10, 20, 100, 2000), summary(20, 30, 100, 5000), summary(30, 35, 50, 6000, true)];
  const policy = { nowMs: 10_000, retentionMs: -1, retentionBytes: -1, maxOffset: 35 };
  assert.equal(segmentsToDelete(segments, policy), 0, 'no limits');
  assert.equal(segmentsToDelete(segments, { ...policy, retentionMs: 7500 }), 2, 'older than 2500');
  assert.equal(segmentsToDelete(segments, { ...policy, retentionMs: 0 }), 4, 'everything, the active segment too');
  assert.equal(segmentsToDelete(segments, { ...policy, retentionMs: 0, maxOffset: 20 }), 2, 'not past the high watermark');
  assert.equal(segmentsToDelete(segments, { ...policy, retentionBytes: 200 }), 1, 'keeps at least 200 bytes: 250 remain');
  assert.equal(segmentsToDelete(segments, { ...policy, retentionBytes: 150 }), 2);
  assert.equal(segmentsToDelete(segments, { ...policy, retentionBytes: 0 }), 4);
  assert.equal(segmentsToDelete([summary(0, 0, 0, -1, true)], { ...policy, retentionMs: 0, retentionBytes: 0 }), 0, 'an empty active segment stays');
  assert.equal(segmentsToDelete([summary(0, 10, 10, 9000), summary(10, 20, 10, 1000)], { ...policy, retentionMs: 5000 }), 0, 'stops at the first segment it keeps');
});

async function logWithDays(config: Partial<LogConfig>, fs: FileSystem = new MemoryFileSystem()) {
  await fs.mkdir('/data');
  const clock = new ManualClock(100 * DAY);
  const log = unwrap(await PartitionLog.open({ dir: DIR, fs, clock, config: { segmentBytes: 500, ...config } }));
  // Ten days of batches, one per day, each about 200 bytes: two per segment.
  for (let day = 0; day < 10; day++) {
    unwrap(await log.appendAsLeader(await producerBatch({ records: 2, valueBytes: 60, timestamp: clock.nowMs(), seed: day }), { leaderEpoch: 0 }));
    clock.advance(DAY);
  }
  return { log, clock, fs };
}

test('time retention deletes whole segments older than retentionMs and moves the log start', async () => {
  const { log, fs } = await logWithDays({ retentionMs: 4 * DAY + 1 });
  const before = log.segmentCount;
  assert.ok(before >= 4, `${before} segments`);
  const deleted = unwrap(await log.enforceRetention());
  assert.ok(deleted > 0);
  assert.equal(log.segmentCount, before - deleted);
  assert.ok(log.logStartOffset > 0);
  const first = batchesOf(unwrap(await log.read(log.logStartOffset, { maxBytes: 1 })).records)[0];
  assert.ok(first.maxTimestamp >= 100 * DAY + 10 * DAY - 5 * DAY - 1, 'what remains is recent');
  const gone = await log.read(0, { maxBytes: 10 });
  assert.ok(!gone.ok && gone.error instanceof OffsetOutOfRangeError);
  assert.equal((await fs.readdir(DIR)).filter((n) => n.endsWith('.log')).length, log.segmentCount);
  assert.equal(unwrap(await log.enforceRetention()), 0, 'nothing more to do');
  unwrap(await log.close());
});

test('an expired active segment is rolled, then deleted: the log empties but keeps its end', async () => {
  const { log, clock } = await logWithDays({ retentionMs: DAY });
  clock.advance(30 * DAY);
  unwrap(await log.enforceRetention());
  assert.equal(log.logStartOffset, 20);
  assert.equal(log.logEndOffset, 20);
  assert.equal(log.segmentCount, 1);
  assert.equal(unwrap(await log.appendAsLeader(await producerBatch({ timestamp: clock.nowMs() }), { leaderEpoch: 0 })).baseOffset, 20);
  unwrap(await log.close());
});

test('size retention keeps at least retentionBytes; -1 keeps everything; maxOffset bounds both', async () => {
  const forever = await logWithDays({ retentionMs: -1 });
  const segments = forever.log.segmentCount;
  forever.clock.advance(1000 * DAY);
  assert.equal(unwrap(await forever.log.enforceRetention()), 0);
  assert.equal(forever.log.segmentCount, segments);

  const bySize = await logWithDays({ retentionMs: -1, retentionBytes: 1000 });
  unwrap(await bySize.log.enforceRetention({ maxOffset: 4 }));
  assert.ok(bySize.log.logStartOffset <= 4, 'not past the high watermark');
  unwrap(await bySize.log.enforceRetention());
  assert.ok(bySize.log.sizeBytes >= 1000, `${bySize.log.sizeBytes} bytes left`);
  assert.ok(bySize.log.sizeBytes < 1000 + 500, 'no segment more than needed');
  unwrap(await bySize.log.close());
});

/** A FileSystem whose reads of `.log` files wait for `open()` while it is shut. */
class GatedReads implements FileSystem {
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  blockedReads = 0;

  constructor(private readonly inner: FileSystem) {}

  shut(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  open(path: string, mode: OpenMode): Promise<FileHandle> {
    return this.inner.open(path, mode).then((handle) => ({
      ...bind(handle),
      read: async (buffer: Buffer, offset: number, length: number, position: number) => {
        if (this.gate && path.endsWith('.log')) {
          this.blockedReads++;
          await this.gate;
        }
        return handle.read(buffer, offset, length, position);
      },
    }));
  }

  release(): void {
    this.gate = null;
    this.openGate?.();
  }

  readFile = (path: string) => this.inner.readFile(path);
  readdir = (path: string) => this.inner.readdir(path);
  mkdir = (path: string) => this.inner.mkdir(path);
  rename = (from: string, to: string) => this.inner.rename(from, to);
  unlink = (path: string) => this.inner.unlink(path);
  exists = (path: string) => this.inner.exists(path);
  syncDirectory = (path: string) => this.inner.syncDirectory(path);
}

function bind(handle: FileHandle): FileHandle {
  return {
    read: handle.read.bind(handle),
    write: handle.write.bind(handle),
    datasync: handle.datasync.bind(handle),
    size: handle.size.bind(handle),
    truncate: handle.truncate.bind(handle),
    close: handle.close.bind(handle),
  };
}

test('a read in progress is not broken by the deletion of its segment: the deletion waits for it', async () => {
  const memory = new MemoryFileSystem();
  const fs = new GatedReads(memory);
  const { log, clock } = await logWithDays({ retentionMs: DAY }, fs);
  const expected = unwrap(await log.read(0, { maxBytes: 1 << 20 })).records;
  fs.shut();
  const reading = log.read(0, { maxBytes: 1 << 20 });
  while (fs.blockedReads === 0) await new Promise((resolve) => setImmediate(resolve));
  clock.advance(3 * DAY);
  let retentionDone = false;
  const retention = log.enforceRetention().then((result) => {
    retentionDone = true;
    return result;
  });
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(!retentionDone, 'the deletion waits for the reader');
  assert.ok((await memory.readdir(DIR)).includes('00000000000000000000.log'), 'the segment is still there');
  fs.release();
  assert.deepEqual(unwrap(await reading).records, expected, 'the reader got its bytes');
  assert.ok(unwrap(await retention) > 0);
  assert.ok(!(await memory.readdir(DIR)).includes('00000000000000000000.log'), 'deleted once the read finished');
  assert.ok(!(await log.read(0, { maxBytes: 10 })).ok, 'later reads below the new start are out of range');
  unwrap(await log.close());
});
