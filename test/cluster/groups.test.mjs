// Issue 7, point 6: __consumer_offsets replicates like any topic, so committed offsets and group
// state survive the loss of the broker coordinating the group. A kafkajs consumer group commits
// offsets; the coordinator is killed with SIGKILL; the new coordinator (the offsets partition's
// new leader) serves the same committed offsets, and a consumer of the group resumes exactly
// after them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { LocalCluster } from '../../packages/cli/dist/cluster/local-cluster.js';
import { findCoordinator } from '../../packages/cli/dist/client/group-coordinator.js';
import { ErrorCode } from '../../packages/protocol/dist/index.js';
import { createTopicAt, eventually, withClient } from './lib/cluster-client.mjs';

const { Kafka, logLevel } = kafkajs;
const dataDir = mkdtempSync(join(tmpdir(), 'tributary-groups-'));
// Few offsets partitions keep the test quick; three replicas each.
const cluster = await LocalCluster.create({ brokers: 3, dataDir, kafkaBasePort: 0, brokerArgs: ['--log-level', 'debug', '--offsets-topic-num-partitions', '3'] });
let keep = process.env.CLUSTER_KEEP === '1';
after(async () => {
  await cluster.stop();
  if (keep) console.log(`# logs kept in ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
});

const TOPIC = 'orders';
const GROUP = 'billing';
const FIRST = 300;
const MORE = 60;

function kafkaAt(nodeIds) {
  return new Kafka({
    clientId: 'groups-test',
    brokers: nodeIds.map((id) => `${cluster.host}:${cluster.node(id).kafkaPort}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

async function produce(kafka, from, count) {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let i = from; i < from + count; i += 20) {
    const messages = Array.from({ length: Math.min(20, from + count - i) }, (_, k) => ({ key: `k${(i + k) % 7}`, value: String(i + k) }));
    await producer.send({ topic: TOPIC, acks: -1, messages });
  }
  await producer.disconnect();
}

/** Consumes with the group until `count` records arrived; commits them; returns their values. */
async function consume(kafka, count) {
  const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const values = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let done;
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      values.push(Number(message.value.toString()));
      await consumer.commitOffsets([{ topic: TOPIC, partition, offset: String(Number(message.offset) + 1) }]);
      if (values.length >= count) done();
    },
  });
  await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error(`consumed ${values.length} of ${count}`)), 60_000))]);
  await consumer.disconnect();
  return values;
}

async function committedTotal(kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    return topic.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

test('committed offsets survive the loss of the group coordinator', { timeout: 180_000 }, async (t) => {
  t.after(() => {
    if (t.passed === false) keep = true;
  });
  await cluster.start();
  const created = await createTopicAt(cluster, 1, TOPIC, 3, 3);
  assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage ?? '');
  const all = kafkaAt([1, 2, 3]);
  await produce(all, 0, FIRST);
  const first = await consume(all, FIRST);
  assert.deepEqual([...first].sort((a, b) => a - b), Array.from({ length: FIRST }, (_, i) => i), 'every record once');
  assert.equal(await committedTotal(all), FIRST);

  const coordinator = await withClient(cluster, 1, async (client) => {
    const found = await findCoordinator(client, GROUP);
    if (!found.ok) throw found.error;
    return found.value.nodeId;
  });
  await cluster.kill(coordinator, 'SIGKILL');
  const survivors = [1, 2, 3].filter((id) => id !== coordinator);
  const rest = kafkaAt(survivors);
  const total = await eventually('the committed offsets served by the new coordinator', async () => ((await committedTotal(rest)) === FIRST ? FIRST : undefined), 30_000);
  console.log(`# coordinator ${coordinator} killed; a survivor serves ${total} committed offsets`);

  await produce(rest, FIRST, MORE);
  const resumed = await consume(rest, MORE);
  assert.deepEqual([...resumed].sort((a, b) => a - b), Array.from({ length: MORE }, (_, i) => FIRST + i), 'resumed right after the committed offsets: nothing lost, nothing read again');
});
