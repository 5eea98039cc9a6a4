import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, seededRandom } from '@tributary/common';
import { verifyBatchCrc } from '@tributary/protocol';
import type { LogConfig } from './log-config.js';
import { LogStorageError } from './log-errors.js';
import { PartitionLog } from './partition-log.js';
import { batchesOf, producerBatch, unwrap } from './testing/batches.js';
import { ManualClock } from './testing/manual-clock.js';
import { checkLogFiles } from './testing/check-log-files.js';

const DIR = '/data/t-0';
const CONFIG: Partial<LogConfig> = { segmentBytes: 2000, indexIntervalBytes: 100 };

async function filledLog(fs: MemoryFileSystem, batches = 30): Promise<{ log: PartitionLog; bytes: Buffer[] }> {
  if (!(await fs.exists('/data'))) await fs.mkdir('/data');
  const log = unwrap(await PartitionLog.open({ dir: DIR, fs, clock: new ManualClock(), config: CONFIG }));
  const bytes: Buffer[] = [];
  for (let i = 0; i < batches; i++) {
    const batch = await producerBatch({ records: 1 + (i % 3), valueBytes: 40, seed: i });
    unwrap(await log.appendAsLeader(batch, { leaderEpoch: 0 }));
    bytes.push(batch);
  }
  return { log, bytes };
}

/** Opens the directory again without closing the old log: an unclean shutdown (nothing lost from the page cache). */
async function reopen(fs: MemoryFileSystem): Promise<PartitionLog> {
  return unwrap(await PartitionLog.open({ dir: DIR, fs, clock: new ManualClock(), config: CONFIG }));
}

async function readAll(log: PartitionLog): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const { records } = unwrap(await log.read(offset, { maxBytes: 1 << 20 }));
    parts.push(records);
    offset = batchesOf(records).at(-1)!.lastOffset + 1;
  }
  return Buffer.concat(parts);
}

async function activeLogPath(fs: MemoryFileSystem): Promise<string> {
  const logs = (await fs.readdir(DIR)).filter((n) => n.endsWith('.log')).sort();
  return `${DIR}/${logs.at(-1)}`;
}

async function appendBytes(fs: MemoryFileSystem, path: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(path, 'rw');
  await handle.write(bytes, await handle.size());
  await handle.close();
}

test('an empty directory is a new log; a missing directory is created', async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/data');
  await fs.mkdir(DIR);
  const log = await reopen(fs);
  assert.equal(log.logEndOffset, 0);
  unwrap(await log.close());
});

test('a torn tail (a batch cut short) is cut off, and appends continue after the last whole batch', async () => {
  const fs = new MemoryFileSystem();
  const { log, bytes } = await filledLog(fs);
  const end = log.logEndOffset;
  const next = await producerBatch({ records: 5, valueBytes: 50 });
  await appendBytes(fs, await activeLogPath(fs), next.subarray(0, next.length - 7));
  const recovered = await reopen(fs);
  assert.equal(recovered.logEndOffset, end);
  assert.deepEqual(await readAll(recovered), Buffer.concat(bytes));
  unwrap(await recovered.appendAsLeader(next, { leaderEpoch: 1 }));
  assert.equal(recovered.logEndOffset, end + 5);
  unwrap(await recovered.close());
  await checkLogFiles(fs, DIR);
});

test('a corrupt batch (bad CRC) and everything after it are cut, never served', async () => {
  const fs = new MemoryFileSystem();
  const { log, bytes } = await filledLog(fs);
  const path = await activeLogPath(fs);
  const content = await fs.readFile(path);
  const batches = batchesOf(content);
  assert.ok(batches.length >= 3);
  const victim = batches[batches.length - 2];
  const at = content.indexOf(victim.bytes) + victim.bytes.length - 5;
  const handle = await fs.open(path, 'rw');
  await handle.write(Buffer.from([content[at] ^ 0x55]), at);
  await handle.close();
  const recovered = await reopen(fs);
  assert.equal(recovered.logEndOffset, victim.baseOffset);
  const served = await readAll(recovered);
  for (const batch of batchesOf(served)) assert.ok(verifyBatchCrc(batch.bytes).ok);
  assert.deepEqual(served, Buffer.concat(bytes).subarray(0, served.length));
  unwrap(await recovered.close());
  void log;
});

test('missing, partial and nonsensical index files are rebuilt from the log', async () => {
  const fs = new MemoryFileSystem();
  const { log, bytes } = await filledLog(fs, 60);
  unwrap(await log.close());
  const names = (await fs.readdir(DIR)).sort();
  const indexes = names.filter((n) => n.endsWith('.index'));
  assert.ok(indexes.length >= 3, `${indexes.length} segments`);
  await fs.unlink(`${DIR}/${indexes[0]}`); // sealed: missing
  await appendBytes(fs, `${DIR}/${indexes[1]}`, Buffer.from([1, 2, 3])); // sealed: partial entry
  const garbage = Buffer.alloc(16);
  garbage.writeInt32BE(5, 0);
  garbage.writeInt32BE(1 << 30, 4); // a position far past the log
  garbage.writeInt32BE(6, 8);
  garbage.writeInt32BE(1 << 30, 12);
  await appendBytes(fs, `${DIR}/${indexes[2]}`, garbage);
  await fs.unlink(`${DIR}/${indexes.at(-1)!.replace('.index', '.timeindex')}`); // active: missing time index
  for (const clean of [true, false]) {
    const reopened = await reopen(fs);
    assert.deepEqual(await readAll(reopened), Buffer.concat(bytes));
    for (let offset = 0; offset < reopened.logEndOffset; offset += 7) {
      const first = batchesOf(unwrap(await reopened.read(offset, { maxBytes: 1 })).records)[0];
      assert.ok(first.baseOffset <= offset && offset <= first.lastOffset, `read at ${offset}`);
    }
    assert.ok(unwrap(await reopened.offsetForTimestamp(0)));
    if (clean) unwrap(await reopened.close());
  }
  await checkLogFiles(fs, DIR);
});

