/**
 * Power loss at every file-system call of a compaction (CrashPointFileSystem): after reopening,
 * the log holds at most what it held before and at least what the finished compaction keeps,
 * every key's latest value is unchanged, its files are consistent with no compaction leftovers,
 * and a compaction then completes to the same result as an uninterrupted one. With a single
 * cleaned segment the log is exactly as before or exactly as after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashPointFileSystem, MemoryFileSystem, seededRandom, type FileSystem } from '@tributary/common';
import { CompressionCodec } from '@tributary/protocol';
import type { LogConfig } from './log-config.js';
import { PartitionLog } from './partition-log.js';
import { unwrap } from './testing/batches.js';
import { checkCompactedFiles, keyedBatch, latestValues, readRecords, type KeyedRecord, type StoredRecord } from './testing/compaction-support.js';
import { ManualClock } from './testing/manual-clock.js';

const DIR = '/data/cc-0';
const NOW = 1_700_000_000_000;

interface Scenario {
  readonly name: string;
  readonly config: Partial<LogConfig>;
  readonly batches: number;
  /** Whether the compaction writes exactly one cleaned segment. */
  readonly singleRun: boolean;
}

const scenarios: Scenario[] = [
  { name: 'several cleaned segments', config: { segmentBytes: 700, indexIntervalBytes: 120, deleteRetentionMs: 1000 }, batches: 36, singleRun: false },
  { name: 'one merged segment', config: { segmentBytes: 100_000, indexIntervalBytes: 120, deleteRetentionMs: 1000 }, batches: 20, singleRun: true },
];

function open(fs: FileSystem, config: Partial<LogConfig>) {
  return PartitionLog.open({ dir: DIR, fs, clock: new ManualClock(NOW + 5000), config: { cleanupPolicy: 'compact', ...config } });
}

/** The same log every time: keyed puts and deletes (some compressed, some with null keys), then a roll and a clean close. */
async function build(scenario: Scenario): Promise<{ memory: MemoryFileSystem; appended: KeyedRecord[] }> {
  const memory = new MemoryFileSystem();
  await memory.mkdir('/data');
  await memory.syncDirectory('/');
  const log = unwrap(await open(memory, scenario.config));
  const appended: KeyedRecord[] = [];
  for (let i = 0; i < scenario.batches; i++) {
    const records = [
      { key: `k${i % 5}`, value: i % 7 === 3 ? null : `v${i}` },
      { key: i % 6 === 0 ? null : `k${(i * 2) % 5}`, value: `w${i}` },
    ];
    appended.push(...records);
    unwrap(await log.appendAsLeader(await keyedBatch(records, NOW + i, i % 3 === 0 ? CompressionCodec.Lz4 : CompressionCodec.None), { leaderEpoch: 0 }));
  }
  unwrap(await log.roll());
  unwrap(await log.appendAsLeader(await keyedBatch([{ key: 'k0', value: 'active' }], NOW + 100), { leaderEpoch: 0 }));
  appended.push({ key: 'k0', value: 'active' });
  unwrap(await log.close());
  return { memory, appended };
}

const offsets = (records: readonly StoredRecord[]): number[] => records.map((r) => r.offset);

for (const scenario of scenarios) {
  test(`power loss at every file-system call of a compaction (${scenario.name}): before, after, or in between; never a latest value lost`, { timeout: 120_000 }, async () => {
    // A run without a crash: how many calls opening takes, how many the compaction, and the result.
    const { memory: reference, appended } = await build(scenario);
    const counting = new CrashPointFileSystem(reference, Infinity);
    const log = unwrap(await open(counting, scenario.config));
    const before = await readRecords(log);
    const openCalls = counting.operations;
    const stats = unwrap(await log.compact());
    const compactionCalls = counting.operations - openCalls;
    assert.equal(stats.outcome, 'compacted');
    assert.equal(stats.segmentsWritten === 1, scenario.singleRun, `${stats.segmentsWritten} cleaned segments`);
    const after = await readRecords(log);
    assert.ok(after.length < before.length && stats.tombstonesRemoved > 0);
    unwrap(await log.close());
    const latest = latestValues(appended);
    assert.deepEqual(latestValues(after), latest);

    let landedInSwap = 0;
    for (let crashAt = openCalls; crashAt <= openCalls + compactionCalls; crashAt++) {
      const { memory } = await build(scenario);
      const crashing = new CrashPointFileSystem(memory, crashAt, seededRandom(crashAt));
      const crashed = unwrap(await open(crashing, scenario.config));
      const result = await crashed.compact();
      assert.ok(crashing.crashed || result.ok, `crash point ${crashAt}`);

      const recovered = unwrap(await open(memory, scenario.config));
      const stored = await readRecords(recovered);
      const storedOffsets = new Set(offsets(stored));
      assert.deepEqual(latestValues(stored), latest, `latest values after a crash at call ${crashAt - openCalls}`);
      assert.ok(offsets(after).every((o) => storedOffsets.has(o)), `everything the compaction keeps is there (crash at ${crashAt - openCalls})`);
      const beforeByOffset = new Map(before.map((r) => [r.offset, r]));
      for (const record of stored) assert.deepEqual(record, { ...beforeByOffset.get(record.offset)!, batchBaseOffset: record.batchBaseOffset, compression: record.compression }, `record ${record.offset} as appended`);
      const isBefore = stored.length === before.length;
      const isAfter = stored.length === after.length;
      if (scenario.singleRun) assert.ok(isBefore || isAfter, `exactly before or after (crash at ${crashAt - openCalls}): ${stored.length} records`);
      if (!isBefore) landedInSwap++;

      unwrap(await recovered.compact());
      assert.deepEqual(offsets(await readRecords(recovered)), offsets(after), 'a compaction after recovery reaches the same result');
      unwrap(await recovered.close());
      await checkCompactedFiles(memory, DIR);
    }
    assert.ok(compactionCalls > 20 && landedInSwap > 0, `${compactionCalls} calls, ${landedInSwap} crashes after the commit`);
    console.log(`${scenario.name}: ${compactionCalls + 1} crash points, ${landedInSwap} left the log compacted`);
  });
}
