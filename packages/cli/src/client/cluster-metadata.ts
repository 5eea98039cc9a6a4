/** The Metadata response reduced to what the client and the CLI use. */
import type { MetadataResponse } from '@tributary/protocol';
import type { BrokerAddress } from './host-port.js';

export interface PartitionMetadata {
  readonly partition: number;
  readonly errorCode: number;
  /** -1 when there is no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface TopicMetadata {
  readonly name: string;
  readonly errorCode: number;
  readonly isInternal: boolean;
  /** Sorted by partition index. */
  readonly partitions: readonly PartitionMetadata[];
}

export interface ClusterMetadata {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: ReadonlyMap<number, BrokerAddress>;
  /** In the broker's order. */
  readonly topics: readonly TopicMetadata[];
}

export function toClusterMetadata(response: MetadataResponse): ClusterMetadata {
  const brokers = new Map<number, BrokerAddress>();
  for (const b of response.brokers) brokers.set(b.nodeId, { host: b.host, port: b.port });
  return {
    clusterId: response.clusterId,
    controllerId: response.controllerId,
    brokers,
    topics: response.topics.map((t) => ({
      name: t.name ?? '',
      errorCode: t.errorCode,
      isInternal: t.isInternal,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
        }))
        .sort((a, b) => a.partition - b.partition),
    })),
  };
}
