// Three real `tributary broker` processes on 127.0.0.1 in combined mode (issue 6, point 6):
// topics created through any broker appear on all; kill -9 the active controller and another
// takes over while topic creation keeps working; restart it and it catches up.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '../../packages/cli/dist/cluster/local-cluster.js';
import { ErrorCode } from '../../packages/protocol/dist/index.js';
import { createTopicAt as createTopicAtNode, eventually, metadataAt as metadataAtNode } from './lib/cluster-client.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'tributary-quorum-'));
// Snapshots every few entries, so the run also covers snapshot writes, restarts from a snapshot,
// and (when the restarted node is far enough behind) InstallSnapshot from the leader.
const SNAPSHOT_INTERVAL = 4;
const cluster = await LocalCluster.create({
  brokers: 3,
  dataDir,
  kafkaBasePort: 0,
  brokerArgs: ['--log-level', 'debug', '--metadata-snapshot-interval-records', String(SNAPSHOT_INTERVAL)],
});
let failed = false;
after(async () => {
  await cluster.stop();
  if (failed || process.env.CLUSTER_KEEP === '1') console.log(`# logs kept in ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
});

const metadataAt = (nodeId) => metadataAtNode(cluster, nodeId);
const createTopicAt = (nodeId, ...rest) => createTopicAtNode(cluster, nodeId, ...rest);

const topicNames = (metadata) => metadata.topics.map((t) => t.name).sort();

const cliMain = new URL('../../packages/cli/dist/main.js', import.meta.url).pathname;
/** `tributary cluster status --json` against one broker. */
function clusterStatusAt(nodeId) {
  const out = execFileSync(process.execPath, [cliMain, 'cluster', 'status', '--json', '--bootstrap', `${cluster.host}:${cluster.node(nodeId).kafkaPort}`], { encoding: 'utf8' });
  return JSON.parse(out);
}

test('three brokers: topics through any broker, controller failover, catch-up after restart', { timeout: 180_000 }, async (t) => {
  t.after(() => {
    if (t.passed === false) failed = true;
  });
  await cluster.start();

  await t.test('every broker reports the same cluster id, controller and three live brokers', async () => {
    const all = await Promise.all([1, 2, 3].map(metadataAt));
    assert.equal(new Set(all.map((m) => m.clusterId)).size, 1, 'one cluster id');
    const controllers = new Set(all.map((m) => m.controllerId));
    assert.equal(controllers.size, 1, 'one controller');
    assert.ok([1, 2, 3].includes([...controllers][0]));
    for (const m of all) assert.deepEqual([...m.brokers.keys()].sort(), [1, 2, 3]);
  });

  await t.test('a topic created through each broker appears on all, with replicas on three brokers', async () => {
    for (const nodeId of [1, 2, 3]) {
      const result = await createTopicAt(nodeId, `via-${nodeId}`);
      assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage ?? '');
    }
    for (const nodeId of [1, 2, 3]) {
      const metadata = await metadataAt(nodeId);
      assert.deepEqual(topicNames(metadata), ['via-1', 'via-2', 'via-3']);
      for (const topic of metadata.topics) {
        assert.equal(topic.partitions.length, 3);
        for (const p of topic.partitions) {
          assert.deepEqual([...p.replicas].sort(), [1, 2, 3]);
          assert.ok(p.replicas.includes(p.leader));
        }
      }
    }
    const again = await createTopicAt(2, 'via-1');
    assert.equal(again.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  });

  const controller = (await metadataAt(1)).controllerId;
  const survivors = [1, 2, 3].filter((id) => id !== controller);

  await t.test(`kill -9 the active controller (node ${controller}): another takes over and topic creation keeps working`, async () => {
    await cluster.kill(controller, 'SIGKILL');
    const killedAt = Date.now();
    const successor = await eventually('a new controller', async () => {
      const ids = await Promise.all(survivors.map(async (id) => (await metadataAt(id)).controllerId));
      return ids[0] === ids[1] && survivors.includes(ids[0]) ? ids[0] : undefined;
    });
    console.log(`# node ${successor} became controller ${Date.now() - killedAt} ms after node ${controller} was killed`);
    const created = await createTopicAt(survivors[0], 'after-failover', 2, 2);
    assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage ?? '');
    for (const id of survivors) assert.ok(topicNames(await metadataAt(id)).includes('after-failover'));
    // The dead broker is fenced after its session: it leaves the broker list and every ISR.
    await eventually('the dead broker fenced', async () => {
      const metadata = await metadataAt(survivors[1]);
      return !metadata.brokers.has(controller) && metadata.topics.every((topic) => topic.partitions.every((p) => p.leader !== controller));
    });
    const status = clusterStatusAt(survivors[0]);
    assert.deepEqual(status.brokers.map((b) => b.nodeId), survivors);
    assert.ok(survivors.includes(status.controllerId));
    assert.equal(status.offlinePartitions, 0);
    const replicatedOnDead = status.partitions.filter((p) => p.replicas.includes(controller));
    assert.ok(replicatedOnDead.length > 0 && replicatedOnDead.every((p) => p.underReplicated && !p.isr.includes(controller)), 'the dead broker left every ISR');
    assert.equal(status.underReplicatedPartitions, replicatedOnDead.length);
  });

  await t.test(`restart node ${controller}: it catches up with what it missed and rejoins`, async () => {
    await cluster.restart(controller);
    const metadata = await eventually('the restarted node caught up', async () => {
      const m = await metadataAt(controller);
      return topicNames(m).includes('after-failover') ? m : undefined;
    });
    assert.deepEqual(topicNames(metadata), ['after-failover', 'via-1', 'via-2', 'via-3']);
    await eventually('three live brokers again', async () => (await metadataAt(controller)).brokers.size === 3);
    const all = await Promise.all([1, 2, 3].map(metadataAt));
    assert.equal(new Set(all.map((m) => m.controllerId)).size, 1, 'all agree on the controller');
    const created = await createTopicAt(controller, 'after-restart', 1, 3);
    assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage ?? '');
    const restartedLog = readFileSync(cluster.node(controller).logFile, 'utf8');
    assert.match(restartedLog, /metadata snapshot written/, 'snapshots were taken');
    assert.match(restartedLog, /metadata image loaded from snapshot/, 'the restarted node started from a snapshot');
  });
});
