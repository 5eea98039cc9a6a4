import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvariantError } from '@tributary/common';
import { LeaderState, type LeaderStateInit } from './leader-state.js';
import type { PartitionAssignment } from './types.js';

const LAG_MS = 10_000;

function assignment(fields: Partial<PartitionAssignment> = {}): PartitionAssignment {
  return { leaderId: 1, leaderEpoch: 5, partitionEpoch: 10, replicas: [1, 2, 3], isr: [1, 2, 3], ...fields };
}

function leaderOf(init: Partial<LeaderStateInit> = {}): LeaderState {
  return new LeaderState(
    { assignment: assignment(), logEndOffset: 0, durableEndOffset: 0, highWatermark: 0, nowMs: 0, ...init },
    { replicaLagTimeMaxMs: LAG_MS },
  );
}

/** Leader 1 with followers 2 and 3 in the ISR; follower 3 stops fetching after t=0, follower 2 keeps up to 10. */
function leaderWithSlowFollower3(): LeaderState {
  const leader = leaderOf();
  leader.onLocalAppend(10, 10, 1_000);
  for (const nowMs of [1_000, 5_000, 10_001]) leader.onFollowerFetch(2, 10, nowMs);
  return leader;
}

test('the HW advances only when every maximal-ISR member holds the offset', () => {
  const leader = leaderOf();
  assert.equal(leader.onLocalAppend(10, 10, 1), false, 'the followers hold nothing yet');
  assert.deepEqual(leader.onFollowerFetch(2, 10, 2), { highWatermarkAdvanced: false, known: true });
  assert.equal(leader.highWatermark, 0);
  assert.deepEqual(leader.onFollowerFetch(3, 7, 3), { highWatermarkAdvanced: true, known: true });
  assert.equal(leader.highWatermark, 7);
  leader.onFollowerFetch(3, 10, 4);
  assert.equal(leader.highWatermark, 10);
});

test('a leader alone in the ISR starts with the HW at its durable end', () => {
  const leader = leaderOf({ assignment: assignment({ isr: [1] }), logEndOffset: 30, durableEndOffset: 25, highWatermark: 10 });
  assert.equal(leader.highWatermark, 25);
  assert.equal(leader.onLocalAppend(40, 40, 1), true);
  assert.equal(leader.highWatermark, 40);
});

test('the HW never passes the leader durable end', () => {
  const leader = leaderOf();
  leader.onLocalAppend(20, 12, 1);
  leader.onFollowerFetch(2, 20, 2);
  leader.onFollowerFetch(3, 20, 2);
  assert.equal(leader.highWatermark, 12);
  assert.equal(leader.onLocalAppend(20, 20, 3), true);
  assert.equal(leader.highWatermark, 20);
});

test('the starting HW is clamped to [0, durable end] and never goes back', () => {
  assert.equal(leaderOf({ logEndOffset: 120, durableEndOffset: 100, highWatermark: 200 }).highWatermark, 100);
  assert.equal(leaderOf({ logEndOffset: 10, durableEndOffset: 10, highWatermark: -5 }).highWatermark, 0);
  const leader = leaderOf({ logEndOffset: 100, durableEndOffset: 100, highWatermark: 50 });
  leader.onFollowerFetch(2, 30, 1);
  leader.onFollowerFetch(3, 30, 1);
  assert.equal(leader.highWatermark, 50, 'followers below the starting HW do not pull it back');
  assert.equal(leader.onFollowerFetch(2, 100, 2).highWatermarkAdvanced, false);
  assert.equal(leader.onFollowerFetch(3, 80, 2).highWatermarkAdvanced, true);
  assert.equal(leader.highWatermark, 80);
});

