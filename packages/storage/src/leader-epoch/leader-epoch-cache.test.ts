import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, leaderEpoch } from '@tributary/common';
import { LeaderEpochCache, UNDEFINED_EPOCH, type EpochEndOffset } from './leader-epoch-cache.js';
import type { EpochEntry } from './leader-epoch-checkpoint.js';

const e = leaderEpoch;
const entry = (epoch: number, startOffset: number): EpochEntry => ({ epoch: e(epoch), startOffset });
const answer = (epoch: number, endOffset: number): EpochEndOffset => ({ epoch: e(epoch), endOffset });
const UNDEFINED = answer(-1, -1);

function cacheOf(...pairs: Array<[number, number]>): LeaderEpochCache {
  const cache = LeaderEpochCache.inMemory();
  for (const [epoch, start] of pairs) assert.ok(cache.assign(e(epoch), start).ok);
  return cache;
}

const entriesOf = (cache: LeaderEpochCache): Array<[number, number]> => cache.epochEntries().map((x) => [x.epoch, x.startOffset]);

test('an empty cache knows nothing', () => {
  const cache = LeaderEpochCache.inMemory();
  assert.equal(cache.isEmpty, true);
  assert.equal(cache.latestEpoch, undefined);
  assert.equal(cache.latestEntry(), undefined);
  assert.equal(cache.earliestEntry(), undefined);
  assert.deepEqual(cache.endOffsetFor(e(0), 10), UNDEFINED);
  assert.deepEqual(cache.endOffsetFor(UNDEFINED_EPOCH, 10), UNDEFINED);
  assert.equal(cache.epochForOffset(0), undefined);
});

test('assign appends new epochs; the latest epoch again changes nothing', () => {
  const cache = cacheOf([1, 0], [3, 10]);
  assert.deepEqual(cache.assign(e(3), 10), { ok: true, value: false });
  assert.deepEqual(cache.assign(e(3), 25), { ok: true, value: false }, 'later batches of the same epoch');
  assert.deepEqual(cache.assign(e(4), 30), { ok: true, value: true });
  assert.deepEqual(entriesOf(cache), [[1, 0], [3, 10], [4, 30]]);
  assert.equal(cache.latestEpoch, 4);
  assert.deepEqual(cache.earliestEntry(), entry(1, 0));
});

test('the latest epoch at an earlier offset moves its start back, dropping what it overlaps', () => {
  const cache = cacheOf([5, 11], [6, 12], [7, 13]);
  assert.deepEqual(cache.assign(e(7), 12), { ok: true, value: true });
  assert.deepEqual(entriesOf(cache), [[5, 11], [7, 12]]);
  assert.deepEqual(cache.endOffsetFor(e(5), 20), answer(5, 12));
  assert.deepEqual(cache.endOffsetFor(e(6), 20), answer(5, 12));
});

test('a new epoch starting at or before existing entries drops them (their epochs hold no records)', () => {
  const cache = cacheOf([1, 0], [2, 5], [3, 10]);
  cache.assign(e(4), 5);
  assert.deepEqual(entriesOf(cache), [[1, 0], [4, 5]]);
  cache.assign(e(6), 5); // epoch 4 never got a record
  assert.deepEqual(entriesOf(cache), [[1, 0], [6, 5]]);
  cache.assign(e(7), 0);
  assert.deepEqual(entriesOf(cache), [[7, 0]]);
});

test('a lower epoch is rejected with a typed error and changes nothing', () => {
  const cache = cacheOf([2, 0], [4, 10]);
  for (const [epoch, start] of [[3, 20], [3, 5], [0, 0]] as const) {
    const result = cache.assign(e(epoch), start);
    assert.ok(!result.ok);
    assert.equal(result.error.name, 'LeaderEpochAssignError');
    assert.equal(result.error.kind, 'epoch-regression');
  }
  assert.deepEqual(entriesOf(cache), [[2, 0], [4, 10]]);
});

test('invalid epochs and offsets are rejected', () => {
  const cache = LeaderEpochCache.inMemory();
  for (const [epoch, start] of [[-1, 0], [0, -1], [2 ** 31, 0], [1.5, 0], [0, 2 ** 53], [0, 0.5], [0, Number.NaN]] as const) {
    const result = cache.assign(e(epoch), start);
    assert.ok(!result.ok && result.error.kind === 'invalid-entry', `${epoch} ${start}`);
  }
  assert.ok(cache.assign(e(2 ** 31 - 1), Number.MAX_SAFE_INTEGER).ok, 'the largest int32 epoch and safe-integer offset');
});

test('endOffsetFor: the largest epoch <= requested and the start of the next one', () => {
  const cache = cacheOf([2, 10], [5, 20], [8, 30]);
  const logEnd = 42;
  assert.deepEqual(cache.endOffsetFor(e(2), logEnd), answer(2, 20));
  assert.deepEqual(cache.endOffsetFor(e(3), logEnd), answer(2, 20), 'an epoch this replica never saw');
  assert.deepEqual(cache.endOffsetFor(e(4), logEnd), answer(2, 20));
  assert.deepEqual(cache.endOffsetFor(e(5), logEnd), answer(5, 30));
  assert.deepEqual(cache.endOffsetFor(e(7), logEnd), answer(5, 30));
  assert.deepEqual(cache.endOffsetFor(e(8), logEnd), answer(8, 42), 'the latest epoch ends at the log end');
  assert.deepEqual(cache.endOffsetFor(e(9), logEnd), UNDEFINED, 'above the latest');
  assert.deepEqual(cache.endOffsetFor(UNDEFINED_EPOCH, logEnd), UNDEFINED);
});

