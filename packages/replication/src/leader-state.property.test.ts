/**
 * Random sequences of leader appends, follower fetches (non-decreasing, never past the leader's
 * log end), time passing, ISR proposals, controller answers and controller-side ISR removals,
 * against a model controller that commits a proposal only at its current partition epoch (as
 * AlterPartition does). Answers may be lost after the controller committed (or before it saw the
 * request), and metadata may reach the leader late. After every step: the HW only grows, stays
 * within the leader's durable end and every maximal-ISR member's offset, and is as high as those
 * allow; above all it never passes a member of the controller's ISR (which could be elected); the
 * leader is always in the ISR; the leader's committed ISR is the controller's at its partition
 * epoch; and no second proposal is made while one is unsettled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LeaderState } from './leader-state.js';
import type { IsrChangeRequest } from './types.js';

const LEADER = 1;
const REPLICAS = [1, 2, 3, 4];
const UNKNOWN_REPLICA = 5;
const LAG_MS = 1_000;

type Action =
  | { kind: 'append'; grow: number; durableShare: number }
  | { kind: 'fetch'; replica: number; advance: number; toEnd: boolean }
  | { kind: 'time'; ms: number }
  | { kind: 'propose' }
  | { kind: 'answer'; answer: 'accept' | 'refuse' | 'lose-after-commit' | 'lose-before-commit' }
  | { kind: 'metadata' }
  | { kind: 'controller-removes'; replica: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('append' as const), grow: fc.integer({ min: 0, max: 20 }), durableShare: fc.integer({ min: 0, max: 100 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('fetch' as const), replica: fc.integer({ min: 1, max: UNKNOWN_REPLICA }), advance: fc.integer({ min: 0, max: 20 }), toEnd: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 1_500 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('propose' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('answer' as const), answer: fc.constantFrom('accept' as const, 'refuse' as const, 'lose-after-commit' as const, 'lose-before-commit' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('metadata' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('controller-removes' as const), replica: fc.integer({ min: 2, max: 4 }) }) },
);

const start = fc.record({
  followersInIsr: fc.subarray([2, 3, 4]),
  logEndOffset: fc.integer({ min: 0, max: 50 }),
  durableShare: fc.integer({ min: 0, max: 100 }),
  highWatermark: fc.integer({ min: -5, max: 60 }),
});

/** How often runs got past the interesting points (the checks must see some). */
const reached = { shrinkCommitted: 0, expansionCommitted: 0, refused: 0, staleAnswer: 0, lostAnswer: 0, resent: 0, lateMetadata: 0 };

class Run {
  nowMs = 0;
  logEnd: number;
  durableEnd: number;
  /** Each follower's last fetch offset (0 before its first fetch, as the leader counts it). */
  readonly fetched = new Map<number, number>(REPLICAS.filter((r) => r !== LEADER).map((r) => [r, 0]));
  controller: { isr: number[]; partitionEpoch: number };
  inFlight: IsrChangeRequest | null = null;
  /** Newer metadata settled the request in flight before its answer came (the answer is then ignored). */
  inFlightSettled = false;
  /** A change whose answer was lost or stale: the leader still holds it until it is settled. */
  unsettled: IsrChangeRequest | null = null;
  /** The controller state the leader has seen (metadata may lag the controller). */
  leaderSeesEpoch = 0;
  readonly leader: LeaderState;
  readonly startingHw: number;
  lastHw: number;

  constructor(s: { followersInIsr: number[]; logEndOffset: number; durableShare: number; highWatermark: number }) {
    this.logEnd = s.logEndOffset;
    this.durableEnd = Math.floor((s.logEndOffset * s.durableShare) / 100);
    this.controller = { isr: [LEADER, ...s.followersInIsr], partitionEpoch: 0 };
    const assignment = { leaderId: LEADER, leaderEpoch: 3, partitionEpoch: 0, replicas: REPLICAS, isr: this.controller.isr };
    this.leader = new LeaderState({ assignment, logEndOffset: this.logEnd, durableEndOffset: this.durableEnd, highWatermark: s.highWatermark, nowMs: 0 }, { replicaLagTimeMaxMs: LAG_MS });
    this.startingHw = Math.min(Math.max(s.highWatermark, 0), this.durableEnd);
    this.lastHw = this.startingHw;
  }