test('a follower not caught up for replicaLagTimeMaxMs is shrunk out, then the HW advances', () => {
  const leader = leaderWithSlowFollower3();
  assert.equal(leader.isrChangeToSend(LAG_MS), null, 'ISR members get the lag time from when this leader started');
  assert.equal(leader.highWatermark, 0);
  const shrink = leader.isrChangeToSend(LAG_MS + 1);
  assert.deepEqual(shrink, { leaderEpoch: 5, partitionEpoch: 10, newIsr: [1, 2] });
  assert.deepEqual(leader.maximalIsr, [1, 2, 3], 'a pending shrink still counts the leaving member');
  assert.equal(leader.highWatermark, 0);
  assert.equal(leader.onIsrChangeResult({ ok: true, isr: [1, 2], partitionEpoch: 11, leaderEpoch: 5 }, LAG_MS + 2), true);
  assert.equal(leader.highWatermark, 10);
  assert.deepEqual(leader.isr, [1, 2]);
  assert.equal(leader.partitionEpoch, 11);
  assert.deepEqual(leader.maximalIsr, [1, 2]);
});

test('a follower that keeps reaching the log end of its previous fetch stays caught up', () => {
  const leader = leaderOf();
  // The leader grows by 10 between fetches; follower 2 is always one fetch behind, follower 3 keeps
  // up like that for three fetches, then falls back.
  for (let i = 1; i <= 30; i++) {
    const nowMs = i * 1_000;
    leader.onLocalAppend(i * 10, i * 10, nowMs);
    leader.onFollowerFetch(2, (i - 1) * 10, nowMs);
    leader.onFollowerFetch(3, i <= 3 ? (i - 1) * 10 : 20 + i, nowMs);
  }
  const states = leader.replicaStates();
  assert.deepEqual(states[1], { replicaId: 2, fetchOffset: 290, lag: 10, lastCaughtUpMs: 29_000, inIsr: true });
  assert.equal(states[2].lastCaughtUpMs, 2_000, 'follower 3 last reached the log end of its second fetch (at its third)');
  assert.deepEqual(states[0], { replicaId: 1, fetchOffset: 300, lag: 0, lastCaughtUpMs: 30_000, inIsr: true });
  assert.deepEqual(leader.isrChangeToSend(30_000)?.newIsr, [1, 2]);
});

test('a follower is added back only once it reaches the HW and the epoch start', () => {
  const leader = leaderWithSlowFollower3();
  leader.isrChangeToSend(LAG_MS + 1);
  leader.onIsrChangeResult({ ok: true, isr: [1, 2], partitionEpoch: 11, leaderEpoch: 5 }, LAG_MS + 2);
  leader.onFollowerFetch(3, 5, 11_000);
  assert.equal(leader.isrChangeToSend(11_000), null, 'below the HW');
  leader.onFollowerFetch(3, 10, 11_500);
  const expand = leader.isrChangeToSend(11_500);
  assert.deepEqual(expand, { leaderEpoch: 5, partitionEpoch: 11, newIsr: [1, 2, 3] });
  assert.deepEqual(leader.maximalIsr, [1, 2, 3], 'a joining member counts for the HW before the commit');
  leader.onLocalAppend(15, 15, 12_000);
  assert.equal(leader.onFollowerFetch(2, 15, 12_000).highWatermarkAdvanced, false, 'the joining member holds only 10');
  leader.onIsrChangeResult({ ok: true, isr: [1, 2, 3], partitionEpoch: 12, leaderEpoch: 5 }, 12_100);
  assert.deepEqual(leader.isr, [1, 2, 3]);
  assert.equal(leader.onFollowerFetch(3, 15, 12_200).highWatermarkAdvanced, true);

  // A new leader at log end 100 with HW 80: a follower at 90 holds the HW but may hold records of an older epoch.
  const fresh = leaderOf({ assignment: assignment({ isr: [1, 2] }), logEndOffset: 100, durableEndOffset: 100, highWatermark: 80 });
  assert.equal(fresh.epochStartOffset, 100);
  fresh.onFollowerFetch(3, 90, 1);
  assert.equal(fresh.isrChangeToSend(1), null, 'below the epoch start');
  fresh.onFollowerFetch(3, 100, 2);
  assert.deepEqual(fresh.isrChangeToSend(2)?.newIsr, [1, 2, 3]);
});

