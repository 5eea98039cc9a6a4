/** The topic admin APIs driven by an unmodified kafkajs 2.2.4 admin client against a real broker. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker } from '../broker.js';
import { testBrokerConfig } from '../config/load-config.js';
import { silentLogger } from '../logging.js';
import { alterConfigsHandler } from './alter-configs.js';
import { createPartitionsHandler } from './create-partitions.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { describeClusterHandler } from './describe-cluster.js';
import { describeConfigsHandler } from './describe-configs.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { handlerSpecs, withApiVersions } from './index.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
const adminHandlers = [createTopicsHandler, deleteTopicsHandler, createPartitionsHandler, describeConfigsHandler, alterConfigsHandler, incrementalAlterConfigsHandler, describeClusterHandler];

test('kafkajs admin: create, list, grow, describe and alter configs, delete', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-admin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const handlers = withApiVersions([...handlerSpecs.filter((h) => !adminHandlers.some((a) => a.apiKey === h.apiKey)), ...adminHandlers]);
  const broker = await startBroker(testBrokerConfig(dir), { logger: silentLogger(), handlers });
  t.after(() => broker.close());

  const kafka = new Kafka({ clientId: 'admin-test', brokers: [`127.0.0.1:${broker.kafkaPort}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());

  assert.equal(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '60000' }] }] }), true);
  assert.equal(await admin.createTopics({ topics: [{ topic: 'orders' }] }), false, 'already exists');
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'wide', replicationFactor: 3 }] }), (error: { errors?: Array<{ type: string }> }) => {
    assert.equal(error.errors?.[0]?.type, 'INVALID_REPLICATION_FACTOR');
    return true;
  });
  assert.deepEqual(await admin.listTopics(), ['orders']);

  await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 5 }] });
  const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
  assert.equal(metadata.topics[0]!.partitions.length, 5);

  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configNames: ['retention.ms', 'cleanup.policy'] }] });
  const entries = new Map(described.resources[0]!.configEntries.map((e) => [e.configName, e]));
  assert.equal(entries.get('retention.ms')!.configValue, '60000');
  assert.equal(entries.get('retention.ms')!.isDefault, false);
  assert.equal(entries.get('cleanup.policy')!.configValue, 'delete');

  const brokerConfigs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.context.nodeId) }] });
  assert.ok(brokerConfigs.resources[0]!.configEntries.some((e) => e.configName === 'log.retention.ms'));

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
  assert.deepEqual(broker.context.topics.topic('orders')!.config.overrides, { 'cleanup.policy': 'compact' });

  await admin.deleteTopics({ topics: ['orders'] });
  assert.deepEqual(await admin.listTopics(), []);
});
