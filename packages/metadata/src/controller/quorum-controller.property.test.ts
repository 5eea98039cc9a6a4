import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seededRandom } from '@tributary/common';
import { applyRecords } from '../apply-record.js';
import { emptyMetadataImage, type MetadataImage } from '../metadata-image.js';
import { NO_LEADER, type MetadataRecord } from '../records.js';
import { QuorumController } from './quorum-controller.js';

const timeout = 100;
const brokerIdArb = fc.integer({ min: 1, max: 4 });
const nameArb = fc.constantFrom('a', 'b', 'c');

type Op =
  | { kind: 'register'; brokerId: number; incarnation: number }
  | { kind: 'heartbeat'; brokerId: number; caughtUp: boolean; wantFence: boolean; wantShutdown: boolean }
  | { kind: 'tick'; advanceMs: number }
  | { kind: 'create'; name: string; partitions: number; rf: number; unclean: boolean }
  | { kind: 'delete'; name: string }
  | { kind: 'grow'; name: string; extra: number }
  | { kind: 'alter'; name: string; partition: number; drop: number; add: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), brokerId: brokerIdArb, incarnation: fc.integer({ min: 0, max: 2 }) }),
  fc.record({
    kind: fc.constant('heartbeat' as const),
    brokerId: brokerIdArb,
    caughtUp: fc.boolean(),
    wantFence: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
    wantShutdown: fc.constant(false),
  }),
  fc.record({ kind: fc.constant('tick' as const), advanceMs: fc.integer({ min: 0, max: 2 * timeout }) }),
  fc.record({
    kind: fc.constant('create' as const),
    name: nameArb,
    partitions: fc.integer({ min: 1, max: 4 }),
    rf: fc.integer({ min: 1, max: 3 }),
    unclean: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), name: nameArb }),
  fc.record({ kind: fc.constant('grow' as const), name: nameArb, extra: fc.integer({ min: 1, max: 2 }) }),
  fc.record({
    kind: fc.constant('alter' as const),
    name: nameArb,
    partition: fc.integer({ min: 0, max: 5 }),
    drop: fc.integer({ min: 0, max: 3 }),
    add: fc.boolean(),
  }),
);

function run(c: QuorumController, op: Op, nowMs: number): readonly MetadataRecord[] {
  const image = c.image;
  switch (op.kind) {
    case 'register': {
      const incarnationId = `${op.brokerId}${op.incarnation}`.padEnd(32, '0');
      const r = c.registerBroker({ brokerId: op.brokerId, incarnationId, endpoints: [], rack: null }, nowMs);
      return r.ok ? r.value.records : [];
    }
    case 'heartbeat': {
      const epoch = image.brokers.get(op.brokerId)?.brokerEpoch ?? 1;
      const r = c.heartbeat(op.brokerId, epoch, nowMs, op);
      return r.ok ? r.value.records : [];
    }
    case 'tick':
      return c.tick(nowMs).records;
    case 'create': {
      const configs = new Map([['unclean.leader.election.enable', String(op.unclean)]]);
      const r = c.createTopic({ name: op.name, partitions: op.partitions, replicationFactor: op.rf, configs });
      return r.ok ? r.value.records : [];
    }
    case 'delete': {
      const r = c.deleteTopic(op.name);
      return r.ok ? r.value.records : [];
    }
    case 'grow': {
      const size = image.topicsById.get(image.topicIdsByName.get(op.name) ?? '')?.partitions.size ?? 0;
      const r = c.createPartitions(op.name, size + op.extra);
      return r.ok ? r.value.records : [];
    }
    case 'alter':
      return alter(c, op);
  }
}

/** A leader's ISR change: drop one member (never the leader) or add an unfenced replica. */
function alter(c: QuorumController, op: Extract<Op, { kind: 'alter' }>): readonly MetadataRecord[] {
  const topicId = c.image.topicIdsByName.get(op.name);
  const p = topicId === undefined ? undefined : c.image.topicsById.get(topicId)?.partitions.get(op.partition);
  if (topicId === undefined || p === undefined || p.leader === NO_LEADER) return [];
  let newIsr = p.isr.filter((id, i) => id === p.leader || i !== op.drop);
  if (op.add) newIsr = [...new Set([...newIsr, ...p.replicas.filter((id) => c.image.brokers.get(id)?.fenced === false)])];
  const r = c.alterPartition({ topicId, partition: p.partition, leaderId: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr });
  if (!r.ok) assert.fail(r.error.message);
  return r.value.records;
}

function checkInvariants(image: MetadataImage, previous: Map<string, { leader: number; leaderEpoch: number }>, afterTick: boolean): void {
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) {
      const key = `${topic.topicId}-${p.partition}`;
      assert.ok(p.isr.length > 0, `${key}: empty ISR`);
      assert.ok(p.isr.every((id) => p.replicas.includes(id)), `${key}: ISR outside replicas`);
      if (p.leader !== NO_LEADER) {
        assert.ok(p.isr.includes(p.leader), `${key}: leader outside ISR`);
        assert.equal(image.brokers.get(p.leader)?.fenced, false, `${key}: fenced leader ${p.leader}`);
        // Only a leaderless partition may keep a fenced ISR member.
        assert.ok(p.isr.every((id) => image.brokers.get(id)?.fenced === false), `${key}: fenced ISR member under a leader`);
      }
      if (afterTick) assert.ok(p.leader === NO_LEADER || !image.brokers.get(p.leader)!.fenced);
      const before = previous.get(key);
      if (before !== undefined) {
        assert.ok(p.leaderEpoch >= before.leaderEpoch, `${key}: leader epoch went backwards`);
        if (p.leader !== before.leader) assert.ok(p.leaderEpoch > before.leaderEpoch, `${key}: leader changed without an epoch bump`);
      }
      previous.set(key, { leader: p.leader, leaderEpoch: p.leaderEpoch });
    }
  }
}

test('random controller histories keep leaders live and in sync, with monotonic epochs', () => {
  fc.assert(
    fc.property(fc.integer(), fc.array(opArb, { maxLength: 60 }), (seed, ops) => {
      const c = new QuorumController(emptyMetadataImage, 0, seededRandom(seed), { brokerSessionTimeoutMs: timeout, maxPartitionsPerTopic: 16, newControllerGraceMs: timeout, preferredLeaderCheckIntervalMs: 0, reportedDeadMinSilenceMs: 200 });
      let committed = emptyMetadataImage;
      let nowMs = 0;
      const previous = new Map<string, { leader: number; leaderEpoch: number }>();
      for (const [offset, op] of ops.entries()) {
        if (op.kind === 'tick') nowMs += op.advanceMs;
        const records = run(c, op, nowMs);
        const applied = applyRecords(committed, records, offset);
        if (!applied.ok) assert.fail(applied.error.message);
        committed = applied.value;
        checkInvariants(committed, previous, op.kind === 'tick');
      }
    }),
    { numRuns: 300 },
  );
});
