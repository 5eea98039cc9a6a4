import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { offsetsPartitionFor } from '@tributary/group';
import { testBroker } from './data/testing/fake-broker.js';
import { call } from './data/testing/wire.js';
import { findCoordinatorHandler } from './find-coordinator.js';
import { handlerSpecs } from './index.js';
import { groupTestBroker } from '../group/testing/group-test-broker.js';
import { OFFSETS_TOPIC } from '../group/group-service.js';

test('FindCoordinator is advertised from v0; without a group service it answers COORDINATOR_NOT_AVAILABLE', async () => {
  const spec = handlerSpecs.find((s) => s.apiKey === ApiKey.FindCoordinator);
  assert.equal(spec?.minVersion, 0, 'librdkafka enables lz4 only when FindCoordinator v0 is advertised');
  const broker = await testBroker();
  for (const version of [0, 1, 2]) {
    const response = await call(broker, findCoordinatorHandler, version, { key: 'g', keyType: 0, coordinatorKeys: [] });
    assert.equal(response.errorCode, ErrorCode['COORDINATOR_NOT_AVAILABLE']);
    assert.equal(response.nodeId, -1);
  }
});

test('FindCoordinator names this node for groups (v0 kafka-python, v2 kafkajs/librdkafka, v4 batched), creating __consumer_offsets', async (t) => {
  const { broker, service } = await groupTestBroker({ offsetsTopicPartitions: 4 });
  t.after(() => service.close());
  assert.equal(broker.topics.topic(OFFSETS_TOPIC), undefined, 'not before a group needs it');
  for (const version of [0, 1, 2, 3]) {
    const response = await call(broker, findCoordinatorHandler, version, { key: 'my-group', keyType: 0, coordinatorKeys: [] });
    assert.deepEqual([response.errorCode, response.nodeId, response.host, response.port], [0, 1, '127.0.0.1', 9092]);
  }
  assert.equal(broker.topics.topic(OFFSETS_TOPIC)?.partitions.length, 4);
  assert.equal(service.partitionFor('my-group'), offsetsPartitionFor('my-group', 4));
  const batched = await call(broker, findCoordinatorHandler, 4, { key: '', keyType: 0, coordinatorKeys: ['a', 'b'] });
  assert.deepEqual(batched.coordinators.map((c) => [c.key, c.nodeId, c.errorCode]), [['a', 1, 0], ['b', 1, 0]]);
  const txn = await call(broker, findCoordinatorHandler, 2, { key: 'tx', keyType: 1, coordinatorKeys: [] });
  assert.equal(txn.errorCode, ErrorCode['COORDINATOR_NOT_AVAILABLE']);
});
