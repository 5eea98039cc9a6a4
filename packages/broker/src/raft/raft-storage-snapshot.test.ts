import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, PersistedState } from '@tributary/raft';
import { RaftStorage } from './raft-storage.js';

const entry = (index: number, term: number): Entry => ({ index, term, kind: 'normal', data: new TextEncoder().encode(`e${index}`) });
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const hardState = { term: 2, votedFor: 'a', commitIndex: 3 };

async function withStorage(fn: (dir: string, reopen: () => Promise<RaftStorage>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-storage-snap-'));
  let current: RaftStorage | undefined;
  const reopen = async (): Promise<RaftStorage> => {
    await current?.close();
    const opened = await RaftStorage.open(dir);
    assert.ok(opened.ok);
    current = opened.value;
    return current;
  };
  try { await fn(dir, reopen); } finally { await current?.close(); await rm(dir, { recursive: true, force: true }); }
}

async function loaded(storage: RaftStorage): Promise<PersistedState> {
  const result = await storage.load();
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

test('compact stores the snapshot and drops the log through it, across a reopen', async () => withStorage(async (_dir, reopen) => {
  let storage = await reopen();
  await loaded(storage);
  assert.ok((await storage.write({ hardState, entriesToPersist: [1, 2, 3, 4, 5].map((i) => entry(i, i < 4 ? 1 : 2)), truncateFrom: undefined })).ok);
  assert.ok((await storage.compact(3, bytes('state@3'))).ok);
  assert.ok((await storage.compact(2, bytes('older'))).ok, 'compacting below the snapshot is a no-op');
  assert.equal((await storage.compact(9, bytes('x'))).ok, false, 'cannot compact past the log');
  storage = await reopen();
  const state = await loaded(storage);
  assert.deepEqual(state.snapshot, { index: 3, term: 1, data: bytes('state@3') });
  assert.deepEqual(state.entries, [entry(4, 2), entry(5, 2)]);
  assert.deepEqual(state.hardState, hardState);
  // The log keeps growing after the snapshot.
  assert.ok((await storage.write({ hardState: undefined, entriesToPersist: [entry(6, 2)], truncateFrom: undefined })).ok);
  storage = await reopen();
  assert.deepEqual((await loaded(storage)).entries.map((e) => e.index), [4, 5, 6]);
}));

test('a Ready snapshot inside the log keeps the entries after it', async () => withStorage(async (_dir, reopen) => {
  let storage = await reopen();
  await loaded(storage);
  assert.ok((await storage.write({ hardState, entriesToPersist: [1, 2, 3, 4].map((i) => entry(i, 1)), truncateFrom: undefined })).ok);
  assert.ok((await storage.write({ hardState: undefined, entriesToPersist: [], truncateFrom: undefined, snapshot: { index: 2, term: 1, data: bytes('s2') } })).ok);
  storage = await reopen();
  const state = await loaded(storage);
  assert.deepEqual(state.snapshot, { index: 2, term: 1, data: bytes('s2') });
  assert.deepEqual(state.entries, [entry(3, 1), entry(4, 1)]);
}));

test('a Ready snapshot past a conflicting log replaces it, atomically with the hard state', async () => withStorage(async (_dir, reopen) => {
  let storage = await reopen();
  await loaded(storage);
  assert.ok((await storage.write({ hardState, entriesToPersist: [1, 2, 3].map((i) => entry(i, 1)), truncateFrom: undefined })).ok);
  const installed = { term: 3, votedFor: undefined, commitIndex: 7 };
  assert.ok((await storage.write({ hardState: installed, entriesToPersist: [], truncateFrom: 1, snapshot: { index: 7, term: 3, data: bytes('s7') } })).ok);
  storage = await reopen();
  let state = await loaded(storage);
  assert.deepEqual(state, { hardState: installed, entries: [], snapshot: { index: 7, term: 3, data: bytes('s7') } });
  assert.ok((await storage.write({ hardState: undefined, entriesToPersist: [entry(8, 3), entry(9, 3)], truncateFrom: undefined })).ok);
  // A later conflict truncates after the snapshot only.
  assert.ok((await storage.write({ hardState: undefined, entriesToPersist: [entry(9, 4)], truncateFrom: 9 })).ok);
  storage = await reopen();
  state = await loaded(storage);
  assert.deepEqual(state.entries, [entry(8, 3), entry(9, 4)]);
  assert.equal(state.snapshot?.index, 7);
}));
