import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMetadataRequest, type MetadataRequest } from '@tributary/protocol';
import { metadataHandler } from './metadata.js';
import { adminBroker } from './testing/admin-broker.js';
import { createRequest } from '../state/testing/topic-test-support.js';
import { defaultTopicDefaults } from '../config/broker-config.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const named = (...names: string[]): MetadataRequest['topics'] => names.map((name) => ({ topicId: ZERO_UUID, name }));
const request = (topics: MetadataRequest['topics'], allowAutoTopicCreation = true): MetadataRequest => ({ ...defaultMetadataRequest(), topics, allowAutoTopicCreation });

test('brokers, cluster id and controller; partitions led by this node at every version', async () => {
  const broker = await adminBroker();
  await broker.topics.createTopic(createRequest('orders', { numPartitions: 3 }));
  for (let version = 0; version <= 12; version++) {
    const response = await broker.call(metadataHandler, version, request(version === 0 ? [] : null));
    assert.deepEqual(response.brokers, [{ nodeId: 1, host: 'broker.example', port: 9092, rack: null }], `v${version}`);
    if (version >= 1) assert.equal(response.controllerId, 1);
    if (version >= 2) assert.equal(response.clusterId, 'test-cluster');
    assert.equal(response.topics.length, 1);
    const [topic] = response.topics;
    assert.equal(topic.name, 'orders');
    assert.equal(topic.errorCode, 0);
    assert.deepEqual(topic.partitions.map((p) => p.partitionIndex), [0, 1, 2]);
    for (const p of topic.partitions) {
      assert.deepEqual([p.leaderId, p.replicaNodes, p.isrNodes, p.errorCode], [1, [1], [1], 0]);
      if (version >= 7) assert.equal(p.leaderEpoch, 0);
    }
    if (version >= 10) assert.equal(topic.topicId, broker.topics.topic('orders')?.topicId);
  }
  await broker.close();
});

test('which topics: v1+ null = all and [] = none; v0 [] = all; duplicates answered once', async () => {
  const broker = await adminBroker();
  await broker.topics.createTopic(createRequest('a'));
  await broker.topics.createTopic(createRequest('b'));
  const names = async (version: number, topics: MetadataRequest['topics']) => (await broker.call(metadataHandler, version, request(topics))).topics.map((t) => t.name).sort();
  assert.deepEqual(await names(1, null), ['a', 'b']);
  assert.deepEqual(await names(6, []), []);
  assert.deepEqual(await names(0, []), ['a', 'b']);
  assert.deepEqual(await names(4, named('b', 'b')), ['b']);
  await broker.close();
});

test('auto-creation: broker setting and, from v4, the request flag; defaults applied', async () => {
  const broker = await adminBroker({ topicDefaults: { ...defaultTopicDefaults, numPartitions: 2 } });
  const v4 = await broker.call(metadataHandler, 4, request(named('created'), true));
  assert.equal(v4.topics[0].errorCode, 0);
  assert.equal(v4.topics[0].partitions.length, 2);
  assert.ok(broker.topics.topic('created'));
  const refused = await broker.call(metadataHandler, 4, request(named('not-created'), false));
  assert.equal(refused.topics[0].errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(broker.topics.topic('not-created'), undefined);
  const v1 = await broker.call(metadataHandler, 1, request(named('old-client')));
  assert.equal(v1.topics[0].errorCode, 0, 'before v4 the broker setting decides');
  await broker.close();

  const off = await adminBroker({ autoCreateTopics: false });
  for (const version of [1, 4, 9]) {
    const response = await off.call(metadataHandler, version, request(named('nope'), true));
    assert.equal(response.topics[0].errorCode, 3, `v${version}`);
  }
  assert.equal(off.topics.topics().length, 0);
  await off.close();
});

test('concurrent auto-creation of one topic: both requests get the topic', async () => {
  const broker = await adminBroker();
  const [a, b] = await Promise.all([broker.call(metadataHandler, 6, request(named('race'))), broker.call(metadataHandler, 6, request(named('race')))]);
  assert.equal(a.topics[0].errorCode, 0);
  assert.equal(b.topics[0].errorCode, 0);
  assert.equal(broker.topics.topics().length, 1);
  await broker.close();
});

test('invalid names get INVALID_TOPIC_EXCEPTION and are not created', async () => {
  const broker = await adminBroker();
  for (const name of ['..', 'has space', 'x'.repeat(250), '']) {
    const response = await broker.call(metadataHandler, 6, request(named(name)));
    assert.equal(response.topics[0].errorCode, 17, JSON.stringify(name));
  }
  assert.equal(broker.topics.topics().length, 0);
  await broker.close();
});

test('v10+: topics by id; an unknown id is UNKNOWN_TOPIC_ID', async () => {
  const broker = await adminBroker();
  const created = await broker.topics.createTopic(createRequest('by-id'));
  assert.ok(created.ok);
  const response = await broker.call(metadataHandler, 12, request([{ topicId: created.value.topicId, name: null }, { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', name: null }]));
  assert.equal(response.topics[0].name, 'by-id');
  assert.equal(response.topics[0].topicId, created.value.topicId);
  assert.deepEqual([response.topics[1].errorCode, response.topics[1].name], [100, null]);
  await broker.close();
});

test('authorized operations when asked (v8+), the omitted marker otherwise', async () => {
  const broker = await adminBroker();
  await broker.topics.createTopic(createRequest('ops'));
  const asked = await broker.call(metadataHandler, 8, { ...request(null), includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true });
  assert.ok(asked.clusterAuthorizedOperations > 0);
  assert.ok((asked.topics[0].topicAuthorizedOperations & (1 << 3)) !== 0, 'READ');
  const notAsked = await broker.call(metadataHandler, 8, request(null));
  assert.equal(notAsked.topics[0].topicAuthorizedOperations, -2147483648);
  await broker.close();
});
