// Applies one committed metadata record to an image, returning the next image or a typed refusal.
import {
  configResourceKey,
  imageError,
  imageOk,
  type ImageResult,
  type MetadataImage,
  type PartitionImage,
  type TopicImage,
} from './metadata-image.js';
import { NO_LEADER } from './records.js';
import type {
  ConfigRecord,
  FenceBrokerRecord,
  MetadataRecord,
  PartitionChangeRecord,
  PartitionRecord,
  RegisterBrokerRecord,
  RemoveTopicRecord,
  TopicRecord,
  UnfenceBrokerRecord,
} from './records.js';

/**
 * Applies `record`, committed at `offset`, to `image`. Offsets never go backwards; several records
 * may share one offset (one Raft entry can carry a batch, and a snapshot loads at one offset).
 */
export function applyRecord(image: MetadataImage, record: MetadataRecord, offset: number): ImageResult {
  if (offset < image.offset) {
    return imageError('offset-regression', `offset ${offset} is before the image's ${image.offset}`);
  }
  const result = applyBody(image, record);
  return result.ok ? imageOk({ ...result.value, offset }) : result;
}

/** Applies records in order at one offset, stopping at the first refusal. */
export function applyRecords(image: MetadataImage, records: readonly MetadataRecord[], offset: number): ImageResult {
  let current = image;
  for (const record of records) {
    const result = applyRecord(current, record, offset);
    if (!result.ok) return result;
    current = result.value;
  }
  return imageOk(current);
}

function applyBody(image: MetadataImage, record: MetadataRecord): ImageResult {
  switch (record.type) {
    case 'register-broker':
      return registerBroker(image, record);
    case 'fence-broker':
    case 'unfence-broker':
      return setFenced(image, record);
    case 'topic':
      return addTopic(image, record);
    case 'partition':
      return addPartition(image, record);
    case 'partition-change':
      return changePartition(image, record);
    case 'config':
      return changeConfig(image, record);
    case 'remove-topic':
      return removeTopic(image, record);
  }
}

function registerBroker(image: MetadataImage, record: RegisterBrokerRecord): ImageResult {
  const existing = image.brokers.get(record.brokerId);
  if (existing !== undefined && record.brokerEpoch <= existing.brokerEpoch) {
    return imageError(
      'stale-broker-epoch',
      `broker ${record.brokerId} re-registers with epoch ${record.brokerEpoch}, not after ${existing.brokerEpoch}`,
    );
  }
  const { type: _type, ...broker } = record;
  const brokers = new Map(image.brokers);
  brokers.set(record.brokerId, broker);
  return imageOk({ ...image, brokers });
}

function setFenced(image: MetadataImage, record: FenceBrokerRecord | UnfenceBrokerRecord): ImageResult {
  const existing = image.brokers.get(record.brokerId);
  if (existing === undefined) return imageError('unknown-broker', `${record.type} of unknown broker ${record.brokerId}`);
  if (existing.brokerEpoch !== record.brokerEpoch) {
    return imageError(
      'stale-broker-epoch',
      `${record.type} of broker ${record.brokerId} at epoch ${record.brokerEpoch}, registered at ${existing.brokerEpoch}`,
    );
  }
  const brokers = new Map(image.brokers);
  brokers.set(record.brokerId, { ...existing, fenced: record.type === 'fence-broker' });
  return imageOk({ ...image, brokers });
}

function addTopic(image: MetadataImage, record: TopicRecord): ImageResult {
  if (image.topicIdsByName.has(record.name)) return imageError('duplicate-topic', `topic ${record.name} exists`);
  if (image.topicsById.has(record.topicId)) return imageError('duplicate-topic', `topic id ${record.topicId} exists`);
  const topic: TopicImage = { name: record.name, topicId: record.topicId, partitions: new Map() };
  return imageOk({
    ...image,
    topicsById: new Map(image.topicsById).set(record.topicId, topic),
    topicIdsByName: new Map(image.topicIdsByName).set(record.name, record.topicId),
  });
}

function addPartition(image: MetadataImage, record: PartitionRecord): ImageResult {
  const topic = image.topicsById.get(record.topicId);
  if (topic === undefined) return imageError('unknown-topic', `partition of unknown topic ${record.topicId}`);
  if (topic.partitions.has(record.partition)) {
    return imageError('duplicate-partition', `${topic.name}-${record.partition} exists`);
  }
  if (record.partition < 0) return imageError('invalid-assignment', `negative partition ${record.partition}`);
  const problem = assignmentProblem(image, record.replicas, record.isr, record.leader);
  if (problem !== null) return imageError(problem.kind, `${topic.name}-${record.partition}: ${problem.message}`);
  const partition: PartitionImage = {
    partition: record.partition,
    replicas: record.replicas,
    isr: record.isr,
    leader: record.leader,
    leaderEpoch: record.leaderEpoch,
    partitionEpoch: record.partitionEpoch,
  };
  return withPartition(image, topic, partition);
}

