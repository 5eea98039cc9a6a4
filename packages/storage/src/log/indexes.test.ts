import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '@tributary/common';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

test('offset index: lookups find the last entry at or below an offset; truncation and reload', async () => {
  const fs = new MemoryFileSystem();
  const index = new OffsetIndex('/i.index', fs, 100, 80);
  assert.deepEqual(index.lookup(150), { offset: 100, position: 0 }, 'empty: the segment start');
  index.append(110, 500);
  index.append(120, 900);
  index.append(135, 1400);
  assert.deepEqual(index.lookup(109), { offset: 100, position: 0 });
  assert.deepEqual(index.lookup(110), { offset: 110, position: 500 });
  assert.deepEqual(index.lookup(134), { offset: 120, position: 900 });
  assert.deepEqual(index.lookup(10_000), { offset: 135, position: 1400 });
  assert.throws(() => index.append(130, 2000), /does not follow/);
  await index.persist();
  assert.equal((await fs.readFile('/i.index')).length, 24);
  index.truncateTo(120);
  assert.equal(index.entryCount, 1);
  await index.persist();
  assert.equal((await fs.readFile('/i.index')).length, 8, 'the file is cut too');
  await index.closeHandle();

  const loaded = new OffsetIndex('/i.index', fs, 100, 80, Buffer.concat([await fs.readFile('/i.index'), Buffer.from([1, 2, 3])]));
  assert.equal(loaded.entryCount, 1, 'a partial entry is dropped');
  assert.ok(!loaded.fileMatchesMemory);
  assert.ok(loaded.isPlausible(501, 111));
  assert.ok(!loaded.isPlausible(500, 111), 'a position past the log');
  assert.ok(!loaded.isPlausible(501, 110), 'an offset past the end');
});

test('offset index: full at segmentIndexBytes / 8 entries', () => {
  const index = new OffsetIndex('/f.index', new MemoryFileSystem(), 0, 8 * 5);
  for (let i = 1; i <= 5; i++) index.append(i, i * 10);
  assert.ok(index.isFull);
});

test('time index: only growing timestamps are kept; lookup gives where to start scanning', () => {
  const index = new TimeIndex('/t.timeindex', new MemoryFileSystem(), 1000, 120);
  assert.equal(index.lookup(5), 1000);
  index.maybeAppend(50, 1000);
  index.maybeAppend(40, 1005); // not above 50: skipped
  index.maybeAppend(50, 1006); // equal: skipped
  index.maybeAppend(70, 1010);
  index.maybeAppend(90, 1020);
  assert.equal(index.entryCount, 3);
  assert.equal(index.lookup(49), 1000, 'below every entry: the segment start');
  assert.equal(index.lookup(50), 1000);
  assert.equal(index.lookup(69), 1000);
  assert.equal(index.lookup(70), 1010);
  assert.equal(index.lookup(1e15), 1020);
  assert.deepEqual(index.lastEntry(), { timestamp: 90, offset: 1020 });
  index.truncateTo(1010);
  assert.deepEqual(index.lastEntry(), { timestamp: 50, offset: 1000 });
  assert.ok(index.isPlausible(1001));
  assert.ok(!index.isPlausible(1000));
});
