/**
 * Random sequences of joins, syncs, heartbeats, leaves, commits and time passing, from a few
 * simulated clients, with invariants checked after every step: generations only grow, a Stable
 * group's members all hold an assignment from its current generation, its leader is a member,
 * no request is answered twice (the harness throws), every request is eventually answered,
 * and acknowledged commits are what OffsetFetch and a replay of the records both return.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seededRandom } from '@tributary/common';
import type { JoinGroupResponse, OffsetCommitResponse } from '@tributary/protocol';
import { GroupCoordinator } from './group-coordinator.js';
import { Harness } from './testing/harness.js';

const G = 'prop';
/** How often the runs reached a Stable group holding assignments (the checks must see some). */
const reached = { stableWithAssignments: 0, replayedStable: 0 };

type Action =
  | { kind: 'join'; client: number }
  | { kind: 'sync'; client: number }
  | { kind: 'heartbeat'; client: number }
  | { kind: 'leave'; client: number }
  | { kind: 'commit'; client: number; partition: number; offset: number }
  | { kind: 'simple-commit'; partition: number; offset: number }
  | { kind: 'time'; ms: number };

const client = fc.integer({ min: 0, max: 3 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), client }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), client, partition: fc.integer({ min: 0, max: 3 }), offset: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('simple-commit' as const), partition: fc.integer({ min: 0, max: 3 }), offset: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 2_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 12_000 }) }) },
);

interface Client {
  memberId: string;
  generationId: number;
  joinResponse: JoinGroupResponse | null;
  pendingJoin: number | null;
}

function assignmentFor(generationId: number, memberId: string): Buffer {
  return Buffer.from(`${generationId}:${memberId}`);
}

/** A Stable or Empty group replays to the same generation, members and assignments. */
function compareWithReplay(h: Harness): void {
  const live = h.coordinator.snapshot(G);
  if (live?.state !== 'Stable' && live?.state !== 'Empty') return;
  const replayed = new GroupCoordinator({ random: seededRandom(4) });
  replayed.load(h.records, h.nowMs);
  const back = replayed.snapshot(G);
  if (live.state === 'Empty' && live.generationId === 0) return;
  assert.ok(back !== undefined);
  if (live.state === 'Stable') reached.replayedStable++;
  assert.equal(back.generationId, live.generationId);
  assert.equal(back.state, live.state);
  assert.deepEqual(back.members.map((m) => [m.memberId, m.assignment.toString()]), live.members.map((m) => [m.memberId, m.assignment.toString()]));
}