function changePartition(image: MetadataImage, record: PartitionChangeRecord): ImageResult {
  const topic = image.topicsById.get(record.topicId);
  if (topic === undefined) return imageError('unknown-topic', `partition change of unknown topic ${record.topicId}`);
  const current = topic.partitions.get(record.partition);
  if (current === undefined) return imageError('unknown-partition', `${topic.name}-${record.partition} does not exist`);
  const isr = record.isr ?? current.isr;
  const leader = record.leader ?? current.leader;
  const problem = assignmentProblem(image, current.replicas, isr, leader);
  if (problem !== null) return imageError(problem.kind, `${topic.name}-${record.partition}: ${problem.message}`);
  const leaderChanged = leader !== current.leader;
  return withPartition(image, topic, {
    ...current,
    isr,
    leader,
    leaderEpoch: leaderChanged ? current.leaderEpoch + 1 : current.leaderEpoch,
    partitionEpoch: current.partitionEpoch + 1,
  });
}

function withPartition(image: MetadataImage, topic: TopicImage, partition: PartitionImage): ImageResult {
  const partitions = new Map(topic.partitions).set(partition.partition, partition);
  const topicsById = new Map(image.topicsById).set(topic.topicId, { ...topic, partitions });
  return imageOk({ ...image, topicsById });
}

interface Problem {
  readonly kind: 'unknown-broker' | 'invalid-assignment';
  readonly message: string;
}

/** Replicas are distinct known brokers; the ISR is a distinct subset; the leader is in the ISR. */
function assignmentProblem(
  image: MetadataImage,
  replicas: readonly number[],
  isr: readonly number[],
  leader: number,
): Problem | null {
  const unknown = replicas.find((id) => !image.brokers.has(id));
  if (unknown !== undefined) return { kind: 'unknown-broker', message: `replica ${unknown} is not a registered broker` };
  if (new Set(replicas).size !== replicas.length) return { kind: 'invalid-assignment', message: 'duplicate replicas' };
  if (new Set(isr).size !== isr.length) return { kind: 'invalid-assignment', message: 'duplicate ISR members' };
  const outside = isr.find((id) => !replicas.includes(id));
  if (outside !== undefined) return { kind: 'invalid-assignment', message: `ISR member ${outside} is not a replica` };
  if (leader !== NO_LEADER && !isr.includes(leader)) {
    return { kind: 'invalid-assignment', message: `leader ${leader} is not in the ISR` };
  }
  return null;
}

function changeConfig(image: MetadataImage, record: ConfigRecord): ImageResult {
  if (record.resourceType === 'topic' && !image.topicIdsByName.has(record.resourceName)) {
    return imageError('unknown-topic', `config for unknown topic ${record.resourceName}`);
  }
  if (record.resourceType === 'broker' && record.resourceName !== '' && !isKnownBrokerName(image, record.resourceName)) {
    return imageError('unknown-broker', `config for unknown broker ${record.resourceName}`);
  }
  const key = configResourceKey(record.resourceType, record.resourceName);
  const entries = new Map(image.configs.get(key) ?? []);
  if (record.value === null) entries.delete(record.key);
  else entries.set(record.key, record.value);
  const configs = new Map(image.configs);
  if (entries.size === 0) configs.delete(key);
  else configs.set(key, entries);
  return imageOk({ ...image, configs });
}

function isKnownBrokerName(image: MetadataImage, name: string): boolean {
  // Only the canonical decimal spelling names a broker, so "01" and "1" cannot both hold configs.
  const id = Number(name);
  return Number.isInteger(id) && String(id) === name && image.brokers.has(id);
}

function removeTopic(image: MetadataImage, record: RemoveTopicRecord): ImageResult {
  const topic = image.topicsById.get(record.topicId);
  if (topic === undefined) return imageError('unknown-topic', `removal of unknown topic ${record.topicId}`);
  const topicsById = new Map(image.topicsById);
  topicsById.delete(topic.topicId);
  const topicIdsByName = new Map(image.topicIdsByName);
  topicIdsByName.delete(topic.name);
  const configs = new Map(image.configs);
  configs.delete(configResourceKey('topic', topic.name));
  return imageOk({ ...image, topicsById, topicIdsByName, configs });
}