  apply(a: Action): void {
    switch (a.kind) {
      case 'append': {
        this.logEnd += a.grow;
        this.durableEnd += Math.floor(((this.logEnd - this.durableEnd) * a.durableShare) / 100);
        this.leader.onLocalAppend(this.logEnd, this.durableEnd, this.nowMs);
        return;
      }
      case 'fetch':
        return this.fetch(a.replica, a.toEnd ? this.logEnd : Math.min(this.logEnd, (this.fetched.get(a.replica) ?? 0) + a.advance));
      case 'time':
        this.nowMs += a.ms;
        return;
      case 'propose':
        return this.propose();
      case 'answer':
        return this.answer(a.answer);
      case 'metadata':
        return this.deliverMetadata();
      case 'controller-removes':
        return this.controllerRemoves(a.replica);
    }
  }

  private fetch(replica: number, fetchOffset: number): void {
    const outcome = this.leader.onFollowerFetch(replica, fetchOffset, this.nowMs);
    const known = replica !== LEADER && replica !== UNKNOWN_REPLICA;
    assert.equal(outcome.known, known);
    if (known) this.fetched.set(replica, fetchOffset);
    assert.equal(outcome.highWatermarkAdvanced, this.leader.highWatermark > this.lastHw);
  }

  private propose(): void {
    // The caller (ReplicaManager) sends nothing while a call is out, settled or not.
    if (this.inFlight !== null && this.inFlightSettled) return;
    const request = this.leader.isrChangeToSend(this.nowMs);
    if (this.inFlight !== null) {
      assert.equal(request, null, 'no second proposal while one is in flight');
      return;
    }
    if (request === null) return;
    if (this.unsettled !== null) {
      assert.deepEqual(request, this.unsettled, 'an unsettled change is resent as it was, never replaced');
      reached.resent++;
      this.unsettled = null;
      this.inFlight = request;
      return;
    }
    assert.equal(request.leaderEpoch, 3);
    assert.equal(request.partitionEpoch, this.leader.partitionEpoch);
    assert.ok(request.newIsr.includes(LEADER), 'the leader is never removed');
    const committed = this.leader.isr;
    const isShrink = request.newIsr.every((r) => committed.includes(r)) && request.newIsr.length < committed.length;
    const joining = request.newIsr.filter((r) => !committed.includes(r));
    assert.ok(isShrink || (joining.length > 0 && committed.every((r) => request.newIsr.includes(r))), 'a pure shrink or a pure expansion');
    for (const r of joining) {
      assert.ok(this.fetched.get(r)! >= this.leader.highWatermark && this.fetched.get(r)! >= this.leader.epochStartOffset, `replica ${r} may join`);
    }
    this.inFlight = request;
  }

  private answer(answer: 'accept' | 'refuse' | 'lose-after-commit' | 'lose-before-commit'): void {
    const request = this.inFlight;
    if (request === null) return;
    this.inFlight = null;
    const current = request.partitionEpoch === this.controller.partitionEpoch;
    if (this.inFlightSettled) {
      this.inFlightSettled = false;
      this.leader.onIsrChangeResult({ ok: false, outcome: 'stale' }, this.nowMs);
      return;
    }
    if (current && (answer === 'accept' || answer === 'lose-after-commit')) {
      this.controller = { isr: [...request.newIsr], partitionEpoch: this.controller.partitionEpoch + 1 };
      if (request.newIsr.length < this.leader.isr.length) reached.shrinkCommitted++;
      else reached.expansionCommitted++;
    }
    if (answer === 'lose-after-commit' || answer === 'lose-before-commit') {
      reached.lostAnswer++;
      this.unsettled = request;
      this.leader.onIsrChangeResult({ ok: false, outcome: 'unknown' }, this.nowMs);
    } else if (!current) {
      reached.staleAnswer++;
      this.unsettled = request;
      this.leader.onIsrChangeResult({ ok: false, outcome: 'stale' }, this.nowMs);
    } else if (answer === 'refuse') {
      reached.refused++;
      this.leader.onIsrChangeResult({ ok: false, outcome: 'refused' }, this.nowMs);
    } else {
      this.leaderSeesEpoch = this.controller.partitionEpoch;
      this.leader.onIsrChangeResult({ ok: true, isr: this.controller.isr, partitionEpoch: this.controller.partitionEpoch, leaderEpoch: 3 }, this.nowMs);
    }
  }

