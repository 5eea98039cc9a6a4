/**
 * The cache against a model written the obvious way (whole-list filters and scans, no binary
 * search, no in-place tail popping), over random sequences of operations in a small space of
 * epochs and offsets so that collisions are frequent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryFileSystem, leaderEpoch } from '@tributary/common';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { epochEntriesOrderProblem } from './leader-epoch-checkpoint.js';

interface ModelEntry {
  epoch: number;
  start: number;
}

class Model {
  entries: ModelEntry[] = [];

  assign(epoch: number, start: number): 'changed' | 'unchanged' | 'invalid-entry' | 'epoch-regression' {
    if (epoch < 0 || start < 0) return 'invalid-entry';
    const latest = this.entries.at(-1);
    if (latest !== undefined && epoch < latest.epoch) return 'epoch-regression';
    if (latest !== undefined && epoch === latest.epoch && start >= latest.start) return 'unchanged';
    this.entries = [...this.entries.filter((x) => x.epoch < epoch && x.start < start), { epoch, start }];
    return 'changed';
  }

  endOffsetFor(requested: number, logEnd: number): [number, number] {
    const latest = this.entries.at(-1);
    if (requested === -1 || latest === undefined) return [-1, -1];
    if (latest.epoch === requested) return [requested, logEnd];
    const atOrBelow = this.entries.filter((x) => x.epoch <= requested);
    const above = this.entries.filter((x) => x.epoch > requested);
    if (above.length === 0) return [-1, -1];
    if (atOrBelow.length === 0) return [requested, above[0]!.start];
    return [atOrBelow.at(-1)!.epoch, above[0]!.start];
  }

  epochForOffset(offset: number): number | undefined {
    return this.entries.filter((x) => x.start <= offset).at(-1)?.epoch;
  }

  truncateFromEnd(endOffset: number): void {
    if (endOffset >= 0) this.entries = this.entries.filter((x) => x.start < endOffset);
  }

  truncateFromStart(startOffset: number): void {
    const before = this.entries.filter((x) => x.start <= startOffset);
    if (before.length === 0) return;
    this.entries = [{ epoch: before.at(-1)!.epoch, start: startOffset }, ...this.entries.filter((x) => x.start > startOffset)];
  }
}

type Command =
  | { op: 'assign'; epoch: number; start: number }
  | { op: 'truncateFromEnd'; offset: number }
  | { op: 'truncateFromStart'; offset: number }
  | { op: 'clear' }
  | { op: 'flushAndReload' };

const EPOCHS = 12;
const OFFSETS = 40;

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('assign' as const), epoch: fc.integer({ min: -1, max: EPOCHS }), start: fc.integer({ min: -1, max: OFFSETS }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('truncateFromEnd' as const), offset: fc.integer({ min: -1, max: OFFSETS + 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('truncateFromStart' as const), offset: fc.integer({ min: 0, max: OFFSETS + 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('flushAndReload' as const) }) },
);

function assignOutcome(cache: LeaderEpochCache, epoch: number, start: number): string {
  const result = cache.assign(leaderEpoch(epoch), start);
  if (!result.ok) return result.error.kind;
  return result.value ? 'changed' : 'unchanged';
}

function assertSameAnswers(cache: LeaderEpochCache, model: Model): void {
  const entries = cache.epochEntries();
  assert.deepEqual(entries.map((x) => ({ epoch: x.epoch as number, start: x.startOffset })), model.entries);
  assert.equal(epochEntriesOrderProblem(entries), null, 'epochs and start offsets strictly increasing');
  assert.equal(cache.latestEpoch, model.entries.at(-1)?.epoch);
  const logEnd = 1000;
  for (let epoch = -1; epoch <= EPOCHS + 1; epoch++) {
    const { epoch: got, endOffset } = cache.endOffsetFor(leaderEpoch(epoch), logEnd);
    assert.deepEqual([got as number, endOffset], model.endOffsetFor(epoch, logEnd), `endOffsetFor(${epoch})`);
  }
  for (let offset = 0; offset <= OFFSETS + 1; offset++) {
    assert.equal(cache.epochForOffset(offset), model.epochForOffset(offset), `epochForOffset(${offset})`);
  }
}

test('LeaderEpochCache behaves as the model over random operation sequences, through flushes and reloads', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
      const fs = new MemoryFileSystem();
      const path = '/leader-epoch-checkpoint';
      let cache = (await LeaderEpochCache.load(fs, path)) as { ok: true; value: LeaderEpochCache };
      const model = new Model();
      for (const c of commands) {
        if (c.op === 'assign') assert.equal(assignOutcome(cache.value, c.epoch, c.start), model.assign(c.epoch, c.start));
        else if (c.op === 'truncateFromEnd') {
          cache.value.truncateFromEnd(c.offset);
          model.truncateFromEnd(c.offset);
        } else if (c.op === 'truncateFromStart') {
          cache.value.truncateFromStart(c.offset);
          model.truncateFromStart(c.offset);
        } else if (c.op === 'clear') {
          cache.value.clear();
          model.entries = [];
        } else {
          assert.ok((await cache.value.flush()).ok);
          fs.crash(); // a flush is durable on return
          const reloaded = await LeaderEpochCache.load(fs, path);
          assert.ok(reloaded.ok, reloaded.ok ? '' : reloaded.error.message);
          cache = reloaded;
        }
        assertSameAnswers(cache.value, model);
      }
    }),
    { numRuns: 300 },
  );
});
