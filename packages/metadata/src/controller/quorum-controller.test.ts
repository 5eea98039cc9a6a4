import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@tributary/common';
import { kafkaError } from '@tributary/protocol';
import { emptyMetadataImage, partitionOf, topicByName } from '../metadata-image.js';
import { NO_LEADER } from '../records.js';
import { controllerErrorCodes, type ControllerErrorKind, type ControllerResult } from './controller-errors.js';
import { QuorumController } from './quorum-controller.js';
import { assignReplicas } from './replica-assignment.js';

const timeout = 1_000;
const live = { caughtUp: true, wantFence: false, wantShutdown: false };

function value<T>(result: ControllerResult<T>): T {
  if (!result.ok) assert.fail(`unexpected ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

function failure<T>(result: ControllerResult<T>, kind: ControllerErrorKind): void {
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.error.kind, kind);
}

function incarnation(brokerId: number, n = 0): string {
  return `${String(brokerId).padStart(2, '0')}${String(n).padStart(2, '0')}${'0'.repeat(28)}`;
}

function register(c: QuorumController, brokerId: number, nowMs: number, n = 0): number {
  const endpoints = [{ name: 'PLAINTEXT', host: `b${brokerId}`, port: 9092, securityProtocol: 0 }];
  return value(c.registerBroker({ brokerId, incarnationId: incarnation(brokerId, n), endpoints, rack: null }, nowMs)).response
    .brokerEpoch;
}

/** A controller with brokers 1..n registered and unfenced at time 0. */
function cluster(n: number): QuorumController {
  const c = new QuorumController(emptyMetadataImage, 0, seededRandom(7), { brokerSessionTimeoutMs: timeout, maxPartitionsPerTopic: 100, newControllerGraceMs: timeout, preferredLeaderCheckIntervalMs: 0, reportedDeadMinSilenceMs: 200 });
  for (let id = 1; id <= n; id++) value(c.heartbeat(id, register(c, id, 0), 0, live));
  return c;
}

test('error kinds carry the Kafka codes of the same name', () => {
  for (const [kind, code] of Object.entries(controllerErrorCodes)) {
    const name = kafkaError(code).name.toLowerCase().replaceAll('_', '-');
    assert.ok(name.startsWith(kind) || kind === 'invalid-topic', `${kind} vs ${name}`);
  }
});

test('a broker registers fenced and is unfenced by a caught-up heartbeat', () => {
  const c = cluster(0);
  const epoch = register(c, 1, 0);
  assert.equal(epoch, 1);
  assert.equal(c.image.brokers.get(1)?.fenced, true);
  assert.equal(value(c.heartbeat(1, epoch, 10, { ...live, caughtUp: false })).response.isFenced, true);
  const hb = value(c.heartbeat(1, epoch, 20, live));
  assert.deepEqual(hb.records, [{ type: 'unfence-broker', brokerId: 1, brokerEpoch: 1 }]);
  assert.equal(hb.response.isFenced, false);
});

test('re-registration: same incarnation is a retry, a new one bumps the epoch once the old session ends', () => {
  const c = cluster(1);
  assert.equal(register(c, 1, 10), 1);
  failure(c.registerBroker({ brokerId: 1, incarnationId: incarnation(1, 1), endpoints: [], rack: null }, 20), 'duplicate-broker-registration');
  assert.equal(register(c, 1, 20 + timeout, 1), 2);
  assert.equal(c.image.brokers.get(1)?.fenced, true);
  failure(c.heartbeat(1, 1, 30 + timeout, live), 'stale-broker-epoch');
  failure(c.heartbeat(9, 1, 30, live), 'broker-id-not-registered');
});

test('tick fences an expired broker and elects the next ISR member in replica order', () => {
  const c = cluster(3);
  const { topicId } = value(c.createTopic({ name: 'orders', partitions: 3, replicationFactor: 3 })).response;
  const before = partitionOf(c.image, 'orders', 0)!;
  const victim = before.leader;
  for (const id of [1, 2, 3]) if (id !== victim) value(c.heartbeat(id, 1, timeout, live));
  assert.deepEqual(c.tick(timeout).records, []);
  const tick = c.tick(timeout + 1);
  assert.deepEqual(tick.response.fencedBrokerIds, [victim]);
  assert.equal(c.image.brokers.get(victim)?.fenced, true);
  const after = partitionOf(c.image, 'orders', 0)!;
  assert.equal(after.leader, before.replicas.find((id) => id !== victim));
  assert.equal(after.leaderEpoch, before.leaderEpoch + 1);
  assert.deepEqual(after.isr, before.isr.filter((id) => id !== victim));
  for (const p of topicByName(c.image, 'orders')!.partitions.values()) {
    assert.notEqual(p.leader, victim);
    assert.ok(!p.isr.includes(victim));
  }
  assert.ok(tick.records.every((r) => r.type !== 'partition-change' || r.topicId === topicId));
});

test('the last ISR member stays with NO_LEADER, and leads again when it comes back', () => {
  const c = cluster(2);
  value(c.createTopic({ name: 'solo', partitions: 1, replicationFactor: 1 }));
  const owner = partitionOf(c.image, 'solo', 0)!.leader;
  const other = owner === 1 ? 2 : 1;
  value(c.heartbeat(other, 1, 5 * timeout, live));
  c.tick(5 * timeout);
  const dark = partitionOf(c.image, 'solo', 0)!;
  assert.equal(dark.leader, NO_LEADER);
  assert.deepEqual(dark.isr, [owner]);
  value(c.heartbeat(owner, 1, 5 * timeout + 1, live));
  const back = partitionOf(c.image, 'solo', 0)!;
  assert.equal(back.leader, owner);
  assert.equal(back.leaderEpoch, dark.leaderEpoch + 1);
});

test('unclean election picks an out-of-sync replica only when the topic allows it', () => {
  for (const unclean of ['false', 'true']) {
    const c = cluster(2);
    const configs = new Map([['unclean.leader.election.enable', unclean]]);
    const { topicId } = value(c.createTopic({ name: 't', partitions: 1, replicationFactor: 2, configs })).response;
    const p = partitionOf(c.image, 't', 0)!;
    const [leader, follower] = p.replicas as [number, number];
    value(c.alterPartition({ topicId, partition: 0, leaderId: leader, leaderEpoch: 0, partitionEpoch: 0, newIsr: [leader] }));
    value(c.heartbeat(follower, 1, 2 * timeout, live));
    c.tick(2 * timeout);
    const after = partitionOf(c.image, 't', 0)!;
    assert.equal(after.leader, unclean === 'true' ? follower : NO_LEADER);
    assert.deepEqual(after.isr, unclean === 'true' ? [follower] : [leader]);
  }
});

test('a shutdown heartbeat fences the broker and moves its leaderships', () => {
  const c = cluster(2);
  value(c.createTopic({ name: 't', partitions: 4, replicationFactor: 2 }));
  const hb = value(c.heartbeat(1, 1, 1, { caughtUp: true, wantFence: false, wantShutdown: true }));
  assert.deepEqual(hb.response, { isFenced: true, shouldShutdown: true });
  for (const p of topicByName(c.image, 't')!.partitions.values()) assert.equal(p.leader, 2);
});

test('createTopic validates, places replicas evenly and writes configs', () => {
  const c = cluster(3);
  failure(c.createTopic({ name: 'bad name', partitions: 1, replicationFactor: 1 }), 'invalid-topic');
  failure(c.createTopic({ name: '..', partitions: 1, replicationFactor: 1 }), 'invalid-topic');
  failure(c.createTopic({ name: 't', partitions: 0, replicationFactor: 1 }), 'invalid-partitions');
  failure(c.createTopic({ name: 't', partitions: 1, replicationFactor: 4 }), 'invalid-replication-factor');
  const created = value(c.createTopic({ name: 't', partitions: 6, replicationFactor: 2, configs: new Map([['retention.ms', '5']]) }));
  assert.match(created.response.topicId, /^[0-9a-f]{32}$/);
  failure(c.createTopic({ name: 't', partitions: 1, replicationFactor: 1 }), 'topic-already-exists');
  const partitions = [...topicByName(c.image, 't')!.partitions.values()];
  const leaders = partitions.map((p) => p.leader);
  for (const id of [1, 2, 3]) assert.equal(leaders.filter((l) => l === id).length, 2);
  for (const p of partitions) {
    assert.deepEqual(p.isr, p.replicas);
    assert.equal(p.leader, p.replicas[0]);
    assert.equal(p.leaderEpoch, 0);
  }
  assert.equal(c.image.configs.get('topic:t')?.get('retention.ms'), '5');
});

test('assignReplicas gives distinct replicas per partition', () => {
  const random = seededRandom(3);
  for (let n = 1; n <= 5; n++) {
    for (let rf = 1; rf <= n; rf++) {
      for (const replicas of assignReplicas([...Array(n).keys()], 0, 12, rf, random)) {
        assert.equal(new Set(replicas).size, rf);
      }
    }
  }
});

test('createPartitions grows a topic and deleteTopic removes it', () => {
  const c = cluster(3);
  value(c.createTopic({ name: 't', partitions: 2, replicationFactor: 2 }));
  failure(c.createPartitions('t', 2), 'invalid-partitions');
  failure(c.createPartitions('nope', 3), 'unknown-topic-or-partition');
  value(c.createPartitions('t', 5));
  const t = topicByName(c.image, 't')!;
  assert.deepEqual([...t.partitions.keys()].sort(), [0, 1, 2, 3, 4]);
  for (const p of t.partitions.values()) assert.equal(p.replicas.length, 2);
  const deleted = value(c.deleteTopic('t'));
  assert.deepEqual(deleted.records, [{ type: 'remove-topic', topicId: t.topicId }]);
  assert.equal(topicByName(c.image, 't'), undefined);
  failure(c.deleteTopic('t'), 'unknown-topic-or-partition');
});

test('alterPartition is fenced by leader and partition epochs and checks the new ISR', () => {
  const c = cluster(3);
  const { topicId } = value(c.createTopic({ name: 't', partitions: 1, replicationFactor: 3 })).response;
  const p = partitionOf(c.image, 't', 0)!;
  const [leader, a, b] = p.replicas as [number, number, number];
  const base = { topicId, partition: 0, leaderId: leader, leaderEpoch: 0, partitionEpoch: 0 };
  failure(c.alterPartition({ ...base, newIsr: [a, b] }), 'invalid-request');
  failure(c.alterPartition({ ...base, leaderEpoch: 1, newIsr: [leader] }), 'fenced-leader-epoch');
  failure(c.alterPartition({ ...base, partitionEpoch: 3, newIsr: [leader] }), 'invalid-update-version');
  failure(c.alterPartition({ ...base, topicId: 'f'.repeat(32), newIsr: [leader] }), 'unknown-topic-id');
  failure(c.alterPartition({ ...base, brokerEpoch: 9, newIsr: [leader] }), 'stale-broker-epoch');
  const shrunk = value(c.alterPartition({ ...base, newIsr: [leader, a] }));
  assert.deepEqual(shrunk.response, { leader, leaderEpoch: 0, partitionEpoch: 1, isr: [leader, a] });
  failure(c.alterPartition({ ...base, newIsr: [leader, a, b] }), 'invalid-update-version');
  // b is fenced (voluntarily), so it may not rejoin the ISR.
  value(c.heartbeat(b, 1, 1, { caughtUp: true, wantFence: true, wantShutdown: false }));
  failure(c.alterPartition({ ...base, partitionEpoch: 1, newIsr: [leader, a, b] }), 'ineligible-replica');
  failure(c.alterPartition({ ...base, partitionEpoch: 1, newIsr: [leader, 9] }), 'invalid-request');
  assert.deepEqual(value(c.alterPartition({ ...base, partitionEpoch: 1, newIsr: [a, leader] })).records, []);
});

test('alterTopicConfigs emits a record per changed key and nothing for a no-op', () => {
  const c = cluster(3);
  value(c.createTopic({ name: 't', partitions: 1, replicationFactor: 1, configs: new Map([['retention.ms', '1000']]) }));
  const changed = value(c.alterTopicConfigs('t', new Map<string, string | null>([['retention.ms', '1000'], ['cleanup.policy', 'compact']])));
  assert.deepEqual(changed.records, [{ type: 'config', resourceType: 'topic', resourceName: 't', key: 'cleanup.policy', value: 'compact' }]);
  const deleted = value(c.alterTopicConfigs('t', new Map([['retention.ms', null]])));
  assert.deepEqual(deleted.records, [{ type: 'config', resourceType: 'topic', resourceName: 't', key: 'retention.ms', value: null }]);
  assert.deepEqual(value(c.alterTopicConfigs('t', new Map([['retention.ms', null]]))).records, []);
  failure(c.alterTopicConfigs('nope', new Map()), 'unknown-topic-or-partition');
});

test('a new controller gives brokers newControllerGraceMs to check in, not a whole session', () => {
  const c = cluster(3);
  const image = c.image;
  const next = new QuorumController(image, 5_000, seededRandom(1), { brokerSessionTimeoutMs: timeout, maxPartitionsPerTopic: 100, newControllerGraceMs: 300, preferredLeaderCheckIntervalMs: 0, reportedDeadMinSilenceMs: 200 });
  value(next.heartbeat(1, image.brokers.get(1)!.brokerEpoch, 5_200, live));
  value(next.heartbeat(2, image.brokers.get(2)!.brokerEpoch, 5_200, live));
  assert.deepEqual(next.tick(5_250).response.fencedBrokerIds, [], 'within the grace');
  assert.deepEqual(next.tick(5_301).response.fencedBrokerIds, [3], 'the broker that never checked in is fenced after the grace');
});

test('preferred-leader election: leadership returns to the first replica once it is back in the ISR', () => {
  const c = new QuorumController(emptyMetadataImage, 0, seededRandom(7), { brokerSessionTimeoutMs: timeout, maxPartitionsPerTopic: 100, newControllerGraceMs: timeout, preferredLeaderCheckIntervalMs: 5_000, reportedDeadMinSilenceMs: 200 });
  const epochs = [1, 2, 3].map((id) => {
    const epoch = register(c, id, 0);
    value(c.heartbeat(id, epoch, 0, live));
    return epoch;
  });
  value(c.createTopic({ name: 't', partitions: 3, replicationFactor: 3 }));
  const preferred = (p: number) => partitionOf(c.image, 't', p)!.replicas[0]!;
  const fenced = preferred(0);
  for (const id of [1, 2, 3]) if (id !== fenced) value(c.heartbeat(id, epochs[id - 1]!, 1_500, live));
  assert.deepEqual(c.tick(1_500).response.fencedBrokerIds, [fenced]);
  assert.notEqual(partitionOf(c.image, 't', 0)!.leader, fenced);
  // Back, unfenced, and (as its leader would ask) in the ISR again.
  value(c.heartbeat(fenced, epochs[fenced - 1]!, 2_000, live));
  const p0 = partitionOf(c.image, 't', 0)!;
  const topicId = topicByName(c.image, 't')!.topicId;
  value(c.alterPartition({ topicId, partition: 0, leaderId: p0.leader, leaderEpoch: p0.leaderEpoch, partitionEpoch: p0.partitionEpoch, newIsr: [...p0.isr, fenced] }));
  for (const id of [1, 2, 3]) value(c.heartbeat(id, epochs[id - 1]!, 4_900, live));
  assert.equal(c.tick(4_900).response.preferredLeaderMoves, 0, 'not before the interval');
  for (const id of [1, 2, 3]) value(c.heartbeat(id, epochs[id - 1]!, 5_000, live));
  const moved = c.tick(5_000);
  assert.ok(moved.response.preferredLeaderMoves >= 1);
  for (const p of [0, 1, 2]) assert.equal(partitionOf(c.image, 't', p)!.leader, preferred(p), `partition ${p} led by its preferred replica`);
});

test('a broker the failure detector reports dead is fenced once silent briefly, never while it heartbeats', () => {
  const c = new QuorumController(emptyMetadataImage, 0, seededRandom(7), { brokerSessionTimeoutMs: timeout, maxPartitionsPerTopic: 100, newControllerGraceMs: timeout, preferredLeaderCheckIntervalMs: 0, reportedDeadMinSilenceMs: 200 });
  const epochs = [1, 2, 3].map((id) => {
    const epoch = register(c, id, 0);
    value(c.heartbeat(id, epoch, 0, live));
    return epoch;
  });
  for (const id of [1, 2, 3]) value(c.heartbeat(id, epochs[id - 1]!, 100, live));
  assert.deepEqual(c.tick(150, new Set([2])).response.fencedBrokerIds, [], 'heard from 50 ms ago: not fenced on hearsay');
  value(c.heartbeat(1, epochs[0]!, 300, live));
  value(c.heartbeat(3, epochs[2]!, 300, live));
  assert.deepEqual(c.tick(300, new Set([2])).response.fencedBrokerIds, [2], 'silent 200 ms and reported dead: fenced long before the session expires');
});