function run(actions: readonly Action[], initialDelayMs: number): void {
  const h = new Harness({ initialRebalanceDelayMs: initialDelayMs, minSessionTimeoutMs: 1_000 });
  const clients: Client[] = Array.from({ length: 4 }, () => ({ memberId: '', generationId: -1, joinResponse: null, pendingJoin: null }));
  const committed = new Map<string, number>();
  const sent: number[] = [];
  let lastGeneration = 0;
  const absorb = (): void => {
    for (const c of clients) {
      if (c.pendingJoin === null) continue;
      const r = h.response<JoinGroupResponse>(c.pendingJoin);
      if (r === undefined) continue;
      c.pendingJoin = null;
      if (r.errorCode === 79) {
        c.memberId = r.memberId;
        c.pendingJoin = h.join(G, { memberId: c.memberId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000 });
        sent.push(c.pendingJoin);
      } else if (r.errorCode === 0) {
        c.generationId = r.generationId;
        c.joinResponse = r;
      } else if (r.errorCode === 25) {
        c.memberId = '';
      }
    }
  };
  const check = (): void => {
    const s = h.coordinator.snapshot(G);
    if (s === undefined) return;
    assert.ok(s.generationId >= lastGeneration, 'generations never go back');
    lastGeneration = s.generationId;
    if (s.state === 'Stable' || s.state === 'CompletingRebalance') assert.ok(s.members.some((m) => m.memberId === s.leaderId), 'the leader is a member');
    if (s.state === 'Stable') {
      for (const m of s.members) {
        assert.ok(!m.awaitingJoin && !m.awaitingSync, 'nobody waits in a Stable group');
        if (m.assignment.length > 0) reached.stableWithAssignments++;
        if (m.assignment.length > 0) assert.deepEqual(m.assignment.toString(), assignmentFor(s.generationId, m.memberId).toString(), 'assignments are from the current generation');
      }
    }
    if (s.state === 'Empty') assert.equal(s.members.length, 0);
  };
  for (const a of actions) {
    if (a.kind === 'time') h.advance(a.ms);
    else if (a.kind === 'simple-commit') {
      const id = h.commit(G, { [`t:${a.partition}`]: a.offset });
      sent.push(id);
      if (h.response<OffsetCommitResponse>(id)!.topics[0].partitions[0].errorCode === 0) committed.set(`t:${a.partition}`, a.offset);
    } else {
      const c = clients[a.client];
      if (a.kind === 'join' && c.pendingJoin === null) {
        c.pendingJoin = h.join(G, { memberId: c.memberId, clientId: `c${a.client}`, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000 });
        sent.push(c.pendingJoin);
      } else if (a.kind === 'sync' && c.joinResponse !== null) {
        const r = c.joinResponse;
        const assignments = r.members.map((m) => ({ memberId: m.memberId, assignment: assignmentFor(r.generationId, m.memberId) }));
        sent.push(h.sync(G, c.memberId, c.generationId, assignments));
      } else if (a.kind === 'heartbeat') {
        h.heartbeat(G, c.memberId, c.generationId);
      } else if (a.kind === 'leave' && c.memberId !== '') {
        sent.push(h.send({ api: 'LeaveGroup', version: 1, clientId: 'c', clientHost: 'h', body: { groupId: G, memberId: c.memberId, members: [] } }));
        c.memberId = '';
        c.joinResponse = null;
      } else if (a.kind === 'commit' && c.memberId !== '') {
        const id = h.commit(G, { [`t:${a.partition}`]: a.offset }, { memberId: c.memberId, generationId: c.generationId });
        sent.push(id);
        if (h.response<OffsetCommitResponse>(id)!.topics[0].partitions[0].errorCode === 0) committed.set(`t:${a.partition}`, a.offset);
      }
    }
    absorb();
    check();
  }
  compareWithReplay(h);
  // Liveness: past every session and rebalance timeout, every request has its answer.
  for (let i = 0; i < 5; i++) {
    h.advance(60_000);
    absorb();
  }
  for (const id of sent) assert.ok(h.responses.has(id), `request ${id} was never answered`);
  assert.deepEqual(h.fetchAll(G), Object.fromEntries(committed));
  const replayed = new GroupCoordinator({ random: seededRandom(3) });
  replayed.load(h.records, h.nowMs);
  const offsets = Object.fromEntries((replayed.snapshot(G)?.offsets ?? []).map((o) => [`${o.topic}:${o.partition}`, Number(o.offset)]));
  assert.deepEqual(offsets, Object.fromEntries(committed), 'acknowledged commits survive replay');
}

test('random group traffic keeps the coordinator invariants (no initial delay)', () => {
  fc.assert(fc.property(fc.array(action, { minLength: 10, maxLength: 150, size: 'large' }), (actions) => run(actions, 0)), { numRuns: 1000 });
});

test('random group traffic keeps the coordinator invariants (initial delay)', () => {
  fc.assert(fc.property(fc.array(action, { minLength: 10, maxLength: 150, size: 'large' }), (actions) => run(actions, 3_000)), { numRuns: 500 });
});

test('the random runs reach the states the invariants are about', () => {
  assert.ok(reached.stableWithAssignments > 50, `only ${reached.stableWithAssignments} Stable members with assignments`);
  assert.ok(reached.replayedStable > 5, `only ${reached.replayedStable} Stable groups replayed`);
});
