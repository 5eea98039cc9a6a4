/**
 * Power loss at random points (MemoryFileSystem via CrashPointFileSystem: unsynced writes and
 * directory entries are lost, the last unsynced write may be torn): appends with several in
 * flight, segment rolls, truncations and deletions, a crash after a random number of file-system
 * calls (during appends, rolls, recovery itself), reopen, repeat. With every-append durability,
 * every acknowledged append must survive every crash, and the files must stay consistent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashPointFileSystem, MemoryFileSystem, seededRandom, type Random } from '@tributary/common';
import { PartitionLog } from './partition-log.js';
import { batchesOf, producerBatch, unwrap } from './testing/batches.js';
import { checkLogFiles } from './testing/check-log-files.js';
import { ManualClock } from './testing/manual-clock.js';
import { RecordingFileSystem } from './testing/recording-file-system.js';

const DIR = '/data/p-0';
const CONFIG = { segmentBytes: 3000, indexIntervalBytes: 200 };

/** Acknowledged appends by base offset; a truncation forgets those it cut (they were cut on purpose). */
type Acknowledged = Map<number, { readonly bytes: Buffer; readonly lastOffset: number }>;

/** The stored batches by base offset; null when the crash point cut the reading short. */
async function readAll(log: PartitionLog): Promise<Map<number, Buffer> | null> {
  const stored = new Map<number, Buffer>();
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const read = await log.read(offset, { maxBytes: 1 << 20 });
    if (!read.ok) return null;
    const batches = batchesOf(read.value.records);
    for (const batch of batches) stored.set(batch.baseOffset, batch.bytes);
    offset = batches.at(-1)!.lastOffset + 1;
  }
  return stored;
}

async function checkSurvivors(log: PartitionLog, acknowledged: Acknowledged): Promise<void> {
  const stored = await readAll(log);
  if (!stored) return;
  for (const [offset, { bytes }] of acknowledged) {
    if (offset < log.logStartOffset) continue;
    assert.deepEqual(stored.get(offset), bytes, `acknowledged append at ${offset} lost`);
  }
}

/** Appends (several in flight), and now and then a roll, truncation or deletion, until the crash stops everything. */
async function work(log: PartitionLog, random: Random, acknowledged: Acknowledged, epoch: number): Promise<void> {
  const worker = async (id: number): Promise<void> => {
    // Bounded: the crash point ends every run (each call is a step towards it).
    for (let round = 0; round < 10_000; round++) {
      const choice = random.int(40);
      if (choice === 0) {
        const target = log.logStartOffset + random.int(Math.max(1, log.logEndOffset - log.logStartOffset));
        const truncated = await log.truncateTo(target);
        // A truncation the crash interrupted may or may not have happened: what it would cut is no longer owed.
        const cutFrom = truncated.ok ? truncated.value : target;
        for (const [offset, { lastOffset }] of [...acknowledged]) if (lastOffset >= cutFrom) acknowledged.delete(offset);
        if (!truncated.ok) return;
        continue;
      }
      if (choice === 1 && !(await log.roll()).ok) return;
      if (choice === 2 && !(await log.deleteRecordsBefore(log.logStartOffset + random.int(3))).ok) continue;
      const batch = await producerBatch({ records: 1 + random.int(4), valueBytes: random.int(600), seed: id * 1000 + round });
      const result = await log.appendAsLeader(batch, { leaderEpoch: epoch });
      if (!result.ok) return;
      acknowledged.set(result.value.baseOffset, { bytes: Buffer.from(batch), lastOffset: result.value.lastOffset });
    }
  };
  await Promise.all([0, 1, 2].map(worker));
}

test('power loss at random points never loses an acknowledged append', { timeout: 60_000 }, async () => {
  const random = seededRandom(424242);
  let crashes = 0;
  let crashesInOpen = 0;
  for (let trial = 0; trial < 25; trial++) {
    const memory = new MemoryFileSystem();
    await memory.mkdir('/data');
    await memory.syncDirectory('/');
    const acknowledged: Acknowledged = new Map();
    for (let round = 0; round < 8; round++) {
      const crashPoint = new CrashPointFileSystem(memory, random.int(600), random);
      // Half the rounds give datasync real latency, so appends pile up behind it (and behind rolls).
      const fs = round % 2 === 0 ? crashPoint : new RecordingFileSystem(crashPoint, 1);
      const opened = await PartitionLog.open({ dir: DIR, fs, clock: new ManualClock(), config: CONFIG });
      if (opened.ok) {
        await checkSurvivors(opened.value, acknowledged);
        await work(opened.value, random, acknowledged, round);
        await opened.value.close();
      } else crashesInOpen++;
      assert.ok(crashPoint.crashed, 'every round ends in a crash');
      crashes++;
    }
    const log = unwrap(await PartitionLog.open({ dir: DIR, fs: memory, clock: new ManualClock(), config: CONFIG }));
    assert.ok(await readAll(log), 'a healthy disk reads back');
    await checkSurvivors(log, acknowledged);
    unwrap(await log.close());
    await checkLogFiles(memory, DIR);
  }
  assert.ok(crashesInOpen > 0 && crashesInOpen < crashes, `${crashesInOpen} of ${crashes} crashes hit recovery`);
});
