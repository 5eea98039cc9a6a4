import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@tributary/common';
import type { RaftNode } from '../raft-node.js';
import { ClockFaults } from './clock-faults.js';
import { runSeed } from './run-seed.js';
import { SimCluster } from './sim-cluster.js';

const electionTimeoutTicks = 10;

/** A lossless, undelayed cluster (no faults but the clock faults a test injects); `trace` collects events. */
function settledCluster(nodes: number, trace: string[] = []): { cluster: SimCluster; leader: RaftNode } {
  const cluster = new SimCluster(seededRandom(nodes), {
    nodes, electionTimeoutTicks, heartbeatTicks: 2, fullCheckEveryTicks: 1, traceSink: (line) => trace.push(line),
  });
  for (let i = 0; i < 100; i++) cluster.tick();
  const leaders = cluster.aliveNodes().filter((n) => n.role === 'leader');
  assert.equal(leaders.length, 1);
  return { cluster, leader: leaders[0] };
}

function ticks(cluster: SimCluster, n: number): void {
  for (let i = 0; i < n; i++) cluster.tick();
}

function assertCommitsEverywhere(cluster: SimCluster, leader: RaftNode): void {
  const index = cluster.propose(leader.id, new Uint8Array([7]));
  assert.notEqual(index, undefined);
  ticks(cluster, 5);
  for (const n of cluster.aliveNodes()) assert.ok(n.commitIndex >= index!, `${n.id} did not commit ${index}`);
}

test('clock faults: a jump is a burst at the next step; a stall and a skew change the rate for a while', () => {
  const clocks = new ClockFaults();
  clocks.jump('a', 12);
  assert.deepEqual([1, 2, 3].map((step) => clocks.ticksAt('a', step)), [13, 1, 1]);
  clocks.stall('a', 3, 2);
  assert.deepEqual([4, 5, 6].map((step) => clocks.ticksAt('a', step)), [0, 0, 1]);
  clocks.skew('a', 6, 1, 3, 6); // one tick every 3rd step, steps 7..12
  assert.deepEqual([7, 8, 9, 10, 11, 12, 13].map((step) => clocks.ticksAt('a', step)), [1, 0, 0, 1, 0, 0, 1]);
  clocks.skew('a', 13, 2, 1, 2);
  assert.deepEqual([14, 15, 16].map((step) => clocks.ticksAt('a', step)), [2, 2, 1]);
  clocks.stall('a', 16, 10);
  clocks.jump('b', 5);
  assert.equal(clocks.clear(), true);
  assert.equal(clocks.ticksAt('a', 17), 1);
  assert.equal(clocks.ticksAt('b', 17), 1);
  assert.equal(clocks.clear(), false);
});

test('clock faults: a follower jumping forward pre-votes, but the lease holders ignore it and the leader stays', () => {
  for (const nodes of [3, 5]) {
    for (const jump of [electionTimeoutTicks, 2 * electionTimeoutTicks, 3 * electionTimeoutTicks]) {
      const trace: string[] = [];
      const { cluster, leader } = settledCluster(nodes, trace);
      const term = leader.term;
      const follower = cluster.aliveNodes().find((n) => n !== leader)!;
      trace.length = 0;
      cluster.jumpClock(follower.id, jump);
      ticks(cluster, 10 * electionTimeoutTicks);
      const preVotes = trace.filter((l) => l.includes(` preVote ${follower.id}>`));
      // A jump of the base timeout may fall short of the follower's randomized timeout; twice it never does.
      if (jump >= 2 * electionTimeoutTicks) assert.ok(preVotes.length > 0, `${nodes} nodes, +${jump}: the follower did not pre-vote`);
      assert.equal(trace.filter((l) => l.includes(' preVoteResp ') || l.includes(' vote ')).length, 0,
        'nobody answered the pre-vote, so no real election started');
      for (const n of cluster.aliveNodes()) {
        assert.equal(n.term, term, `${nodes} nodes, +${jump}: ${n.id} changed term`);
        assert.equal(n.leaderId, leader.id, `${nodes} nodes, +${jump}: ${n.id} follows ${n.leaderId}`);
      }
      assert.equal(leader.role, 'leader');
      assertCommitsEverywhere(cluster, leader);
    }
  }
});

test('clock faults: a leader jumping two election timeouts steps down by check-quorum, and a leader is elected again', () => {
  // Inside one burst no acknowledgement can arrive, so the second quorum check of the burst finds
  // none: the cost is a needless election, not safety.
  const { cluster, leader } = settledCluster(3);
  const term = leader.term;
  cluster.jumpClock(leader.id, 2 * electionTimeoutTicks);
  cluster.tick();
  assert.equal(leader.role, 'follower');
  assert.equal(leader.term, term);
  ticks(cluster, 10 * electionTimeoutTicks);
  const fresh = cluster.aliveNodes().find((n) => n.role === 'leader')!;
  assert.ok(fresh.term > term);
  assertCommitsEverywhere(cluster, fresh);
});

test('clock faults: a stalled leader sends no heartbeats, is replaced, and steps down on hearing the new term', () => {
  const { cluster, leader } = settledCluster(3);
  const term = leader.term;
  cluster.stallClock(leader.id, 5 * electionTimeoutTicks);
  ticks(cluster, 4 * electionTimeoutTicks);
  // Its followers' leases lapsed without heartbeats; the new leader's appends then fenced the old one.
  const fresh = cluster.aliveNodes().find((n) => n.role === 'leader')!;
  assert.notEqual(fresh, leader);
  assert.ok(fresh.term > term);
  assert.equal(leader.role, 'follower');
  assert.equal(leader.leaderId, fresh.id);
  assertCommitsEverywhere(cluster, fresh);
});

test('clock faults: the simulation injects every kind, at leaders too', () => {
  const total = { jumps: 0, stalls: 0, skews: 0, onLeader: 0 };
  for (let seed = 1; seed <= 100; seed++) {
    const r = runSeed(seed, { nodes: 3 });
    assert.equal(r.ok, true, r.error);
    for (const kind of Object.keys(total) as (keyof typeof total)[]) total[kind] += r.clockFaults[kind];
  }
  assert.ok(total.jumps > 100 && total.stalls > 100 && total.skews > 50, JSON.stringify(total));
  assert.ok(total.onLeader > 100, JSON.stringify(total));
});
