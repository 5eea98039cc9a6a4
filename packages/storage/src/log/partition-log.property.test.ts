/**
 * The log against a model written the obvious way (an array of batches with their offsets), over
 * random sequences of appends (random batch sizes, several batches per blob), reads (random
 * offsets, byte limits, minOneBatch), timestamp lookups, truncations, rolls, DeleteRecords,
 * retention, clock steps, and close-and-reopen (clean, unclean, power loss). The whole log is
 * compared with the model after every step, and its files checked at every reopen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryFileSystem } from '@tributary/common';
import type { LogConfig } from './log-config.js';
import { InvalidBatchError, OffsetOutOfRangeError } from './log-errors.js';
import { PartitionLog } from './partition-log.js';
import { batchesOf, producerBatch, unwrap } from './testing/batches.js';
import { checkLogFiles } from './testing/check-log-files.js';
import { ManualClock } from './testing/manual-clock.js';

const DIR = '/data/m-0';

interface ModelBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly bytes: Buffer;
  /** Record i has offset baseOffset + i and timestamp firstTimestamp + i. */
  readonly firstTimestamp: number;
}

class Model {
  batches: ModelBatch[] = [];
  logStartOffset = 0;
  logEndOffset = 0;

  /** Batches from the one holding the log start. */
  visible(): ModelBatch[] {
    return this.batches.filter((b) => b.lastOffset >= this.logStartOffset);
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    if (offset < this.logStartOffset) {
      this.batches = [];
      this.logStartOffset = this.logEndOffset = offset;
      return;
    }
    const cut = this.batches.findIndex((b) => b.lastOffset >= offset);
    this.logEndOffset = this.batches[cut].baseOffset;
    this.batches = this.batches.slice(0, cut);
    this.logStartOffset = Math.min(this.logStartOffset, this.logEndOffset);
  }

  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    for (const batch of this.visible()) {
      for (let offset = batch.baseOffset; offset <= batch.lastOffset; offset++) {
        const recordTimestamp = batch.firstTimestamp + (offset - batch.baseOffset);
        if (offset >= this.logStartOffset && recordTimestamp >= timestamp) return { offset, timestamp: recordTimestamp };
      }
    }
    return null;
  }
}

type Command =
  | { kind: 'append'; batches: Array<{ records: number; valueBytes: number; timeShift: number }> }
  | { kind: 'read'; at: number; maxBytes: number; minOneBatch: boolean }
  | { kind: 'timestamp'; shift: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'roll' }
  | { kind: 'delete-records'; at: number }
  | { kind: 'retention' }
  | { kind: 'advance'; ms: number }
  | { kind: 'reopen'; how: 'clean' | 'unclean' | 'power-loss' };

