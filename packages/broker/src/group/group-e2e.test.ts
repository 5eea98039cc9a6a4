/**
 * kafkajs consumers in one group against a whole broker: three consumers share a 6-partition
 * topic; one is killed hard and the others take its partitions after its session timeout;
 * committed offsets survive a broker restart (replayed from __consumer_offsets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Admin, type Consumer } from 'kafkajs';
import { startBroker, type StartBrokerOptions } from '../broker.js';
import { testBrokerConfig } from '../config/load-config.js';
import { silentLogger } from '../logging.js';

const { Kafka, logLevel, AssignerProtocol } = kafkajs;
const TOPIC = 'events';
const GROUP = 'e2e-group';
const groupOptions: StartBrokerOptions['groups'] = { offsetsTopicPartitions: 5, tickIntervalMs: 50, coordinator: { minSessionTimeoutMs: 1_000, initialRebalanceDelayMs: 0 } };

/** Polls `probe` until it returns a value (bounded: fails after `timeoutMs`). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The group's Stable assignment as member id → partitions, when it has `members` members covering every partition once. */
async function stableAssignment(admin: Admin, members: number): Promise<Map<string, number[]> | undefined> {
  const { groups } = await admin.describeGroups([GROUP]);
  const group = groups[0];
  if (group.state !== 'Stable' || group.members.length !== members) return undefined;
  const byMember = new Map<string, number[]>();
  for (const m of group.members) {
    const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
    byMember.set(m.memberId, decoded?.assignment[TOPIC] ?? []);
  }
  const all = [...byMember.values()].flat().sort((a, b) => a - b);
  return JSON.stringify(all) === JSON.stringify([0, 1, 2, 3, 4, 5]) ? byMember : undefined;
}

async function committed(admin: Admin): Promise<Record<number, string>> {
  const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  return Object.fromEntries(topic.partitions.map((p) => [p.partition, p.offset]));
}

test('kafkajs group: three consumers share partitions, a killed one is replaced, offsets survive a restart', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-groups-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let broker = await startBroker(testBrokerConfig(dir), { logger: silentLogger(), groups: groupOptions });
  t.after(() => broker.close());
  const bootstrap = `127.0.0.1:${broker.kafkaPort}`;
  const kafka = new Kafka({ clientId: 'e2e', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 60 }, (_, i) => ({ partition: i % 6, value: `m${i}` })) });
  await producer.disconnect();

  const victim = spawn(process.execPath, [fileURLToPath(new URL('./testing/kafkajs-member.js', import.meta.url))], {
    env: { ...process.env, BOOTSTRAP: bootstrap, GROUP, TOPIC },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => victim.kill('SIGKILL'));
  const consumed = new Map<number, number>();
  const consumers: Consumer[] = [];
  // maxWaitTimeInMs below the session timeout: kafkajs heartbeats on the connection its fetch
  // long polls use, and a broker answers one request per connection at a time (as Kafka does).
  for (let i = 0; i < 2; i++) {
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 3_000, heartbeatInterval: 300, rebalanceTimeout: 6_000, maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition }) => {
        consumed.set(partition, (consumed.get(partition) ?? 0) + 1);
      },
    });
    consumers.push(consumer);
  }
  const three = await eventually('three members sharing six partitions', () => stableAssignment(admin, 3));
  assert.ok([...three.values()].every((partitions) => partitions.length === 2), 'the round-robin assignor gives each member two');
  const victimMember = [...three.keys()].find((id) => id.startsWith('victim-'));
  assert.ok(victimMember !== undefined, 'the victim is a member');

  victim.kill('SIGKILL');
  await once(victim, 'exit');
  const two = await eventually('the two survivors taking over', () => stableAssignment(admin, 2));
  assert.ok(![...two.keys()].includes(victimMember));
  // The survivors consume the victim's partitions too; auto-commit records how far they got.
  await eventually('every partition committed at its end', async () => {
    const offsets = await committed(admin);
    return Object.values(offsets).every((o) => o === '10') ? offsets : undefined;
  });

  for (const c of consumers) await c.disconnect();
  await admin.disconnect();
  await broker.close();
  broker = await startBroker(testBrokerConfig(dir), { logger: silentLogger(), groups: groupOptions });
  const again = new Kafka({ clientId: 'e2e', brokers: [`127.0.0.1:${broker.kafkaPort}`], logLevel: logLevel.NOTHING }).admin();
  await again.connect();
  t.after(() => again.disconnect());
  const restored = await eventually('offsets after the restart', async () => {
    const offsets = await committed(again);
    return Object.keys(offsets).length === 6 ? offsets : undefined;
  });
  assert.deepEqual(restored, { 0: '10', 1: '10', 2: '10', 3: '10', 4: '10', 5: '10' });
  const { groups } = await again.describeGroups([GROUP]);
  assert.equal(groups[0].state, 'Empty', 'every consumer left before the restart');
  // Every partition is consumed to its end: /metrics reports a lag of 0 for each.
  const metrics = await (await fetch(`http://127.0.0.1:${broker.httpPort}/metrics`)).text();
  const lags = [...metrics.matchAll(/^tributary_consumer_group_lag\{([^}]*)\} (\d+)$/gm)].filter((m) => m[1].includes(`group="${GROUP}"`));
  assert.equal(lags.length, 6, 'a lag per partition of the group');
  assert.ok(lags.every((m) => m[2] === '0'));
});
