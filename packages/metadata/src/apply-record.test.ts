import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRecord, applyRecords } from './apply-record.js';
import {
  configsFor,
  emptyMetadataImage,
  fencedBrokerIds,
  partitionOf,
  topicById,
  topicByName,
  unfencedBrokerIds,
  type MetadataImage,
} from './metadata-image.js';
import { NO_LEADER, type MetadataRecord } from './records.js';

const ordersId = '000000000000000000000000000000aa';

function broker(brokerId: number, brokerEpoch = 1, fenced = true): MetadataRecord {
  return {
    type: 'register-broker',
    brokerId,
    brokerEpoch,
    incarnationId: `${String(brokerId).padStart(2, '0')}${'0'.repeat(30)}`,
    endpoints: [{ name: 'PLAINTEXT', host: `b${brokerId}`, port: 9092, securityProtocol: 0 }],
    rack: null,
    fenced,
  };
}

const cluster: MetadataRecord[] = [
  broker(1),
  broker(2),
  broker(3),
  { type: 'topic', name: 'orders', topicId: ordersId },
  { type: 'partition', topicId: ordersId, partition: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
  { type: 'partition', topicId: ordersId, partition: 1, replicas: [2, 3, 1], isr: [2, 3], leader: 2, leaderEpoch: 0, partitionEpoch: 0 },
];

function build(records: readonly MetadataRecord[], from: MetadataImage = emptyMetadataImage, offset = 0): MetadataImage {
  const result = applyRecords(from, records, offset);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

function refusal(image: MetadataImage, record: MetadataRecord, offset = image.offset): string {
  const result = applyRecord(image, record, offset);
  assert.ok(!result.ok, `expected ${record.type} to be refused`);
  return result.error.kind;
}

test('image: records build brokers, topics and partitions, and record the offset', () => {
  const image = build(cluster, emptyMetadataImage, 7);
  assert.equal(image.offset, 7);
  assert.deepEqual(fencedBrokerIds(image), [1, 2, 3]);
  assert.equal(topicByName(image, 'orders')?.topicId, ordersId);
  assert.equal(topicById(image, ordersId)?.name, 'orders');
  assert.deepEqual(partitionOf(image, 'orders', 1), { partition: 1, replicas: [2, 3, 1], isr: [2, 3], leader: 2, leaderEpoch: 0, partitionEpoch: 0 });
  assert.equal(partitionOf(image, 'orders', 2), undefined);
  assert.equal(topicByName(image, 'missing'), undefined);
});

test('image: applying leaves the previous image untouched', () => {
  const before = build(cluster);
  const after = build([{ type: 'remove-topic', topicId: ordersId }, { type: 'unfence-broker', brokerId: 1, brokerEpoch: 1 }], before, 1);
  assert.ok(topicByName(before, 'orders'));
  assert.deepEqual(fencedBrokerIds(before), [1, 2, 3]);
  assert.equal(topicByName(after, 'orders'), undefined);
});

test('image: fence and unfence follow the registered epoch', () => {
  let image = build(cluster);
  image = build([{ type: 'unfence-broker', brokerId: 2, brokerEpoch: 1 }], image);
  assert.deepEqual(unfencedBrokerIds(image), [2]);
  assert.deepEqual(fencedBrokerIds(image), [1, 3]);
  image = build([{ type: 'fence-broker', brokerId: 2, brokerEpoch: 1 }], image);
  assert.deepEqual(unfencedBrokerIds(image), []);
  assert.equal(refusal(image, { type: 'unfence-broker', brokerId: 2, brokerEpoch: 0 }), 'stale-broker-epoch');
  assert.equal(refusal(image, { type: 'fence-broker', brokerId: 9, brokerEpoch: 1 }), 'unknown-broker');
});

test('image: re-registration needs a newer epoch and replaces the registration', () => {
  let image = build(cluster);
  assert.equal(refusal(image, broker(1, 1)), 'stale-broker-epoch');
  image = build([broker(1, 5, false)], image);
  assert.equal(image.brokers.get(1)?.brokerEpoch, 5);
  assert.deepEqual(unfencedBrokerIds(image), [1]);
});

test('image: a leader change bumps the leader epoch; any change bumps the partition epoch', () => {
  let image = build(cluster);
  image = build([{ type: 'partition-change', topicId: ordersId, partition: 0, isr: [1, 2], leader: null }], image, 1);
  assert.deepEqual(partitionOf(image, 'orders', 0), { partition: 0, replicas: [1, 2, 3], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 1 });
  image = build([{ type: 'partition-change', topicId: ordersId, partition: 0, isr: null, leader: 2 }], image, 2);
  assert.deepEqual(partitionOf(image, 'orders', 0), { partition: 0, replicas: [1, 2, 3], isr: [1, 2], leader: 2, leaderEpoch: 1, partitionEpoch: 2 });
  image = build([{ type: 'partition-change', topicId: ordersId, partition: 0, isr: [], leader: NO_LEADER }], image, 3);
  assert.deepEqual(partitionOf(image, 'orders', 0), { partition: 0, replicas: [1, 2, 3], isr: [], leader: NO_LEADER, leaderEpoch: 2, partitionEpoch: 3 });
  // Re-stating the current leader is not a leader change.
  image = build([{ type: 'partition-change', topicId: ordersId, partition: 0, isr: [3], leader: NO_LEADER }], image, 4);
  assert.equal(partitionOf(image, 'orders', 0)?.leaderEpoch, 2);
});

test('image: partition changes that break the assignment are refused', () => {
  const image = build(cluster);
  const change = (isr: number[] | null, leader: number | null, partition = 0): MetadataRecord => ({ type: 'partition-change', topicId: ordersId, partition, isr, leader });
  assert.equal(refusal(image, change([2, 3], null)), 'invalid-assignment'); // leader 1 left the ISR
  assert.equal(refusal(image, change([1, 4], null)), 'invalid-assignment'); // 4 is not a replica
  assert.equal(refusal(image, change([1, 1], null)), 'invalid-assignment');
  assert.equal(refusal(image, change(null, 9)), 'invalid-assignment');
  assert.equal(refusal(image, change(null, 1, 5)), 'unknown-partition');
  assert.equal(refusal(image, { type: 'partition-change', topicId: '0'.repeat(32), partition: 0, isr: null, leader: 1 }), 'unknown-topic');
});

test('image: references to unknown topics and brokers are refused', () => {
  const image = build(cluster);
  const partition = (topicId: string, replicas: number[]): MetadataRecord => ({ type: 'partition', topicId, partition: 5, replicas, isr: replicas, leader: replicas[0], leaderEpoch: 0, partitionEpoch: 0 });
  assert.equal(refusal(image, partition('0'.repeat(32), [1])), 'unknown-topic');
  assert.equal(refusal(image, partition(ordersId, [1, 7])), 'unknown-broker');
  assert.equal(refusal(image, { ...(cluster[4] as object), type: 'partition' } as MetadataRecord), 'duplicate-partition');
  assert.equal(refusal(image, { type: 'topic', name: 'orders', topicId: '0'.repeat(32) }), 'duplicate-topic');
  assert.equal(refusal(image, { type: 'topic', name: 'other', topicId: ordersId }), 'duplicate-topic');
  assert.equal(refusal(image, { type: 'remove-topic', topicId: '0'.repeat(32) }), 'unknown-topic');
  assert.equal(refusal(image, { type: 'config', resourceType: 'topic', resourceName: 'nope', key: 'k', value: 'v' }), 'unknown-topic');
  assert.equal(refusal(image, { type: 'config', resourceType: 'broker', resourceName: '7', key: 'k', value: 'v' }), 'unknown-broker');
  assert.equal(refusal(image, { type: 'config', resourceType: 'broker', resourceName: '01', key: 'k', value: 'v' }), 'unknown-broker');
});

test('image: offsets never go backwards', () => {
  const image = build(cluster, emptyMetadataImage, 10);
  assert.equal(refusal(image, { type: 'unfence-broker', brokerId: 1, brokerEpoch: 1 }, 9), 'offset-regression');
});

test('image: configs are set, replaced and deleted per resource', () => {
  let image = build(cluster);
  image = build(
    [
      { type: 'config', resourceType: 'topic', resourceName: 'orders', key: 'retention.ms', value: '1000' },
      { type: 'config', resourceType: 'topic', resourceName: 'orders', key: 'retention.ms', value: '2000' },
      { type: 'config', resourceType: 'topic', resourceName: 'orders', key: 'cleanup.policy', value: 'compact' },
      { type: 'config', resourceType: 'broker', resourceName: '', key: 'log.retention.ms', value: '5' },
      { type: 'config', resourceType: 'broker', resourceName: '2', key: 'log.retention.ms', value: '6' },
    ],
    image,
  );
  assert.deepEqual(configsFor(image, 'topic', 'orders'), new Map([['retention.ms', '2000'], ['cleanup.policy', 'compact']]));
  assert.deepEqual(configsFor(image, 'broker', ''), new Map([['log.retention.ms', '5']]));
  assert.deepEqual(configsFor(image, 'broker', '2'), new Map([['log.retention.ms', '6']]));
  image = build([{ type: 'config', resourceType: 'broker', resourceName: '2', key: 'log.retention.ms', value: null }], image);
  assert.deepEqual(configsFor(image, 'broker', '2'), new Map());
  assert.equal(image.configs.has('broker:2'), false);
});

test('image: removing a topic removes its partitions and configs, and frees its name', () => {
  let image = build([...cluster, { type: 'config', resourceType: 'topic', resourceName: 'orders', key: 'retention.ms', value: '1' }]);
  image = build([{ type: 'remove-topic', topicId: ordersId }], image, 1);
  assert.equal(topicByName(image, 'orders'), undefined);
  assert.equal(topicById(image, ordersId), undefined);
  assert.equal(partitionOf(image, 'orders', 0), undefined);
  assert.deepEqual(configsFor(image, 'topic', 'orders'), new Map());
  assert.equal(refusal(image, { type: 'partition-change', topicId: ordersId, partition: 0, isr: null, leader: 2 }), 'unknown-topic');
  const newId = '000000000000000000000000000000bb';
  image = build([{ type: 'topic', name: 'orders', topicId: newId }], image, 2);
  assert.equal(topicByName(image, 'orders')?.partitions.size, 0);
});
