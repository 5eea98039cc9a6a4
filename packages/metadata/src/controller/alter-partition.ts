// ISR changes requested by a partition leader (Kafka's AlterPartition). The request is fenced by
// the leader epoch (a deposed leader cannot shrink the ISR) and by the partition epoch (a leader
// acting on an ISR it has not yet seen updated cannot overwrite the newer one).
import { ok } from '@tributary/common';
import type { MetadataImage } from '../metadata-image.js';
import type { MetadataRecord, Uuid } from '../records.js';
import { controllerError, type ControllerResult } from './controller-errors.js';

export interface AlterPartitionRequest {
  readonly topicId: Uuid;
  readonly partition: number;
  readonly leaderId: number;
  /** The requesting broker's epoch; omitted by callers that checked it already. */
  readonly brokerEpoch?: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

/** The partition as the leader must now see it. */
export interface AlterPartitionResult {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly isr: readonly number[];
}

/** The partition-change for `request` (none when the ISR is already `newIsr`), or why not. */
export function alterPartitionRecords(image: MetadataImage, request: AlterPartitionRequest): ControllerResult<MetadataRecord[]> {
  const topic = image.topicsById.get(request.topicId);
  if (topic === undefined) return controllerError('unknown-topic-id', `topic id ${request.topicId} does not exist`);
  const partition = topic.partitions.get(request.partition);
  if (partition === undefined) {
    return controllerError('unknown-topic-or-partition', `${topic.name}-${request.partition} does not exist`);
  }
  const leader = image.brokers.get(request.leaderId);
  if (leader === undefined) return controllerError('broker-id-not-registered', `broker ${request.leaderId} is not registered`);
  if (request.brokerEpoch !== undefined && request.brokerEpoch !== leader.brokerEpoch) {
    return controllerError('stale-broker-epoch', `broker ${request.leaderId} epoch ${request.brokerEpoch}, registered ${leader.brokerEpoch}`);
  }
  const where = `${topic.name}-${request.partition}`;
  if (request.leaderEpoch !== partition.leaderEpoch) {
    return controllerError('fenced-leader-epoch', `${where}: leader epoch ${request.leaderEpoch}, current ${partition.leaderEpoch}`);
  }
  if (request.leaderId !== partition.leader) {
    return controllerError('invalid-request', `${where}: broker ${request.leaderId} is not the leader (${partition.leader})`);
  }
  if (request.partitionEpoch !== partition.partitionEpoch) {
    return controllerError(
      'invalid-update-version',
      `${where}: partition epoch ${request.partitionEpoch}, current ${partition.partitionEpoch}`,
    );
  }
  const isrProblem = newIsrProblem(image, partition.replicas, request.leaderId, request.newIsr);
  if (isrProblem !== null) return controllerError(isrProblem.kind, `${where}: ${isrProblem.message}`);
  if (sameSet(request.newIsr, partition.isr)) return ok([]);
  return ok([{ type: 'partition-change', topicId: topic.topicId, partition: partition.partition, isr: [...request.newIsr], leader: null }]);
}

function newIsrProblem(
  image: MetadataImage,
  replicas: readonly number[],
  leaderId: number,
  newIsr: readonly number[],
): { kind: 'invalid-request' | 'ineligible-replica'; message: string } | null {
  if (!newIsr.includes(leaderId)) return { kind: 'invalid-request', message: `new ISR [${newIsr}] leaves out leader ${leaderId}` };
  if (new Set(newIsr).size !== newIsr.length) return { kind: 'invalid-request', message: `new ISR [${newIsr}] repeats a member` };
  const outside = newIsr.find((id) => !replicas.includes(id));
  if (outside !== undefined) return { kind: 'invalid-request', message: `ISR member ${outside} is not a replica` };
  const fenced = newIsr.find((id) => image.brokers.get(id)?.fenced !== false);
  if (fenced !== undefined) return { kind: 'ineligible-replica', message: `ISR member ${fenced} is fenced` };
  return null;
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
