import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '@tributary/raft';
import { logKey, RaftStorage } from './raft-storage.js';

const entry = (index: number, term: number, text = `e${index}`): Entry => ({ index, term, kind: 'normal', data: new TextEncoder().encode(text) });

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-storage-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

async function open(dir: string): Promise<RaftStorage> {
  const opened = await RaftStorage.open(dir);
  assert.ok(opened.ok);
  return opened.value;
}

test('log keys sort in index order', () => {
  assert.equal(logKey(7), 'log/00000000000000000007');
  assert.ok(logKey(9) < logKey(10));
});

test('an empty directory loads as the initial state', async () => withDir(async (dir) => {
  const storage = await open(dir);
  const loaded = await storage.load();
  assert.ok(loaded.ok);
  assert.deepEqual(loaded.value, { hardState: { term: 0, votedFor: undefined, commitIndex: 0 }, entries: [] });
  await storage.close();
}));

test('hard state and entries round-trip across a reopen', async () => withDir(async (dir) => {
  const storage = await open(dir);
  await storage.load();
  const noop: Entry = { index: 1, term: 1, kind: 'noop', data: new Uint8Array() };
  assert.ok((await storage.write({ hardState: { term: 1, votedFor: 'a', commitIndex: 1 }, entriesToPersist: [noop, entry(2, 1)], truncateFrom: undefined })).ok);
  assert.ok((await storage.write({ hardState: undefined, entriesToPersist: [entry(3, 1)], truncateFrom: undefined })).ok);
  await storage.close();
  const reopened = await open(dir);
  const loaded = await reopened.load();
  assert.ok(loaded.ok);
  assert.deepEqual(loaded.value.hardState, { term: 1, votedFor: 'a', commitIndex: 1 });
  assert.deepEqual(loaded.value.entries, [noop, entry(2, 1), entry(3, 1)]);
  await reopened.close();
}));

test('a truncate-and-append batch replaces the conflicting suffix atomically', async () => withDir(async (dir) => {
  const storage = await open(dir);
  await storage.load();
  await storage.write({ hardState: { term: 1, votedFor: 'a', commitIndex: 2 }, entriesToPersist: [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)], truncateFrom: undefined });
  // A new leader of term 2 overwrote from index 3 on, with a shorter log.
  const written = await storage.write({ hardState: { term: 2, votedFor: undefined, commitIndex: 2 }, entriesToPersist: [entry(3, 2, 'new3')], truncateFrom: 3 });
  assert.ok(written.ok);
  await storage.close();
  const reopened = await open(dir);
  const loaded = await reopened.load();
  assert.ok(loaded.ok);
  assert.deepEqual(loaded.value.entries, [entry(1, 1), entry(2, 1), entry(3, 2, 'new3')]);
  assert.deepEqual(loaded.value.hardState, { term: 2, votedFor: undefined, commitIndex: 2 });
  // Appending after a reload continues from the reloaded tail.
  await reopened.write({ hardState: undefined, entriesToPersist: [entry(4, 2)], truncateFrom: undefined });
  const again = await reopened.load();
  assert.ok(again.ok);
  assert.deepEqual(again.value.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 1], [3, 2], [4, 2]]);
  await reopened.close();
}));

test('entries overlapping the persisted tail discard it even without a truncation point', async () => withDir(async (dir) => {
  const storage = await open(dir);
  await storage.load();
  await storage.write({ hardState: undefined, entriesToPersist: [entry(1, 1), entry(2, 1), entry(3, 1)], truncateFrom: undefined });
  await storage.write({ hardState: undefined, entriesToPersist: [entry(2, 3)], truncateFrom: undefined });
  const loaded = await storage.load();
  assert.ok(loaded.ok);
  assert.deepEqual(loaded.value.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 3]]);
  await storage.close();
}));

test('opening an unusable directory is a typed error', async () => withDir(async (dir) => {
  const first = await open(dir);
  const second = await RaftStorage.open(dir); // LevelDB's lock is held by the first
  assert.equal(second.ok, false);
  if (!second.ok) assert.equal(second.error.name, 'RaftStorageError');
  await first.close();
}));
