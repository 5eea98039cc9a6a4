/** DescribeConfigs, AlterConfigs, IncrementalAlterConfigs and DescribeCluster through the wire codecs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { defaultTopicDefaults } from '../config/broker-config.js';
import { alterConfigsHandler } from './alter-configs.js';
import { describeClusterHandler } from './describe-cluster.js';
import { describeConfigsHandler } from './describe-configs.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { adminBroker, type AdminBroker } from './testing/admin-broker.js';

const TOPIC = 2;
const BROKER = 4;

async function brokerWithTopic(): Promise<AdminBroker> {
  const broker = await adminBroker({ topicDefaults: { ...defaultTopicDefaults, retentionMs: 3_600_000 } });
  const created = await broker.topics.createTopic({ name: 't', numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '1048576' }, validateOnly: false });
  assert.ok(created.ok);
  return broker;
}

test('DescribeConfigs v0 reports isDefault; v1 sources and synonyms; v3 types and documentation', async () => {
  const broker = await brokerWithTopic();
  const resources = [
    { resourceType: TOPIC, resourceName: 't', configurationKeys: null },
    { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
  ];
  const v0 = await broker.call(describeConfigsHandler, 0, { resources, includeSynonyms: false, includeDocumentation: false });
  assert.deepEqual(
    v0.results.map((r) => r.errorCode),
    [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  );
  const v0Entries = new Map(v0.results[0]!.configs.map((c) => [c.name, c]));
  assert.deepEqual([v0Entries.get('segment.bytes')!.value, v0Entries.get('segment.bytes')!.isDefault], ['1048576', false]);
  assert.deepEqual([v0Entries.get('retention.ms')!.value, v0Entries.get('retention.ms')!.isDefault], ['3600000', true]);

  const v1 = await broker.call(describeConfigsHandler, 1, { resources, includeSynonyms: true, includeDocumentation: false });
  const v1Entries = new Map(v1.results[0]!.configs.map((c) => [c.name, c]));
  assert.equal(v1Entries.get('segment.bytes')!.configSource, 1);
  assert.equal(v1Entries.get('retention.ms')!.configSource, 4);
  assert.equal(v1Entries.get('cleanup.policy')!.configSource, 5);
  assert.deepEqual(
    v1Entries.get('segment.bytes')!.synonyms.map((s) => [s.name, s.source]),
    [
      ['segment.bytes', 1],
      ['log.segment.bytes', 5],
    ],
  );

  for (const version of [2, 3, 4]) {
    const response = await broker.call(describeConfigsHandler, version, {
      resources: [{ resourceType: TOPIC, resourceName: 't', configurationKeys: ['retention.ms', 'cleanup.policy'] }],
      includeSynonyms: false,
      includeDocumentation: version >= 3,
    });
    const configs = response.results[0]!.configs;
    assert.deepEqual(
      configs.map((c) => c.name),
      ['cleanup.policy', 'retention.ms'],
    );
    assert.deepEqual(configs[0]!.synonyms, []);
    if (version >= 3) {
      assert.deepEqual(
        configs.map((c) => c.configType),
        [7, 5],
      );
      assert.match(configs[0]!.documentation!, /compact/);
    }
  }
  await broker.close();
});

test('DescribeConfigs describes the broker read-only under Kafka names', async () => {
  const broker = await brokerWithTopic();
  const nodeId = String(broker.context.nodeId);
  const response = await broker.call(describeConfigsHandler, 2, {
    resources: [
      { resourceType: BROKER, resourceName: nodeId, configurationKeys: null },
      { resourceType: BROKER, resourceName: '', configurationKeys: ['log.retention.ms', 'num.partitions'] },
      { resourceType: BROKER, resourceName: '99', configurationKeys: null },
      { resourceType: 8, resourceName: nodeId, configurationKeys: null },
    ],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  assert.deepEqual(
    response.results.map((r) => r.errorCode),
    [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
  );
  const all = new Map(response.results[0]!.configs.map((c) => [c.name, c]));
  for (const name of ['log.retention.ms', 'log.retention.bytes', 'log.segment.bytes', 'log.roll.ms', 'message.max.bytes', 'min.insync.replicas', 'num.partitions', 'default.replication.factor', 'broker.id', 'advertised.listeners']) {
    assert.ok(all.has(name), name);
    assert.equal(all.get(name)!.readOnly, true, name);
  }
  assert.deepEqual([all.get('log.retention.ms')!.value, all.get('log.retention.ms')!.configSource], ['3600000', 4]);
  assert.deepEqual([all.get('num.partitions')!.value, all.get('num.partitions')!.configSource], ['1', 5]);
  assert.equal(all.get('advertised.listeners')!.value, 'PLAINTEXT://broker.example:9092');
  assert.deepEqual(
    response.results[1]!.configs.map((c) => c.name),
    ['log.retention.ms', 'num.partitions'],
  );
  await broker.close();
});

test('DescribeConfigs lists every listener in listeners and advertised.listeners, Kafka-style', async () => {
  const broker = await adminBroker({
    listeners: [
      { name: 'INTERNAL', listen: { host: '0.0.0.0', port: 19092 }, advertise: { host: 'broker-1', port: 19092 } },
      { name: 'EXTERNAL', listen: { host: '0.0.0.0', port: 9092 }, advertise: { host: 'localhost', port: 9092 } },
    ],
  });
  const response = await broker.call(describeConfigsHandler, 2, {
    resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['listeners', 'advertised.listeners'] }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  assert.deepEqual(
    response.results[0]!.configs.map((c) => [c.name, c.value]),
    [
      ['advertised.listeners', 'INTERNAL://broker-1:19092,EXTERNAL://localhost:9092'],
      ['listeners', 'INTERNAL://0.0.0.0:19092,EXTERNAL://0.0.0.0:9092'],
    ],
  );
  await broker.close();
});

test('AlterConfigs v0–2 replaces every override; broker resources are refused with a reason', async () => {
  for (const version of [0, 1, 2]) {
    const broker = await brokerWithTopic();
    const response = await broker.call(alterConfigsHandler, version, {
      validateOnly: false,
      resources: [
        { resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] },
        { resourceType: TOPIC, resourceName: 'missing', configs: [] },
        { resourceType: BROKER, resourceName: String(broker.context.nodeId), configs: [{ name: 'log.retention.ms', value: '1' }] },
        { resourceType: TOPIC, resourceName: 'bad', configs: [] },
      ],
    });
    assert.deepEqual(
      response.responses.map((r) => [r.resourceName, r.errorCode]),
      [
        ['t', ErrorCode.NONE],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        [String(broker.context.nodeId), ErrorCode.INVALID_REQUEST],
        ['bad', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    );
    assert.match(response.responses[2]!.errorMessage!, /config file/);
    assert.deepEqual(broker.topics.topic('t')!.config.overrides, { 'retention.ms': '1000' }, 'segment.bytes went back to its default');
    assert.equal(broker.topics.partition('t', 0)!.log.config.retentionMs, 1000);

    const invalid = await broker.call(alterConfigsHandler, version, {
      validateOnly: false,
      resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: '5' }, { name: 'nope', value: '1' }] }],
    });
    assert.equal(invalid.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.deepEqual(broker.topics.topic('t')!.config.overrides, { 'retention.ms': '1000' }, 'nothing changed');
    const validateOnly = await broker.call(alterConfigsHandler, version, {
      validateOnly: true,
      resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: '5' }] }],
    });
    assert.equal(validateOnly.responses[0]!.errorCode, ErrorCode.NONE);
    assert.equal(broker.topics.topic('t')!.config.retentionMs, 1000);
    await broker.close();
  }
});

test('IncrementalAlterConfigs v0–1 sets, deletes, appends and subtracts', async () => {
  for (const version of [0, 1]) {
    const broker = await brokerWithTopic();
    const response = await broker.call(incrementalAlterConfigsHandler, version, {
      validateOnly: false,
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 't',
          configs: [
            { name: 'retention.bytes', configOperation: 0, value: '1000000' },
            { name: 'segment.bytes', configOperation: 1, value: null },
            { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
          ],
        },
        { resourceType: TOPIC, resourceName: 'missing', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] },
        { resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1' }] },
      ],
    });
    assert.deepEqual(
      response.responses.map((r) => r.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST],
    );
    assert.deepEqual(broker.topics.topic('t')!.config.overrides, { 'retention.bytes': '1000000', 'cleanup.policy': 'delete,compact' });

    const subtract = await broker.call(incrementalAlterConfigsHandler, version, {
      validateOnly: false,
      resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }] }],
    });
    assert.equal(subtract.responses[0]!.errorCode, ErrorCode.NONE);
    assert.equal(broker.topics.topic('t')!.config.cleanupPolicy, 'compact');
    const notAList = await broker.call(incrementalAlterConfigsHandler, version, {
      validateOnly: false,
      resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', configOperation: 2, value: '5' }] }],
    });
    assert.equal(notAList.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    const duplicates = await broker.call(incrementalAlterConfigsHandler, version, {
      validateOnly: false,
      resources: [
        { resourceType: TOPIC, resourceName: 't', configs: [] },
        { resourceType: TOPIC, resourceName: 't', configs: [] },
      ],
    });
    assert.deepEqual(
      duplicates.responses.map((r) => r.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
    await broker.close();
  }
});

test('DescribeCluster v0 and v1 list this broker as the whole cluster and its controller', async () => {
  const broker = await adminBroker();
  for (const version of [0, 1]) {
    const response = await broker.call(describeClusterHandler, version, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.clusterId, broker.context.clusterId);
    assert.equal(response.controllerId, broker.context.nodeId);
    assert.deepEqual(response.brokers, [{ brokerId: broker.context.nodeId, host: 'broker.example', port: 9092, rack: null }]);
    assert.equal(response.clusterAuthorizedOperations, -2147483648);
  }
  const withOps = await broker.call(describeClusterHandler, 0, { includeClusterAuthorizedOperations: true, endpointType: 1 });
  assert.notEqual(withOps.clusterAuthorizedOperations, -2147483648);
  const controllers = await broker.call(describeClusterHandler, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
  assert.equal(controllers.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  assert.equal(controllers.endpointType, 2);
  await broker.close();
});
