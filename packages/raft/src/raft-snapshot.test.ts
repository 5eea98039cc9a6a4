import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@tributary/common';
import { RaftNode } from './raft-node.js';
import type { Entry, PersistedState, RaftMessage, Ready } from './types.js';

const voters = ['a', 'b', 'c'];
const bytes = (n: number): Uint8Array => new Uint8Array([n]);

function node(id: string, persisted?: PersistedState): RaftNode {
  return new RaftNode({ id, voters, electionTimeoutTicks: 10, heartbeatTicks: 2, random: seededRandom(voters.indexOf(id) + 1), persisted });
}

/** Lossless synchronous delivery; `down` nodes receive nothing. Returns every Ready handled. */
function drain(nodes: Map<string, RaftNode>, down: Set<string>, readies: Map<string, Ready[]>): void {
  const queue: RaftMessage[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    for (const n of nodes.values()) {
      if (!n.hasReady()) continue;
      const r = n.ready();
      readies.set(n.id, [...(readies.get(n.id) ?? []), r]);
      queue.push(...r.messages, ...(r.snapshotMessages ?? []));
      n.advance();
    }
    const m = queue.shift();
    if (m === undefined) return;
    if (!down.has(m.to) && !down.has(m.from)) nodes.get(m.to)!.step(m);
  }
  throw new Error('did not settle');
}

test('a lagging follower catches up through installSnapshot, then by appends', () => {
  const nodes = new Map(voters.map((id) => [id, node(id)]));
  const down = new Set(['c']);
  const readies = new Map<string, Ready[]>();
  for (let i = 0; i < 40 && ![...nodes.values()].some((n) => n.role === 'leader'); i++) {
    for (const id of ['a', 'b']) nodes.get(id)!.tick();
    drain(nodes, down, readies);
  }
  const leader = [...nodes.values()].find((n) => n.role === 'leader')!;
  for (let i = 1; i <= 10; i++) { leader.propose(bytes(i)); leader.tick(); drain(nodes, down, readies); }
  for (let i = 0; i < 4; i++) { leader.tick(); drain(nodes, down, readies); }
  assert.equal(leader.commitIndex, 11);
  assert.equal(nodes.get('c')!.lastIndex, 0);
  const snapData = bytes(99);
  leader.compact(leader.appliedIndex, snapData);
  assert.equal(leader.snapshotIndex, leader.commitIndex);
  assert.equal(leader.entryAt(leader.snapshotIndex), undefined);
  down.clear();
  readies.clear();
  leader.propose(bytes(11));
  for (let i = 0; i < 4; i++) { leader.tick(); drain(nodes, down, readies); }
  const c = nodes.get('c')!;
  const cReadies = readies.get('c')!;
  const withSnap = cReadies.find((r) => r.snapshot !== undefined);
  assert.ok(withSnap !== undefined, 'c received no snapshot');
  assert.equal(withSnap.snapshot!.data, snapData);
  assert.equal(withSnap.snapshot!.index, leader.snapshotIndex);
  const applied: Entry[] = cReadies.flatMap((r) => [...r.committedEntries]);
  assert.ok(applied.every((e) => e.index > withSnap.snapshot!.index), 'entries under the snapshot were handed out');
  assert.equal(c.commitIndex, leader.commitIndex);
  assert.equal(c.lastIndex, leader.lastIndex);
  assert.equal(c.entryAt(c.lastIndex), leader.entryAt(leader.lastIndex));
});

test('a node restarts from a snapshot plus the log after it', () => {
  const entries: Entry[] = [4, 5, 6].map((index) => ({ index, term: 2, kind: 'normal', data: bytes(index) }));
  const n = node('a', { hardState: { term: 2, votedFor: 'a', commitIndex: 5 }, entries, snapshot: { index: 3, term: 1, data: bytes(0) } });
  assert.equal(n.snapshotIndex, 3);
  assert.equal(n.termAt(3), 1);
  assert.equal(n.entryAt(3), undefined);
  assert.equal(n.lastIndex, 6);
  assert.equal(n.commitIndex, 5);
  const r = n.ready();
  assert.deepEqual(r.committedEntries.map((e) => e.index), [4, 5]);
  assert.equal(r.snapshot, undefined, 'the caller restores its own persisted snapshot');
  n.advance();
  // A commit persisted below the snapshot is raised to it.
  const m = node('b', { hardState: { term: 2, votedFor: undefined, commitIndex: 0 }, entries: [], snapshot: { index: 3, term: 1, data: bytes(0) } });
  assert.equal(m.commitIndex, 3);
  const rm = m.ready();
  assert.deepEqual(rm.committedEntries, []);
  assert.equal(rm.snapshot, undefined);
});

test('a follower already holding the snapshot\'s last entry keeps its suffix', () => {
  const entries: Entry[] = [1, 2, 3, 4, 5].map((index) => ({ index, term: 1, kind: 'normal', data: bytes(index) }));
  const f = node('b', { hardState: { term: 1, votedFor: undefined, commitIndex: 1 }, entries });
  f.step({ type: 'installSnapshot', from: 'a', to: 'b', term: 1, leaderId: 'a', lastIncludedIndex: 3, lastIncludedTerm: 1, data: bytes(7) });
  const r = f.ready();
  assert.deepEqual(r.snapshot, { index: 3, term: 1, data: bytes(7) });
  assert.equal(r.truncateFrom, undefined);
  assert.deepEqual(r.committedEntries, []);
  assert.deepEqual(r.messages.map((m) => m.type === 'appendResp' && !m.reject && m.index), [3]);
  f.advance();
  assert.equal(f.commitIndex, 3);
  assert.equal(f.snapshotIndex, 3);
  assert.equal(f.lastIndex, 5);
  assert.equal(f.entryAt(4), entries[3]);

  // A conflicting log is discarded instead.
  const g = node('c', { hardState: { term: 1, votedFor: undefined, commitIndex: 1 }, entries });
  g.step({ type: 'installSnapshot', from: 'a', to: 'c', term: 2, leaderId: 'a', lastIncludedIndex: 3, lastIncludedTerm: 2, data: bytes(8) });
  const rg = g.ready();
  assert.equal(rg.truncateFrom, 4);
  g.advance();
  assert.equal(g.lastIndex, 3);
  assert.equal(g.termAt(3), 2);
  assert.equal(g.commitIndex, 3);

  // A lower term is rejected.
  const h = node('a', { hardState: { term: 3, votedFor: undefined, commitIndex: 0 }, entries: [] });
  h.step({ type: 'installSnapshot', from: 'b', to: 'a', term: 2, leaderId: 'b', lastIncludedIndex: 3, lastIncludedTerm: 2, data: bytes(8) });
  const rh = h.ready();
  assert.equal(rh.snapshot, undefined);
  assert.deepEqual(rh.messages.map((m) => m.type === 'appendResp' && m.reject && m.term), [3]);
});