test('leftovers of interrupted deletions and replacements are removed, orphan indexes too', async () => {
  const fs = new MemoryFileSystem();
  const { log, bytes } = await filledLog(fs, 60);
  unwrap(await log.close());
  const names = (await fs.readdir(DIR)).sort();
  const first = names[0].slice(0, 20);
  // A deletion renamed the first segment's .log and crashed before the rest.
  await fs.rename(`${DIR}/${first}.log`, `${DIR}/${first}.log.deleted`);
  await appendBytes(fs, `${DIR}/log-start-offset.tmp`, Buffer.from('0\n1\n9'));
  await appendBytes(fs, `${DIR}/00000000000000099999.index`, Buffer.alloc(8));
  const reopened = await reopen(fs);
  const after = (await fs.readdir(DIR)).sort();
  assert.ok(!after.some((n) => n.endsWith('.deleted') || n.endsWith('.tmp')), after.join());
  assert.ok(!after.some((n) => n.startsWith(first)), 'the half-deleted segment is gone');
  assert.ok(!after.includes('00000000000000099999.index'));
  assert.ok(reopened.logStartOffset > 0);
  const kept = Buffer.concat(bytes);
  const served = await readAll(reopened);
  assert.deepEqual(served, kept.subarray(kept.length - served.length));
  unwrap(await reopened.close());
});

test('a clean-shutdown marker does not excuse a bad tail', async () => {
  const fs = new MemoryFileSystem();
  const { log, bytes } = await filledLog(fs);
  unwrap(await log.close());
  await appendBytes(fs, await activeLogPath(fs), Buffer.from('not a batch at all, just bytes'));
  const reopened = await reopen(fs);
  assert.deepEqual(await readAll(reopened), Buffer.concat(bytes));
  unwrap(await reopened.close());
});

test('a damaged sealed segment is reported as corruption and takes only that log offline', async () => {
  const fs = new MemoryFileSystem();
  const { log } = await filledLog(fs, 60);
  unwrap(await log.close());
  const names = (await fs.readdir(DIR)).sort();
  const sealed = names.find((n) => n.endsWith('.log'))!;
  const content = await fs.readFile(`${DIR}/${sealed}`);
  const handle = await fs.open(`${DIR}/${sealed}`, 'rw');
  await handle.write(Buffer.from([content[100] ^ 0xff]), 100);
  await handle.close();
  const reopened = await reopen(fs);
  const read = await reopened.read(0, { maxBytes: 1 << 20 });
  assert.ok(!read.ok && read.error instanceof LogStorageError && read.error.kind === 'corrupt' && read.error.code === 56);
  const after = await reopened.read(reopened.logEndOffset, { maxBytes: 10 });
  assert.ok(!after.ok && after.error === read.error, 'offline: later calls get the same error');
  assert.ok(!(await reopened.close()).ok);
});

test('power loss with every-append: every acknowledged append survives, whatever was torn', async () => {
  const random = seededRandom(7);
  const fs = new MemoryFileSystem();
  await fs.mkdir('/data');
  await fs.syncDirectory('/');
  const acknowledged = new Map<number, Buffer>();
  for (let round = 0; round < 20; round++) {
    const log = await reopen(fs);
    await checkAgainst(log, acknowledged);
    // Several appends in flight; some acknowledged, some not when the power goes.
    const inFlight = Array.from({ length: 1 + random.int(8) }, async (_, i) => {
      const batch = await producerBatch({ records: 1 + random.int(4), valueBytes: random.int(300), seed: round * 10 + i });
      const result = await log.appendAsLeader(batch, { leaderEpoch: round });
      if (result.ok) acknowledged.set(result.value.baseOffset, Buffer.from(batch));
    });
    await Promise.race([Promise.all(inFlight), new Promise((resolve) => setImmediate(resolve))]);
    fs.crash(random);
    await Promise.allSettled(inFlight);
  }
  const log = await reopen(fs);
  await checkAgainst(log, acknowledged);
  unwrap(await log.close());
});

async function checkAgainst(log: PartitionLog, acknowledged: Map<number, Buffer>): Promise<void> {
  const stored = new Map(batchesOf(await readAll(log)).map((b) => [b.baseOffset, b.bytes]));
  for (const [offset, bytes] of acknowledged) assert.deepEqual(stored.get(offset), bytes, `acknowledged batch at ${offset}`);
}

test('reopening with smaller indexes (segmentIndexBytes) rebuilds them sparser, and still finds every offset', async () => {
  const fs = new MemoryFileSystem();
  const { log, bytes } = await filledLog(fs, 60);
  unwrap(await log.close());
  const small = unwrap(await PartitionLog.open({ dir: DIR, fs, clock: new ManualClock(), config: { ...CONFIG, segmentIndexBytes: 24 } }));
  for (let offset = 0; offset < small.logEndOffset; offset += 5) {
    const first = batchesOf(unwrap(await small.read(offset, { maxBytes: 1 })).records)[0];
    assert.ok(first.baseOffset <= offset && offset <= first.lastOffset, `read at ${offset}`);
  }
  assert.deepEqual(await readAll(small), Buffer.concat(bytes));
  unwrap(await small.close());
  await checkLogFiles(fs, DIR);
});
