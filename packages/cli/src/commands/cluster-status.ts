/**
 * `tributary cluster status`: what the cluster's metadata says right now, as one broker answers
 * it: cluster id, active controller, live brokers, and every partition's leader, replicas and
 * ISR, with the under-replicated (ISR smaller than the replica set) and offline (no leader) ones
 * counted and marked. `--json` prints the same for scripts.
 */
import type { ClusterMetadata } from '../client/cluster-metadata.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { unwrap } from '../cli-args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { formatTable } from '../table.js';

export interface PartitionStatus {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly underReplicated: boolean;
  readonly offline: boolean;
}

export interface ClusterStatus {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: ReadonlyArray<{ readonly nodeId: number; readonly host: string; readonly port: number }>;
  readonly partitions: readonly PartitionStatus[];
  readonly underReplicatedPartitions: number;
  readonly offlinePartitions: number;
}

export function clusterStatus(metadata: ClusterMetadata): ClusterStatus {
  const partitions = metadata.topics
    .filter((t) => t.errorCode === 0)
    .flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicas,
        isr: p.isr,
        underReplicated: p.isr.length < p.replicas.length,
        offline: p.leader < 0,
      })),
    )
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return {
    clusterId: metadata.clusterId,
    controllerId: metadata.controllerId,
    brokers: [...metadata.brokers.entries()].sort(([a], [b]) => a - b).map(([nodeId, address]) => ({ nodeId, host: address.host, port: address.port })),
    partitions,
    underReplicatedPartitions: partitions.filter((p) => p.underReplicated).length,
    offlinePartitions: partitions.filter((p) => p.offline).length,
  };
}

export async function printClusterStatus(client: KafkaClient, json: boolean, io: CliIo): Promise<void> {
  const status = clusterStatus(unwrap(await client.metadata(null)));
  if (json) {
    await writeOut(io.stdout, `${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  const lines = [
    `Cluster: ${status.clusterId ?? '(unknown)'}   Controller: ${status.controllerId < 0 ? 'none' : status.controllerId}`,
    '',
    `Brokers (${status.brokers.length} live):`,
    formatTable(['ID', 'ADDRESS'], status.brokers.map((b) => [String(b.nodeId), `${b.host}:${b.port}`])),
    '',
    `Partitions: ${status.partitions.length}   under-replicated: ${status.underReplicatedPartitions}   offline: ${status.offlinePartitions}`,
    formatTable(
      ['TOPIC', 'PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR', 'STATE'],
      status.partitions.map((p) => [
        p.topic,
        String(p.partition),
        p.leader < 0 ? 'none' : String(p.leader),
        String(p.leaderEpoch),
        p.replicas.join(','),
        p.isr.join(','),
        p.offline ? 'OFFLINE' : p.underReplicated ? 'UNDER-REPLICATED' : 'ok',
      ]),
    ),
  ];
  await writeOut(io.stdout, `${lines.join('\n')}\n`);
}
