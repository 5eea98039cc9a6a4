/**
 * What the nemesis asks the cluster when a fault starts: the leader of a partition (kafkajs
 * admin metadata) and the active controller (`tributary cluster status --json`, asked of each
 * node in turn; kafkajs's describeCluster as the fallback). Every call is bounded.
 */
import type { Kafka } from 'kafkajs';
import { attempt, withTimeout } from '../timeouts.js';
import { nodeIp } from './netns.js';
import { KAFKA_PORT } from './netns-cluster.js';
import { run } from './netns.js';

const ADMIN_TIMEOUT_MS = 8_000;
const CLI_TIMEOUT_MS = 6_000;

export interface ClusterInfo {
  leaderOf(topic: string, partition: number): Promise<number | null>;
  controller(): Promise<number | null>;
}

async function withAdmin<T>(kafka: () => Kafka, fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T | null> {
  const admin = kafka().admin();
  try {
    const result = await attempt(
      async () => {
        await admin.connect();
        return fn(admin);
      },
      ADMIN_TIMEOUT_MS,
      'admin',
    );
    return result.ok ? result.value : null;
  } finally {
    await attempt(() => admin.disconnect(), 3000, 'admin disconnect');
  }
}

/** The controller id `tributary cluster status --json` prints, or null. */
export async function controllerFromCli(cliMain: string, bootstrap: string): Promise<number | null> {
  const result = await run(process.execPath, [cliMain, 'cluster', 'status', '--bootstrap', bootstrap, '--json'], CLI_TIMEOUT_MS);
  if (!result.ok) return null;
  try {
    const status = JSON.parse(result.stdout) as { controllerId?: unknown };
    return typeof status.controllerId === 'number' && status.controllerId >= 0 ? status.controllerId : null;
  } catch {
    return null;
  }
}

export function clusterInfo(kafka: () => Kafka, cliMain: string, nodes: () => readonly number[]): ClusterInfo {
  return {
    async leaderOf(topic, partition) {
      const leader = await withAdmin(kafka, async (admin) => {
        const metadata = await withTimeout(admin.fetchTopicMetadata({ topics: [topic] }), ADMIN_TIMEOUT_MS, 'fetchTopicMetadata');
        return metadata.topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader ?? null;
      });
      return leader !== null && leader >= 0 ? leader : null;
    },
    async controller() {
      for (const node of nodes()) {
        const id = await controllerFromCli(cliMain, `${nodeIp(node)}:${KAFKA_PORT}`);
        if (id !== null) return id;
      }
      const described = await withAdmin(kafka, async (admin) => withTimeout(admin.describeCluster(), ADMIN_TIMEOUT_MS, 'describeCluster'));
      return described !== null && described.controller !== null && described.controller >= 0 ? described.controller : null;
    },
  };
}