test('a replica that never fetched is not added, even at HW 0', () => {
  const leader = leaderOf({ assignment: assignment({ isr: [1] }) });
  assert.equal(leader.isrChangeToSend(0), null);
  leader.onFollowerFetch(2, 0, 1);
  assert.deepEqual(leader.isrChangeToSend(1)?.newIsr, [1, 2]);
});

test('at most one ISR change is in flight', () => {
  const leader = leaderWithSlowFollower3();
  assert.notEqual(leader.isrChangeToSend(LAG_MS + 1), null);
  assert.equal(leader.isrChangeToSend(LAG_MS + 2), null);
  assert.equal(leader.isrChangeToSend(LAG_MS * 5), null);
  assert.notEqual(leader.pendingIsrChange, null);
  leader.onIsrChangeResult({ ok: true, isr: [1, 2], partitionEpoch: 11, leaderEpoch: 5 }, LAG_MS * 5);
  assert.equal(leader.pendingIsrChange, null);
  assert.equal(leader.isrChangeToSend(LAG_MS * 5), null, 'nothing left to change');
  assert.equal(leader.onIsrChangeResult({ ok: false, outcome: 'refused' }, LAG_MS * 5), false, 'an answer with nothing in flight is ignored');
});

test('a refused change leaves the ISR as it was and is proposed again', () => {
  const leader = leaderWithSlowFollower3();
  const first = leader.isrChangeToSend(LAG_MS + 1);
  assert.equal(leader.onIsrChangeResult({ ok: false, outcome: 'refused' }, LAG_MS + 2), false);
  assert.deepEqual(leader.isr, [1, 2, 3]);
  assert.equal(leader.highWatermark, 0);
  assert.deepEqual(leader.isrChangeToSend(LAG_MS + 3), first);
});

test('a refused expansion lets the HW advance past the would-be member', () => {
  const leader = leaderOf({ assignment: assignment({ isr: [1, 2] }) });
  leader.onLocalAppend(10, 10, 1);
  leader.onFollowerFetch(3, 0, 1);
  assert.deepEqual(leader.isrChangeToSend(1)?.newIsr, [1, 2, 3]);
  leader.onFollowerFetch(2, 10, 2);
  assert.equal(leader.highWatermark, 0, 'held by the joining member');
  assert.equal(leader.onIsrChangeResult({ ok: false, outcome: 'refused' }, 3), true);
  assert.equal(leader.highWatermark, 10);
});

test('an acceptance older than the metadata already adopted is ignored', () => {
  const leader = leaderWithSlowFollower3();
  leader.isrChangeToSend(LAG_MS + 1);
  leader.onAssignmentChange(assignment({ partitionEpoch: 12, isr: [1, 2] }), LAG_MS + 2);
  leader.onIsrChangeResult({ ok: true, isr: [1, 2, 3], partitionEpoch: 11, leaderEpoch: 5 }, LAG_MS + 3);
  assert.deepEqual(leader.isr, [1, 2]);
  assert.equal(leader.partitionEpoch, 12);
});

test('fetches from replicas outside the assignment are unknown; out-of-range fetches record nothing', () => {
  const leader = leaderOf();
  leader.onLocalAppend(10, 10, 0);
  assert.deepEqual(leader.onFollowerFetch(9, 10, 1), { highWatermarkAdvanced: false, known: false });
  assert.deepEqual(leader.onFollowerFetch(1, 10, 1), { highWatermarkAdvanced: false, known: false }, 'the leader does not fetch from itself');
  assert.deepEqual(leader.onFollowerFetch(2, 11, 1), { highWatermarkAdvanced: false, known: true });
  assert.equal(leader.replicaStates()[1].fetchOffset, 0);
});