  /** The latest metadata reaches the leader (it may have lagged the controller). */
  private deliverMetadata(): void {
    if (this.leaderSeesEpoch === this.controller.partitionEpoch) return;
    reached.lateMetadata++;
    this.leaderSeesEpoch = this.controller.partitionEpoch;
    this.leader.onAssignmentChange({ leaderId: LEADER, leaderEpoch: 3, partitionEpoch: this.controller.partitionEpoch, replicas: REPLICAS, isr: this.controller.isr }, this.nowMs);
    this.settleByMetadata();
  }

  /** Newer metadata settles an unanswered change: a request at an older epoch can never commit now. */
  private settleByMetadata(): void {
    if (this.unsettled !== null && this.unsettled.partitionEpoch < this.controller.partitionEpoch) this.unsettled = null;
    if (this.inFlight !== null && this.inFlight.partitionEpoch < this.controller.partitionEpoch) this.inFlightSettled = true;
  }

  /** The controller fences a broker and takes it out of the ISR itself (KIP-841). */
  private controllerRemoves(replica: number): void {
    if (!this.controller.isr.includes(replica)) return;
    this.controller = { isr: this.controller.isr.filter((r) => r !== replica), partitionEpoch: this.controller.partitionEpoch + 1 };
    this.leaderSeesEpoch = this.controller.partitionEpoch;
    this.settleByMetadata();
    this.leader.onAssignmentChange({ leaderId: LEADER, leaderEpoch: 3, partitionEpoch: this.controller.partitionEpoch, replicas: REPLICAS, isr: this.controller.isr }, this.nowMs);
  }

  checkInvariants(): void {
    const { leader } = this;
    const hw = leader.highWatermark;
    assert.ok(hw >= this.lastHw, `the HW went back from ${this.lastHw} to ${hw}`);
    assert.ok(hw <= this.durableEnd, `HW ${hw} above the durable end ${this.durableEnd}`);
    let bound = this.durableEnd;
    for (const r of leader.maximalIsr) {
      if (r === LEADER) continue;
      const offset = this.fetched.get(r)!;
      assert.ok(hw <= Math.max(this.startingHw, offset), `HW ${hw} above member ${r}'s offset ${offset}`);
      bound = Math.min(bound, offset);
    }
    assert.equal(hw, Math.max(this.lastHw, bound), 'the HW is as high as the maximal ISR allows');
    assert.ok(leader.isr.includes(LEADER) && leader.maximalIsr.includes(LEADER), 'the leader is in the ISR');
    assert.ok(leader.isr.every((r) => leader.maximalIsr.includes(r)), 'the maximal ISR contains the committed ISR');
    for (const r of this.controller.isr) {
      if (r === LEADER) continue;
      const offset = this.fetched.get(r)!;
      assert.ok(hw <= Math.max(this.startingHw, offset), `HW ${hw} passed member ${r} (at ${offset}) of the controller's ISR [${this.controller.isr.join(',')}]`);
    }
    assert.ok(leader.partitionEpoch <= this.controller.partitionEpoch, 'the leader never knows a newer ISR than the controller');
    if (leader.partitionEpoch === this.controller.partitionEpoch) assert.deepEqual(leader.isr, this.controller.isr, "at the controller's partition epoch the committed ISR is the controller's");
    assert.deepEqual(leader.pendingIsrChange, this.inFlightSettled ? null : (this.inFlight ?? this.unsettled));
    assert.equal(leader.hasMinIsr(leader.isr.length), true);
    assert.equal(leader.hasMinIsr(leader.isr.length + 1), false);
    this.lastHw = hw;
  }
}

test('the leader keeps its HW and ISR invariants over random appends, fetches, time and ISR changes', () => {
  fc.assert(
    fc.property(start, fc.array(action, { minLength: 10, maxLength: 120, size: 'max' }), (s, actions) => {
      const run = new Run(s);
      run.checkInvariants();
      for (const a of actions) {
        run.apply(a);
        run.checkInvariants();
      }
    }),
    { numRuns: 500 },
  );
  assert.ok(Object.values(reached).every((n) => n > 0), `runs reached every kind of answer: ${JSON.stringify(reached)}`);
});