/** `at` in [0, 1] picks an offset from a little below the log start to a little past the end. */
const at = fc.double({ min: 0, max: 1, noNaN: true });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('append' as const), batches: fc.array(fc.record({ records: fc.integer({ min: 1, max: 5 }), valueBytes: fc.integer({ min: 0, max: 400 }), timeShift: fc.integer({ min: -2000, max: 2000 }) }), { minLength: 1, maxLength: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), at, maxBytes: fc.integer({ min: 0, max: 3000 }), minOneBatch: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('timestamp' as const), shift: fc.integer({ min: -3000, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-records' as const), at }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'retention' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 5000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), how: fc.constantFrom('clean' as const, 'unclean' as const, 'power-loss' as const) }) },
);

const config: fc.Arbitrary<Partial<LogConfig>> = fc.record({
  segmentBytes: fc.integer({ min: 400, max: 4000 }),
  indexIntervalBytes: fc.integer({ min: 1, max: 600 }),
  segmentIndexBytes: fc.integer({ min: 24, max: 240 }),
  segmentMs: fc.integer({ min: 500, max: 20_000 }),
  retentionMs: fc.constantFrom(-1, 3000, 15_000),
  retentionBytes: fc.constantFrom(-1, 0, 1500, 5000),
  loadedIndexesMax: fc.integer({ min: 1, max: 3 }),
  scanChunkBytes: fc.constantFrom(64, 1000, 1 << 20),
});

class Harness {
  readonly fs = new MemoryFileSystem();
  readonly clock = new ManualClock();
  readonly model = new Model();
  log!: PartitionLog;

  constructor(readonly config: Partial<LogConfig>) {}

  async open(): Promise<void> {
    this.log = unwrap(await PartitionLog.open({ dir: DIR, fs: this.fs, clock: this.clock, config: this.config }));
  }

  offsetAt(fraction: number): number {
    const { logStartOffset, logEndOffset } = this.model;
    return Math.floor(logStartOffset - 2 + fraction * (logEndOffset - logStartOffset + 4));
  }

  async run(c: Command): Promise<void> {
    const { log, model } = this;
    switch (c.kind) {
      case 'append':
        return this.append(c.batches);
      case 'read':
        return this.read(this.offsetAt(c.at), c.maxBytes, c.minOneBatch);
      case 'timestamp':
        assert.deepEqual(unwrap(await log.offsetForTimestamp(this.clock.nowMs() + c.shift)), model.offsetForTimestamp(this.clock.nowMs() + c.shift));
        return;
      case 'truncate': {
        const offset = Math.max(0, this.offsetAt(c.at));
        model.truncateTo(offset);
        assert.equal(unwrap(await log.truncateTo(offset)), model.logEndOffset);
        return;
      }
      case 'roll':
        unwrap(await log.roll());
        return;
      case 'delete-records':
        return this.deleteRecords(this.offsetAt(c.at));
      case 'retention': {
        const before = log.logStartOffset;
        unwrap(await log.enforceRetention());
        assert.ok(log.logStartOffset >= before);
        // Where retention cut depends on the segment layout: take the log's word, then check the rest.
        model.logStartOffset = log.logStartOffset;
        if (log.logStartOffset > before) assert.ok(model.batches.some((b) => b.baseOffset === log.logStartOffset) || log.logStartOffset === model.logEndOffset, 'retention cuts at a batch start');
        return;
      }
      case 'advance':
        this.clock.advance(c.ms);
        return;
      case 'reopen':
        return this.reopen(c.how);
    }
  }

  private async append(specs: Array<{ records: number; valueBytes: number; timeShift: number }>): Promise<void> {
    const made = await Promise.all(specs.map(async (s, i) => ({ ...s, bytes: await producerBatch({ records: s.records, valueBytes: s.valueBytes, timestamp: this.clock.nowMs() + s.timeShift, seed: i }) })));
    const blob = Buffer.concat(made.map((m) => m.bytes));
    const result = await this.log.appendAsLeader(blob, { leaderEpoch: 3 });
    if (blob.length > (this.config.segmentBytes ?? Infinity)) {
      assert.ok(!result.ok && result.error instanceof InvalidBatchError && result.error.kind === 'too-large', 'larger than a segment');
      return;
    }
    const info = unwrap(result);
    assert.equal(info.baseOffset, this.model.logEndOffset);
    let position = 0;
    for (const m of made) {
      const baseOffset = this.model.logEndOffset;
      this.model.batches.push({ baseOffset, lastOffset: baseOffset + m.records - 1, bytes: Buffer.from(blob.subarray(position, position + m.bytes.length)), firstTimestamp: this.clock.nowMs() + m.timeShift });
      position += m.bytes.length;
      this.model.logEndOffset += m.records;
    }
    assert.equal(info.lastOffset, this.model.logEndOffset - 1);
  }

  private async read(offset: number, maxBytes: number, minOneBatch: boolean): Promise<void> {
    const result = await this.log.read(offset, { maxBytes, minOneBatch });
    const { logStartOffset, logEndOffset } = this.model;
    if (offset < logStartOffset || offset > logEndOffset) {
      assert.ok(!result.ok && result.error instanceof OffsetOutOfRangeError, `read at ${offset} out of [${logStartOffset}, ${logEndOffset}]`);
      return;
    }
    const got = batchesOf(unwrap(result).records);
    const from = this.model.batches.findIndex((b) => b.lastOffset >= offset);
    const expected = from < 0 ? [] : this.model.batches.slice(from);
    // A read stops at a segment's end, which the model does not know: it must be a prefix.
    got.forEach((b, i) => assert.deepEqual(b.bytes, expected[i].bytes, `batch ${i} of the read at ${offset}`));
    const bytes = got.reduce((n, b) => n + b.bytes.length, 0);
    assert.ok(bytes <= maxBytes || (minOneBatch && got.length === 1), 'within maxBytes');
    if (expected.length > 0 && (minOneBatch || expected[0].bytes.length <= maxBytes)) assert.ok(got.length > 0, `progress at ${offset}`);
  }

  private async deleteRecords(offset: number): Promise<void> {
    const result = await this.log.deleteRecordsBefore(offset);
    if (offset > this.model.logEndOffset) {
      assert.ok(!result.ok && result.error instanceof OffsetOutOfRangeError);
      return;
    }
    this.model.logStartOffset = Math.max(this.model.logStartOffset, offset);
    assert.equal(unwrap(result), this.model.logStartOffset);
  }

  private async reopen(how: 'clean' | 'unclean' | 'power-loss'): Promise<void> {
    if (how === 'clean') {
      unwrap(await this.log.close());
      await checkLogFiles(this.fs, DIR);
    }
    // Unclean: the old log is left open, as a killed process leaves its files. Power loss: every
    // acknowledged append was synced (every-append), and so was every truncation and deletion.
    if (how === 'power-loss') this.fs.crash();
    await this.open();
  }

  /** The whole log equals the model. */
  async check(): Promise<void> {
    const { log, model } = this;
    assert.equal(log.logStartOffset, model.logStartOffset, 'log start');
    assert.equal(log.logEndOffset, model.logEndOffset, 'log end');
    const stored: Buffer[] = [];
    for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
      const records = batchesOf(unwrap(await log.read(offset, { maxBytes: 1 << 20 })).records);
      assert.ok(records.length > 0, `read progress at ${offset}`);
      stored.push(...records.map((b) => b.bytes));
      offset = records.at(-1)!.lastOffset + 1;
    }
    assert.deepEqual(Buffer.concat(stored), Buffer.concat(model.visible().map((b) => b.bytes)));
  }
}

test('the log behaves as the model under random operations, reopenings and power loss', { timeout: 120_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(config, fc.array(command, { minLength: 1, maxLength: 60, size: 'max' }), async (cfg, commands) => {
      const harness = new Harness(cfg);
      await harness.fs.mkdir('/data');
      await harness.fs.syncDirectory('/');
      await harness.open();
      for (const c of commands) {
        await harness.run(c);
        await harness.check();
      }
      unwrap(await harness.log.close());
      await checkLogFiles(harness.fs, DIR);
    }),
    { numRuns: 120 },
  );
});
