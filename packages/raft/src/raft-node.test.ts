import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@tributary/common';
import { RaftNode } from './raft-node.js';
import type { Message, NodeId } from './types.js';

const ids = ['a', 'b', 'c'];

/** A tiny synchronous harness: lossless delivery except across `cut` links. */
function cluster(voters: NodeId[] = ids) {
  const nodes = new Map(voters.map((id, i) => [id, new RaftNode({ id, voters, electionTimeoutTicks: 10, heartbeatTicks: 2, random: seededRandom(i + 1) })]));
  const cut = new Set<string>();
  const queue: Message[] = [];
  const drain = (): void => {
    for (let guard = 0; guard < 10_000; guard++) {
      for (const n of nodes.values()) {
        if (!n.hasReady()) continue;
        const r = n.ready();
        queue.push(...r.messages);
        n.advance();
      }
      const m = queue.shift();
      if (m === undefined) return;
      if (!cut.has(m.from) && !cut.has(m.to)) nodes.get(m.to)!.step(m);
    }
    throw new Error('did not settle');
  };
  const tick = (n: number, only?: NodeId): void => {
    for (let i = 0; i < n; i++) {
      for (const node of nodes.values()) if (only === undefined || node.id === only) node.tick();
      drain();
    }
  };
  const leader = () => [...nodes.values()].find((n) => n.role === 'leader');
  return { nodes, cut, drain, tick, leader };
}

test('a leader is elected and appends a no-op in its term', () => {
  const c = cluster();
  c.tick(40);
  const leader = c.leader();
  assert.ok(leader);
  assert.equal([...c.nodes.values()].filter((n) => n.role === 'leader').length, 1);
  assert.equal(leader.entryAt(1)?.kind, 'noop');
  assert.equal(leader.entryAt(1)?.term, leader.term);
  for (const n of c.nodes.values()) assert.equal(n.leaderId, leader.id);
});

test('proposals replicate and commit on every node; followers refuse proposals', () => {
  const c = cluster();
  c.tick(40);
  const leader = c.leader()!;
  const follower = [...c.nodes.values()].find((n) => n !== leader)!;
  assert.equal(follower.propose(new Uint8Array([9])), undefined);
  const index = leader.propose(new Uint8Array([1, 2, 3]))!;
  c.drain();
  c.tick(4);
  for (const n of c.nodes.values()) {
    assert.ok(n.commitIndex >= index);
    assert.deepEqual([...n.entryAt(index)!.data], [1, 2, 3]);
  }
});

test('ready orders persistence before messages and hands committed entries once', () => {
  const n = new RaftNode({ id: 'a', voters: ['a'], electionTimeoutTicks: 10, heartbeatTicks: 2, random: seededRandom(1) });
  for (let i = 0; i < 25 && n.role !== 'leader'; i++) n.tick();
  assert.equal(n.role, 'leader');
  const r1 = n.ready();
  assert.equal(r1.hardState?.term, n.term);
  assert.equal(r1.hardState?.votedFor, 'a');
  assert.equal(r1.entriesToPersist.length, 1);
  assert.equal(r1.committedEntries.length, 1);
  n.advance();
  n.propose(new Uint8Array([5]));
  const r2 = n.ready();
  assert.deepEqual(r2.entriesToPersist.map((e) => e.index), [2]);
  assert.deepEqual(r2.committedEntries.map((e) => e.index), [2]);
  n.advance();
  assert.equal(n.hasReady(), false);
});

test('pre-vote: a partitioned node does not raise its term nor disrupt the leader on rejoin', () => {
  const c = cluster();
  c.tick(40);
  const leader = c.leader()!;
  const term = leader.term;
  const loner = [...c.nodes.values()].find((n) => n !== leader)!;
  c.cut.add(loner.id);
  c.tick(200);
  assert.equal(loner.term, term, 'pre-vote failed, so no real election was started');
  c.cut.delete(loner.id);
  c.tick(50);
  assert.equal(c.leader(), leader);
  assert.equal(leader.term, term);
  assert.equal(loner.leaderId, leader.id);
});

test('a stale leader is fenced by the higher term and its uncommitted entries are truncated', () => {
  const c = cluster();
  c.tick(40);
  const old = c.leader()!;
  c.cut.add(old.id);
  const stale = old.propose(new Uint8Array([0xde, 0xad]))!;
  c.tick(100);
  const fresh = c.leader()!;
  assert.notEqual(fresh, old);
  assert.ok(fresh.term > old.term);
  const good = fresh.propose(new Uint8Array([0xbe, 0xef]))!;
  c.drain();
  assert.equal(old.commitIndex < stale, true, 'the isolated leader cannot commit alone');
  c.cut.delete(old.id);
  c.tick(20);
  assert.equal(old.role, 'follower');
  assert.equal(old.term, fresh.term);
  assert.ok(old.commitIndex >= good);
  for (let i = 1; i <= fresh.lastIndex; i++) assert.equal(old.entryAt(i), fresh.entryAt(i));
});

test('a lower-term message is rejected with the current term', () => {
  const n = new RaftNode({ id: 'a', voters: ids, electionTimeoutTicks: 10, heartbeatTicks: 2, random: seededRandom(1),
    persisted: { hardState: { term: 5, votedFor: undefined, commitIndex: 0 }, entries: [] } });
  n.step({ type: 'append', from: 'b', to: 'a', term: 3, prevLogIndex: 0, prevLogTerm: 0, entries: [], commitIndex: 0 });
  const r = n.ready();
  assert.equal(r.messages.length, 1);
  assert.equal(r.messages[0].type, 'appendResp');
  assert.equal(r.messages[0].term, 5);
  assert.equal(n.term, 5);
});

test('leadership transfer hands leadership to a caught-up target', () => {
  const c = cluster();
  c.tick(40);
  const leader = c.leader()!;
  const target = [...c.nodes.values()].find((n) => n !== leader)!;
  assert.equal(leader.transferLeadership(target.id), true);
  c.drain();
  c.tick(2);
  assert.equal(c.leader(), target);
});

test('tryPropose says why a proposal was refused and where the leader is', () => {
  const c = cluster();
  c.tick(40);
  const leader = c.leader()!;
  const [follower, other] = [...c.nodes.values()].filter((n) => n !== leader);
  assert.deepEqual(follower.tryPropose(new Uint8Array([1])), { ok: false, reason: 'not-leader', leaderHint: leader.id });
  const accepted = leader.tryPropose(new Uint8Array([2]));
  assert.deepEqual(accepted, { ok: true, index: leader.lastIndex });
  c.drain();
  c.cut.add(other.id); // the transfer cannot finish while the target is unreachable
  assert.equal(leader.transferLeadership(other.id), true);
  assert.deepEqual(leader.tryPropose(new Uint8Array([3])), { ok: false, reason: 'transferring', leaderHint: other.id });
  assert.equal(leader.propose(new Uint8Array([3])), undefined, 'propose keeps its number | undefined shape');
});
