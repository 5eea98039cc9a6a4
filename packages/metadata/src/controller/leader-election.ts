// Leader and ISR repair after broker liveness changes. Given the set of brokers that will be
// unfenced, every partition is brought to the classic (pre-KIP-966) rules:
// - the ISR loses members that are not alive, but never its last member;
// - a leader that is not alive (or NO_LEADER) is replaced by the first alive ISR member in
//   replica order; failing that, by the first alive replica when unclean leader election is
//   enabled (the ISR becoming just that replica); failing that, the partition has NO_LEADER.
// The function is a fixpoint: a partition already consistent with `alive` yields no record.
import { configsFor, type MetadataImage, type PartitionImage, type TopicImage } from '../metadata-image.js';
import { NO_LEADER, type PartitionChangeRecord } from '../records.js';

export const UNCLEAN_LEADER_ELECTION_CONFIG = 'unclean.leader.election.enable';

/** Topic setting first, then the cluster-wide broker default, as Kafka resolves topic configs. */
export function uncleanElectionEnabled(image: MetadataImage, topicName: string): boolean {
  const value =
    configsFor(image, 'topic', topicName).get(UNCLEAN_LEADER_ELECTION_CONFIG) ??
    configsFor(image, 'broker', '').get(UNCLEAN_LEADER_ELECTION_CONFIG);
  return value === 'true';
}

/** The partition changes that bring every partition in line with `alive`, in topic-id order. */
export function repairPartitions(image: MetadataImage, alive: ReadonlySet<number>): PartitionChangeRecord[] {
  const changes: PartitionChangeRecord[] = [];
  const topics = [...image.topicsById.values()].sort((a, b) => (a.topicId < b.topicId ? -1 : 1));
  for (const topic of topics) {
    const unclean = uncleanElectionEnabled(image, topic.name);
    const partitions = [...topic.partitions.values()].sort((a, b) => a.partition - b.partition);
    for (const partition of partitions) {
      const change = repairPartition(topic, partition, alive, unclean);
      if (change !== null) changes.push(change);
    }
  }
  return changes;
}

interface Target {
  readonly leader: number;
  readonly isr: readonly number[];
}

function repairPartition(
  topic: TopicImage,
  partition: PartitionImage,
  alive: ReadonlySet<number>,
  unclean: boolean,
): PartitionChangeRecord | null {
  const target = targetState(partition, alive, unclean);
  const isrChanged = !sameMembers(target.isr, partition.isr);
  const leaderChanged = target.leader !== partition.leader;
  if (!isrChanged && !leaderChanged) return null;
  return {
    type: 'partition-change',
    topicId: topic.topicId,
    partition: partition.partition,
    isr: isrChanged ? target.isr : null,
    leader: leaderChanged ? target.leader : null,
  };
}

function targetState(partition: PartitionImage, alive: ReadonlySet<number>, unclean: boolean): Target {
  const liveIsr = partition.isr.filter((id) => alive.has(id));
  if (partition.leader !== NO_LEADER && liveIsr.includes(partition.leader)) {
    return { leader: partition.leader, isr: liveIsr };
  }
  const inSync = partition.replicas.find((id) => liveIsr.includes(id));
  if (inSync !== undefined) return { leader: inSync, isr: liveIsr };
  if (unclean) {
    const outOfSync = partition.replicas.find((id) => alive.has(id));
    if (outOfSync !== undefined) return { leader: outOfSync, isr: [outOfSync] };
  }
  // Keep one member so the partition remembers who may lead again without data loss.
  const last = partition.isr.includes(partition.leader) ? partition.leader : partition.isr[0];
  return { leader: NO_LEADER, isr: last === undefined ? partition.isr : [last] };
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * Preferred-leader election (Kafka's auto.leader.rebalance.enable): a partition led by anyone
 * but its first replica moves back to it when that replica is alive and in the ISR, which
 * spreads leadership as topic creation placed it once a failed broker is back.
 */
export function preferredLeaderChanges(image: MetadataImage, alive: ReadonlySet<number>): PartitionChangeRecord[] {
  const changes: PartitionChangeRecord[] = [];
  const topics = [...image.topicsById.values()].sort((a, b) => (a.topicId < b.topicId ? -1 : 1));
  for (const topic of topics) {
    for (const partition of [...topic.partitions.values()].sort((a, b) => a.partition - b.partition)) {
      const preferred = partition.replicas[0];
      if (preferred === undefined || partition.leader === preferred || !alive.has(preferred) || !partition.isr.includes(preferred)) continue;
      changes.push({ type: 'partition-change', topicId: topic.topicId, partition: partition.partition, isr: null, leader: preferred });
    }
  }
  return changes;
}