test('endOffsetFor below the first epoch: the requested epoch and the first start offset (KIP-279)', () => {
  const cache = cacheOf([5, 11], [6, 12], [7, 13]);
  assert.deepEqual(cache.endOffsetFor(e(4), 0), answer(4, 11));
  assert.deepEqual(cache.endOffsetFor(e(0), 0), answer(0, 11));
});

test('KIP-101: a follower finds where its log diverged from the leader', () => {
  // Both wrote epoch 0 to offset 5. The follower then led epoch 1 briefly (offsets 5..7, never
  // replicated); the leader of epoch 2 wrote from offset 5 on.
  const leader = cacheOf([0, 0], [2, 5]);
  const follower = cacheOf([0, 0], [1, 5]);
  const { epoch, endOffset } = leader.endOffsetFor(follower.latestEpoch!, 9);
  assert.deepEqual({ epoch, endOffset }, answer(0, 5));
  // The follower truncates to min(its log end, the leader's answer) and drops its epoch 1.
  assert.deepEqual(follower.truncateFromEnd(endOffset), [entry(1, 5)]);
  assert.ok(follower.assign(e(2), 5).ok);
  assert.deepEqual(entriesOf(follower), entriesOf(leader));
});

test('epochForOffset: the epoch in force at an offset', () => {
  const cache = cacheOf([2, 10], [5, 20]);
  assert.equal(cache.epochForOffset(9), undefined);
  assert.equal(cache.epochForOffset(10), 2);
  assert.equal(cache.epochForOffset(19), 2);
  assert.equal(cache.epochForOffset(20), 5);
  assert.equal(cache.epochForOffset(1000), 5);
});

test('truncateFromEnd drops the epochs starting at or after the new log end', () => {
  const cache = cacheOf([1, 0], [2, 5], [3, 10]);
  assert.deepEqual(cache.truncateFromEnd(100), []);
  assert.deepEqual(cache.truncateFromEnd(-1), [], 'undefined offset: nothing');
  assert.deepEqual(cache.truncateFromEnd(10), [entry(3, 10)]);
  assert.deepEqual(cache.truncateFromEnd(6), [], 'epoch 2 keeps offset 5');
  assert.deepEqual(cache.truncateFromEnd(5), [entry(2, 5)]);
  assert.deepEqual(cache.truncateFromEnd(0), [entry(1, 0)]);
  assert.equal(cache.isEmpty, true);
});

test('truncateFromStart drops epochs wholly before the new log start and moves the first kept one up', () => {
  const cache = cacheOf([1, 0], [2, 5], [3, 10]);
  assert.deepEqual(cache.truncateFromStart(0), [], 'already starts there');
  assert.deepEqual(cache.truncateFromStart(3), [entry(1, 0)]);
  assert.deepEqual(entriesOf(cache), [[1, 3], [2, 5], [3, 10]]);
  assert.deepEqual(cache.truncateFromStart(7), [entry(1, 3), entry(2, 5)]);
  assert.deepEqual(entriesOf(cache), [[2, 7], [3, 10]]);
  assert.deepEqual(cache.truncateFromStart(10), [entry(2, 7), entry(3, 10)], 'an entry exactly at the new start is kept');
  assert.deepEqual(entriesOf(cache), [[3, 10]]);
  assert.deepEqual(cache.truncateFromStart(50), [entry(3, 10)], 'past every start: the latest epoch starts there');
  assert.deepEqual(entriesOf(cache), [[3, 50]]);
});

test('clear empties the cache', () => {
  const cache = cacheOf([1, 0]);
  cache.clear();
  assert.equal(cache.isEmpty, true);
});

test('load, flush and reload through a file system', async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/p0');
  await fs.syncDirectory('/');
  const path = '/p0/leader-epoch-checkpoint';
  const loaded = await LeaderEpochCache.load(fs, path);
  assert.ok(loaded.ok);
  const cache = loaded.value;
  assert.equal(cache.isEmpty, true, 'a missing file is an empty cache');
  assert.equal(cache.hasUnflushedChanges, false);
  cache.assign(e(1), 0);
  cache.assign(e(4), 100);
  assert.equal(cache.hasUnflushedChanges, true);
  assert.deepEqual(await cache.flush(), { ok: true, value: undefined });
  assert.equal(cache.hasUnflushedChanges, false);
  assert.equal((await fs.readFile(path)).toString(), '0\n2\n1 0\n4 100\n');
  fs.crash();
  const reloaded = await LeaderEpochCache.load(fs, path);
  assert.ok(reloaded.ok);
  assert.deepEqual(reloaded.value.epochEntries(), [entry(1, 0), entry(4, 100)]);
});

test('an in-memory cache flushes to nowhere', async () => {
  const cache = cacheOf([1, 0]);
  assert.equal(cache.hasUnflushedChanges, false);
  assert.deepEqual(await cache.flush(), { ok: true, value: undefined });
});
