/**
 * Compaction against a model (every record ever appended, in order), over random puts and deletes
 * on a small key space (several codecs, null keys), rolls, compactions at random points with
 * random clock steps, small key maps, and reopenings (clean, unclean, power loss). After every
 * step: what the log holds is a subsequence of what was appended, at the same offsets; the latest
 * value of every key is unchanged; and after a compaction, below where it reached, only the
 * latest record of a key is left and a tombstone past the delay is gone. At the end, with the
 * clock past the delay and repeated compactions, every key's latest record is its only one and
 * every deleted key is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryFileSystem } from '@tributary/common';
import { CompressionCodec } from '@tributary/protocol';
import type { CompactionStats } from './compaction.js';
import type { LogConfig } from './log-config.js';
import { PartitionLog } from './partition-log.js';
import { unwrap } from './testing/batches.js';
import { checkCompactedFiles, keyedBatch, latestValues, readRecords, type KeyedRecord, type StoredRecord } from './testing/compaction-support.js';
import { ManualClock } from './testing/manual-clock.js';

const DIR = '/data/cp-0';

interface ModelRecord extends KeyedRecord {
  readonly offset: number;
  readonly batchLastOffset: number;
  /** The batch's max timestamp as appended. */
  readonly batchMaxTimestamp: number;
}

type Command =
  | { kind: 'put'; records: Array<{ key: number | null; tombstone: boolean }>; codec: CompressionCodec }
  | { kind: 'roll' }
  | { kind: 'compact' }
  | { kind: 'advance'; ms: number }
  | { kind: 'reopen'; how: 'clean' | 'unclean' | 'power-loss' };

const codecs = [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd];
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      records: fc.array(fc.record({ key: fc.option(fc.integer({ min: 0, max: 5 }), { freq: 12 }), tombstone: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) }), { minLength: 1, maxLength: 4 }),
      codec: fc.constantFrom(...codecs),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), how: fc.constantFrom('clean' as const, 'unclean' as const, 'power-loss' as const) }) },
);

const config: fc.Arbitrary<Partial<LogConfig>> = fc.record({
  cleanupPolicy: fc.constantFrom('compact' as const, 'compact,delete' as const),
  segmentBytes: fc.integer({ min: 250, max: 2000 }),
  indexIntervalBytes: fc.integer({ min: 1, max: 300 }),
  deleteRetentionMs: fc.constantFrom(0, 1000, 5000),
  minCompactionLagMs: fc.constantFrom(0, 0, 1500),
  compactionMapBytesMax: fc.constantFrom(150, 400, 1 << 20),
  scanChunkBytes: fc.constantFrom(64, 1 << 20),
  retentionMs: fc.constant(-1),
});

class Harness {
  readonly fs = new MemoryFileSystem();
  readonly clock = new ManualClock();
  readonly model: ModelRecord[] = [];
  log!: PartitionLog;
  private seq = 0;

  constructor(readonly config: Partial<LogConfig>) {}

  async open(): Promise<void> {
    this.log = unwrap(await PartitionLog.open({ dir: DIR, fs: this.fs, clock: this.clock, config: this.config }));
  }

  async run(c: Command): Promise<void> {
    switch (c.kind) {
      case 'put': {
        const records = c.records.map((r) => ({ key: r.key === null ? null : `k${r.key}`, value: r.tombstone && r.key !== null ? null : `v${this.seq++}` }));
        const batch = await keyedBatch(records, this.clock.nowMs(), c.codec);
        const info = unwrap(await this.log.appendAsLeader(batch, { leaderEpoch: 0 }));
        records.forEach((r, i) => this.model.push({ ...r, offset: info.baseOffset + i, batchLastOffset: info.lastOffset, batchMaxTimestamp: this.clock.nowMs() + records.length - 1 }));
        return;
      }
      case 'roll':
        unwrap(await this.log.roll());
        return;
      case 'compact':
        await this.compact();
        return;
      case 'advance':
        this.clock.advance(c.ms);
        return;
      case 'reopen':
        if (c.how === 'clean') {
          unwrap(await this.log.close());
          await checkCompactedFiles(this.fs, DIR);
        }
        if (c.how === 'power-loss') this.fs.crash();
        return this.open();
    }
  }

  async compact(): Promise<CompactionStats> {
    const logEnd = this.log.logEndOffset;
    const stats = unwrap(await this.log.compact());
    if (stats.outcome !== 'compacted') return stats;
    const horizon = this.clock.nowMs() - this.config.deleteRetentionMs!;
    const bound = Math.min(stats.cleanedEndOffset, stats.mapEndOffset);
    const stored = new Map((await readRecords(this.log)).map((r) => [r.offset, r]));
    for (const record of this.model) {
      if (record.offset >= bound || record.key === null) continue;
      const later = this.model.some((r) => r.key === record.key && r.offset > record.offset && r.offset < stats.mapEndOffset);
      if (later) assert.ok(!stored.has(record.offset), `superseded record ${record.offset} (${record.key}) is gone`);
      const expired = record.value === null && record.batchMaxTimestamp < horizon && record.batchLastOffset + 1 !== logEnd;
      if (expired) assert.ok(!stored.has(record.offset), `expired tombstone ${record.offset} (${record.key}) is gone`);
      if (stored.has(record.offset) && record.value === null) assert.ok(record.batchMaxTimestamp >= horizon || record.batchLastOffset + 1 === logEnd, `tombstone ${record.offset} kept only within the delay`);
    }
    return stats;
  }

  /** What the log holds is what was appended, less some records; latest values are unchanged. */
  async check(): Promise<StoredRecord[]> {
    const stored = await readRecords(this.log);
    const byOffset = new Map(this.model.map((r) => [r.offset, r]));
    for (const record of stored) {
      const appended = byOffset.get(record.offset);
      assert.ok(appended, `record at ${record.offset} was appended`);
      assert.deepEqual([record.key, record.value], [appended.key, appended.value], `record at ${record.offset}`);
    }
    assert.deepEqual(latestValues(stored), latestValues(this.model), 'latest values');
    const storedOffsets = new Set(stored.map((r) => r.offset));
    for (const record of this.model) {
      if (record.key === null) assert.ok(storedOffsets.has(record.offset), `null-key record ${record.offset} kept`);
    }
    return stored;
  }
}

test('compaction keeps every key\'s latest value and removes only what it may, against a model', { timeout: 180_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(config, fc.array(command, { minLength: 1, maxLength: 50, size: 'max' }), async (cfg, commands) => {
      const harness = new Harness(cfg);
      await harness.fs.mkdir('/data');
      await harness.fs.syncDirectory('/');
      await harness.open();
      for (const c of commands) {
        await harness.run(c);
        await harness.check();
      }
      // Past every delay and lag, compacted until nothing is dirty: one record per live key.
      unwrap(await harness.log.roll());
      harness.clock.advance(10_000);
      await harness.run({ kind: 'put', records: [{ key: null, tombstone: false }], codec: CompressionCodec.None });
      for (let round = 0; round < 100 && harness.log.dirtyRatio > 0; round++) await harness.compact();
      await harness.compact();
      const stored = await harness.check();
      const keyed = stored.filter((r) => r.key !== null);
      const latest = latestValues(harness.model);
      assert.deepEqual(keyed.map((r) => [r.key, r.value]).sort(), [...latest].sort(), 'exactly the live keys, once each');
      unwrap(await harness.log.close());
      await checkCompactedFiles(harness.fs, DIR);
    }),
    { numRuns: 100 },
  );
});