test('the controller removing a member in the same epoch lets the HW advance', () => {
  const leader = leaderOf();
  leader.onLocalAppend(10, 10, 1);
  leader.onFollowerFetch(2, 10, 2);
  assert.equal(leader.onAssignmentChange(assignment({ partitionEpoch: 9, isr: [1, 2] }), 3), false, 'stale metadata');
  assert.deepEqual(leader.isr, [1, 2, 3]);
  assert.equal(leader.onAssignmentChange(assignment({ partitionEpoch: 11, isr: [1, 2] }), 3), true);
  assert.equal(leader.highWatermark, 10);
  assert.throws(() => leader.onAssignmentChange(assignment({ leaderEpoch: 6 }), 4), InvariantError, 'a new epoch needs a new LeaderState');
  assert.throws(() => leader.onAssignmentChange(assignment({ partitionEpoch: 12, isr: [2, 3] }), 4), InvariantError, 'the leader stays in the ISR');
});

test('a reassignment adds and drops followers', () => {
  const leader = leaderOf();
  leader.onAssignmentChange(assignment({ partitionEpoch: 11, replicas: [1, 2, 4], isr: [1, 2] }), 5);
  assert.deepEqual(leader.onFollowerFetch(3, 0, 6).known, false);
  assert.deepEqual(leader.onFollowerFetch(4, 0, 6).known, true);
  assert.deepEqual(leader.replicaStates().map((r) => [r.replicaId, r.inIsr]), [[1, true], [2, true], [4, false]]);
});

test('hasMinIsr counts the committed ISR', () => {
  const leader = leaderWithSlowFollower3();
  assert.equal(leader.hasMinIsr(3), true);
  leader.isrChangeToSend(LAG_MS + 1);
  assert.equal(leader.hasMinIsr(3), true, 'a pending shrink is not committed yet');
  leader.onIsrChangeResult({ ok: true, isr: [1, 2], partitionEpoch: 11, leaderEpoch: 5 }, LAG_MS + 2);
  assert.equal(leader.hasMinIsr(3), false);
  assert.equal(leader.hasMinIsr(2), true);
});

test('a leader missing from its own assignment is a programmer error', () => {
  assert.throws(() => leaderOf({ assignment: assignment({ isr: [2, 3] }) }), InvariantError);
  assert.throws(() => leaderOf({ logEndOffset: 5, durableEndOffset: 6 }), InvariantError);
});

test('an expansion whose answer was lost keeps holding the HW and is resent as it was', () => {
  const leader = leaderOf({ assignment: assignment({ isr: [1, 2] }) });
  leader.onLocalAppend(10, 10, 1);
  leader.onFollowerFetch(3, 0, 1);
  const sent = leader.isrChangeToSend(1);
  assert.deepEqual(sent?.newIsr, [1, 2, 3]);
  leader.onFollowerFetch(2, 10, 2);
  // The controller may have admitted 3: the HW must not pass it, or 3 could be elected without those records.
  assert.equal(leader.onIsrChangeResult({ ok: false, outcome: 'unknown' }, 3), false);
  assert.equal(leader.highWatermark, 0);
  assert.deepEqual(leader.isrChangeToSend(4), sent, 'the same change again');
  assert.equal(leader.onIsrChangeResult({ ok: false, outcome: 'stale' }, 5), false);
  assert.equal(leader.isrChangeToSend(6), null, 'a stale change waits for metadata');
  // The metadata shows the first attempt committed: 3 is in the ISR; nothing is pending any more.
  leader.onAssignmentChange({ ...assignment({ isr: [1, 2, 3] }), partitionEpoch: (sent?.partitionEpoch ?? 0) + 1 }, 7);
  assert.equal(leader.pendingIsrChange, null);
  assert.deepEqual(leader.isr, [1, 2, 3]);
  assert.equal(leader.highWatermark, 0, 'still held by member 3');
});
