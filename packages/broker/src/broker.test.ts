/** A whole node on ephemeral ports in a temp dir: kafkajs, HTTP, gRPC, restart, shutdown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { ApiKey, defaultHeartbeatResponse } from '@tributary/protocol';
import { startBroker } from './broker.js';
import { testBrokerConfig } from './config/load-config.js';
import { silentLogger } from './logging.js';
import { handlerSpecs, withApiVersions } from './handlers/index.js';
import type { HandlerSpec } from './handlers/handler.js';
import { NodeClient } from './rpc/node-client.js';
import { RawKafkaClient, requestFrame } from './server/testing/raw-kafka-client.js';

const { Kafka, logLevel } = kafkajs;

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-broker-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('kafkajs: connect, list topics, topic metadata, auto-create on produce', async (t) => {
  const dir = await tempDir(t);
  const broker = await startBroker(testBrokerConfig(dir), { logger: silentLogger() });
  t.after(() => broker.close());
  assert.equal(broker.ready, true);
  const created = await broker.context.topics.createTopic({ name: 'orders', numPartitions: 3, replicationFactor: 1, configs: {}, validateOnly: false });
  assert.ok(created.ok);

  const kafka = new Kafka({ clientId: 'smoke', brokers: [`127.0.0.1:${broker.kafkaPort}`], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  assert.deepEqual(await admin.listTopics(), ['orders']);
  const { topics } = await admin.fetchTopicMetadata({ topics: ['orders'] });
  assert.equal(topics.length, 1);
  assert.deepEqual(
    topics[0].partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort(),
    [0, 1, 2].map((i) => [i, 1, [1], [1]]),
  );

  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  t.after(() => producer.disconnect());
  const [sent] = await producer.send({ topic: 'auto-created', messages: [{ value: 'hello' }] });
  assert.equal(sent.errorCode, 0);
  assert.deepEqual((await admin.listTopics()).sort(), ['auto-created', 'orders']);
});

test('HTTP: /health, /ready and /metrics with request, topic, partition, controller, connection and event-loop metrics', async (t) => {
  const dir = await tempDir(t);
  const broker = await startBroker(testBrokerConfig(dir), { logger: silentLogger() });
  t.after(() => broker.close());
  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.kafkaPort}`], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({ topic: 'metered', messages: [{ value: 'a' }, { value: 'b' }] });

  const get = (path: string) => fetch(`http://127.0.0.1:${broker.httpPort}${path}`);
  assert.equal((await get('/health')).status, 200);
  assert.equal((await get('/ready')).status, 200);
  assert.equal((await get('/nope')).status, 404);
  const metrics = await get('/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
  const text = await metrics.text();
  for (const pattern of [
    /^tributary_requests_total\{[^}]*api="Produce"[^}]*\} 1$/m,
    /^tributary_requests_total\{[^}]*api="Metadata"[^}]*\} \d+$/m,
    /^tributary_request_duration_seconds_bucket\{[^}]*api="Produce"/m,
    /^tributary_topic_records_in_total\{[^}]*topic="metered"[^}]*\} 2$/m,
    /^tributary_topic_bytes_in_total\{[^}]*topic="metered"[^}]*\} \d+$/m,
    /^tributary_partitions\{[^}]*\} 1$/m,
    /^tributary_under_replicated_partitions\{[^}]*\} 0$/m,
    /^tributary_active_controller\{[^}]*\} 1$/m,
    /^tributary_open_connections\{[^}]*\} [1-9]/m,
    /^nodejs_eventloop_lag_seconds\{/m,
    /^nodejs_eventloop_lag_p99_seconds\{/m,
    /^nodejs_heap_size_used_bytes\{/m,
    /^process_resident_memory_bytes\{/m,
  ]) {
    assert.match(text, pattern);
  }
});

test('/ready is 503 during shutdown; the request in flight is answered first', async (t) => {
  const dir = await tempDir(t);
  let release: () => void = () => {};
  let started: () => void = () => {};
  const inHandler = new Promise<void>((resolve) => (started = resolve));
  const slow: HandlerSpec<typeof ApiKey.Heartbeat> = {
    apiKey: ApiKey.Heartbeat,
    minVersion: 0,
    maxVersion: 3,
    handle: async () => {
      started();
      await new Promise<void>((resolve) => (release = resolve));
      return { ...defaultHeartbeatResponse(), errorCode: 0 };
    },
  };
  const broker = await startBroker(testBrokerConfig(dir), { logger: silentLogger(), handlers: withApiVersions([...handlerSpecs, slow]) });
  const client = await RawKafkaClient.connect(broker.kafkaPort);
  client.write(requestFrame(ApiKey.Heartbeat, 0, 1, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }));
  await inHandler;
  const closing = broker.close();
  assert.equal(broker.ready, false);
  assert.equal((await fetch(`http://127.0.0.1:${broker.httpPort}/ready`)).status, 503);
  assert.equal((await fetch(`http://127.0.0.1:${broker.httpPort}/health`)).status, 200);
  release();
  assert.equal((await client.response(ApiKey.Heartbeat, 0)).correlationId, 1);
  await closing;
  assert.equal(broker.close(), closing, 'close is idempotent');
});

test('gRPC: Node/Ping answers with the node id and cluster id', async (t) => {
  const dir = await tempDir(t);
  const broker = await startBroker(testBrokerConfig(dir, { nodeId: 7, voters: [{ nodeId: 7, host: '127.0.0.1', port: 0 }] }), { logger: silentLogger() });
  t.after(() => broker.close());
  const client = new NodeClient({ host: '127.0.0.1', port: broker.rpcPort });
  t.after(() => client.close());
  const pong = await client.ping({ fromNodeId: -1, sentAtMs: 1234 }, 5000);
  assert.equal(pong.nodeId, 7);
  assert.equal(pong.clusterId, broker.context.clusterId);
  assert.equal(pong.sentAtMs, 1234);
  assert.ok(pong.receivedAtMs > 0);
});

test('restart: the cluster id and topics persist; another node id is refused on the same directory', async (t) => {
  const dir = await tempDir(t);
  const first = await startBroker(testBrokerConfig(dir), { logger: silentLogger() });
  await first.context.topics.createTopic({ name: 'kept', numPartitions: 2, replicationFactor: 1, configs: {}, validateOnly: false });
  const clusterId = first.context.clusterId;
  assert.match(clusterId, /^[A-Za-z0-9_-]{22}$/);
  await first.close();

  const second = await startBroker(testBrokerConfig(dir), { logger: silentLogger() });
  assert.equal(second.context.clusterId, clusterId);
  assert.equal(second.context.topics.topic('kept')?.partitions.length, 2);
  await second.close();

  await assert.rejects(startBroker(testBrokerConfig(dir, { nodeId: 2 }), { logger: silentLogger() }), /belongs to node 1, not node 2/);
});

test('a port in use fails the start with a clear error and leaves nothing listening', async (t) => {
  const dir = await tempDir(t);
  const first = await startBroker(testBrokerConfig(dir), { logger: silentLogger() });
  t.after(() => first.close());
  const other = await tempDir(t);
  await assert.rejects(startBroker(testBrokerConfig(other, { listeners: [{ name: 'PLAINTEXT', listen: { host: '127.0.0.1', port: first.kafkaPort }, advertise: { host: '127.0.0.1', port: 0 } }] }), { logger: silentLogger() }), /EADDRINUSE/);
});

const hasKcat = spawnSync('kcat', ['-V']).status === 0;

test('librdkafka (kcat -L): ApiVersions v3 with its v0 header, then Metadata v4', { skip: !hasKcat && 'kcat is not installed' }, async (t) => {
  const dir = await tempDir(t);
  const broker = await startBroker(testBrokerConfig(dir), { logger: silentLogger() });
  t.after(() => broker.close());
  await broker.context.topics.createTopic({ name: 'listed', numPartitions: 2, replicationFactor: 1, configs: {}, validateOnly: false });
  // Asynchronously: the broker runs in this process.
  const { stdout } = await promisify(execFile)('kcat', ['-b', `127.0.0.1:${broker.kafkaPort}`, '-L', '-m', '5'], { timeout: 15_000 });
  assert.match(stdout, /broker 1 at 127\.0\.0\.1:\d+ \(controller\)/);
  assert.match(stdout, /topic "listed" with 2 partitions/);
  assert.match(stdout, /partition 1, leader 1, replicas: 1, isrs: 1/);
});
