/** CreateTopics, DeleteTopics and CreatePartitions through the wire codecs, at the versions clients send. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, type CreateTopicsRequestCreatableTopic } from '@tributary/protocol';
import { createPartitionsHandler } from './create-partitions.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { adminBroker } from './testing/admin-broker.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function topic(name: string, fields: Partial<CreateTopicsRequestCreatableTopic> = {}): CreateTopicsRequestCreatableTopic {
  return { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [], ...fields };
}

test('CreateTopics at v0, v3 and v4 creates topics and reports per-topic errors', async () => {
  for (const version of [0, 3, 4]) {
    const broker = await adminBroker();
    const response = await broker.call(createTopicsHandler, version, {
      timeoutMs: 1000,
      validateOnly: false,
      topics: [
        topic('orders', { numPartitions: 3, configs: [{ name: 'retention.ms', value: '60000' }] }),
        topic('replicated', { replicationFactor: 3 }),
        topic('bad name'),
        topic('bad-config', { configs: [{ name: 'retention.ms', value: 'forever' }] }),
        topic('defaults', { numPartitions: -1, replicationFactor: -1 }),
      ],
    });
    assert.deepEqual(
      response.topics.map((t) => [t.name, t.errorCode]),
      [
        ['orders', ErrorCode.NONE],
        ['replicated', ErrorCode.INVALID_REPLICATION_FACTOR],
        ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
        ['bad-config', ErrorCode.INVALID_CONFIG],
        ['defaults', ErrorCode.NONE],
      ],
      `v${version}`,
    );
    if (version >= 1) assert.match(response.topics[1]!.errorMessage!, /replication factor of 3/);
    assert.equal(broker.topics.topic('orders')!.partitions.length, 3);
    assert.equal(broker.topics.topic('orders')!.config.retentionMs, 60000);
    const again = await broker.call(createTopicsHandler, version, { timeoutMs: 1000, validateOnly: false, topics: [topic('orders')] });
    assert.equal(again.topics[0]!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
    await broker.close();
  }
});

test('CreateTopics validateOnly (v1+) creates nothing; duplicates in one request are refused', async () => {
  const broker = await adminBroker();
  const checked = await broker.call(createTopicsHandler, 3, { timeoutMs: 0, validateOnly: true, topics: [topic('t', { numPartitions: 2 })] });
  assert.equal(checked.topics[0]!.errorCode, ErrorCode.NONE);
  assert.equal(broker.topics.topic('t'), undefined);
  const duplicated = await broker.call(createTopicsHandler, 3, { timeoutMs: 0, validateOnly: false, topics: [topic('d'), topic('d', { numPartitions: 2 })] });
  assert.deepEqual(
    duplicated.topics.map((t) => [t.name, t.errorCode]),
    [['d', ErrorCode.INVALID_REQUEST]],
  );
  assert.equal(broker.topics.topic('d'), undefined);
  await broker.close();
});

test('CreateTopics accepts manual assignments only onto this node', async () => {
  const broker = await adminBroker();
  const nodeId = broker.context.nodeId;
  const response = await broker.call(createTopicsHandler, 4, {
    timeoutMs: 0,
    validateOnly: false,
    topics: [
      topic('manual', {
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 1, brokerIds: [nodeId] },
          { partitionIndex: 0, brokerIds: [nodeId] },
        ],
      }),
      topic('elsewhere', { numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [nodeId + 1] }] }),
      topic('gap', { numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 1, brokerIds: [nodeId] }] }),
      topic('both', { numPartitions: 1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [nodeId] }] }),
    ],
  });
  assert.deepEqual(
    response.topics.map((t) => [t.name, t.errorCode]),
    [
      ['manual', ErrorCode.NONE],
      ['elsewhere', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
      ['gap', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
      ['both', ErrorCode.INVALID_REQUEST],
    ],
  );
  assert.equal(broker.topics.topic('manual')!.partitions.length, 2);
  await broker.close();
});

test('CreateTopics v5+ returns partitions, replication factor and configs; v7 the topic id', async () => {
  const broker = await adminBroker();
  const v5 = await broker.call(createTopicsHandler, 5, { timeoutMs: 0, validateOnly: false, topics: [topic('five', { numPartitions: 2, configs: [{ name: 'cleanup.policy', value: 'compact' }] })] });
  const result = v5.topics[0]!;
  assert.equal(result.errorCode, ErrorCode.NONE);
  assert.equal(result.numPartitions, 2);
  assert.equal(result.replicationFactor, 1);
  const cleanup = result.configs!.find((c) => c.name === 'cleanup.policy')!;
  assert.deepEqual([cleanup.value, cleanup.configSource], ['compact', 1]);
  assert.equal(result.configs!.find((c) => c.name === 'retention.ms')!.configSource, 5);

  const v7 = await broker.call(createTopicsHandler, 7, { timeoutMs: 0, validateOnly: false, topics: [topic('seven', { numPartitions: -1 })] });
  assert.equal(v7.topics[0]!.topicId, broker.topics.topic('seven')!.topicId);
  assert.notEqual(v7.topics[0]!.topicId, ZERO_UUID);
  assert.equal(v7.topics[0]!.numPartitions, 1);

  const validateOnly = await broker.call(createTopicsHandler, 7, { timeoutMs: 0, validateOnly: true, topics: [topic('later', { numPartitions: 6 })] });
  assert.equal(validateOnly.topics[0]!.numPartitions, 6);
  const failed = await broker.call(createTopicsHandler, 7, { timeoutMs: 0, validateOnly: false, topics: [topic('five')] });
  assert.deepEqual([failed.topics[0]!.errorCode, failed.topics[0]!.numPartitions], [ErrorCode.TOPIC_ALREADY_EXISTS, -1]);
  await broker.close();
});

test('DeleteTopics v1 and v3 by name', async () => {
  for (const version of [1, 3, 5]) {
    const broker = await adminBroker();
    await broker.topics.createTopic({ name: 'gone', numPartitions: 2, replicationFactor: 1, configs: {}, validateOnly: false });
    const response = await broker.call(deleteTopicsHandler, version, { topics: [], topicNames: ['gone', 'never-was'], timeoutMs: 1000 });
    assert.deepEqual(
      response.responses.map((r) => [r.name, r.errorCode]),
      [
        ['gone', ErrorCode.NONE],
        ['never-was', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    );
    if (version >= 5) assert.match(response.responses[1]!.errorMessage!, /never-was/);
    assert.equal(broker.topics.topic('gone'), undefined);
    await broker.close();
  }
});

test('DeleteTopics v6 by topic id or by name', async () => {
  const broker = await adminBroker();
  const created = await broker.topics.createTopic({ name: 'by-id', numPartitions: 1, replicationFactor: 1, configs: {}, validateOnly: false });
  assert.ok(created.ok);
  await broker.topics.createTopic({ name: 'by-name', numPartitions: 1, replicationFactor: 1, configs: {}, validateOnly: false });
  const unknownId = 'ZZZZZZZZZZZZZZZZZZZZZQ';
  const response = await broker.call(deleteTopicsHandler, 6, {
    topicNames: [],
    timeoutMs: 0,
    topics: [
      { name: null, topicId: created.value.topicId },
      { name: 'by-name', topicId: ZERO_UUID },
      { name: null, topicId: unknownId },
      { name: 'x', topicId: unknownId },
    ],
  });
  assert.deepEqual(
    response.responses.map((r) => [r.name, r.topicId, r.errorCode]),
    [
      ['by-id', created.value.topicId, ErrorCode.NONE],
      ['by-name', response.responses[1]!.topicId, ErrorCode.NONE],
      [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
      ['x', unknownId, ErrorCode.INVALID_REQUEST],
    ],
  );
  assert.notEqual(response.responses[1]!.topicId, ZERO_UUID);
  assert.deepEqual(broker.topics.topics(), []);
  await broker.close();
});

test('DeleteTopics answers TOPIC_DELETION_DISABLED when delete.topic.enable is false', async () => {
  const broker = await adminBroker({ deleteTopicEnable: false });
  await broker.topics.createTopic({ name: 'kept', numPartitions: 1, replicationFactor: 1, configs: {}, validateOnly: false });
  const response = await broker.call(deleteTopicsHandler, 1, { topics: [], topicNames: ['kept'], timeoutMs: 0 });
  assert.equal(response.responses[0]!.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
  assert.ok(broker.topics.topic('kept'));
  await broker.close();
});

test('CreatePartitions v0, v1 and v3 grow topics; shrinking and bad assignments are refused', async () => {
  for (const version of [0, 1, 3]) {
    const broker = await adminBroker();
    const nodeId = broker.context.nodeId;
    await broker.topics.createTopic({ name: 't', numPartitions: 2, replicationFactor: 1, configs: {}, validateOnly: false });
    await broker.topics.createTopic({ name: 'u', numPartitions: 1, replicationFactor: 1, configs: {}, validateOnly: false });
    const response = await broker.call(createPartitionsHandler, version, {
      timeoutMs: 0,
      validateOnly: false,
      topics: [
        { name: 't', count: 4, assignments: [{ brokerIds: [nodeId] }, { brokerIds: [nodeId] }] },
        { name: 'u', count: 3, assignments: [{ brokerIds: [nodeId + 1] }, { brokerIds: [nodeId] }] },
        { name: 'missing', count: 3, assignments: null },
      ],
    });
    assert.deepEqual(
      response.results.map((r) => [r.name, r.errorCode]),
      [
        ['t', ErrorCode.NONE],
        ['u', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
      `v${version}`,
    );
    assert.equal(broker.topics.topic('t')!.partitions.length, 4);
    const shrink = await broker.call(createPartitionsHandler, version, { timeoutMs: 0, validateOnly: false, topics: [{ name: 't', count: 2, assignments: null }] });
    assert.equal(shrink.results[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.match(shrink.results[0]!.errorMessage!, /higher than the requested 2/);
    const check = await broker.call(createPartitionsHandler, version, { timeoutMs: 0, validateOnly: true, topics: [{ name: 'u', count: 5, assignments: null }] });
    assert.equal(check.results[0]!.errorCode, ErrorCode.NONE);
    assert.equal(broker.topics.topic('u')!.partitions.length, 1);
    await broker.close();
  }
});
