/**
 * Metadata, v0–12. Topics: for v1+ null means every topic and [] none; for v0, [] means every
 * topic. v10+ may name topics by id. An unknown topic is created when the broker allows it
 * (auto.create.topics.enable) and, from v4, the request does (AllowAutoTopicCreation); before
 * v4 the broker's setting alone decides, as in Kafka. Otherwise UNKNOWN_TOPIC_OR_PARTITION;
 * an invalid name gets INVALID_TOPIC_EXCEPTION. Brokers are the live (unfenced) ones at their
 * advertised addresses; partitions carry leader, epoch, replicas and ISR from the metadata.
 *
 * In a cluster, a partition whose leader this broker cannot reach (its gossip view, see
 * membership/) is reported with LEADER_NOT_AVAILABLE until the controller moves it.
 *
 * Differs from Kafka: an auto-created topic is returned complete at once (Kafka first answers
 * LEADER_NOT_AVAILABLE until leaders are elected); a partition whose log is offline is reported
 * with LEADER_NOT_AVAILABLE, no leader, and this node among its offline replicas. Authorized
 * operations, when asked for, are every operation (there are no ACLs).
 */
import {
  ApiKey,
  ErrorCode,
  defaultMetadataResponse,
  type MetadataRequest,
  type MetadataResponse,
  type MetadataResponseMetadataResponsePartition,
  type MetadataResponseMetadataResponseTopic,
} from '@tributary/protocol';
import type { BrokerContext } from '../broker-context.js';
import type { PartitionInfo, TopicState } from '../state/topic-manager.js';
import type { HandlerSpec, RequestContext } from './handler.js';

type MetadataTopic = MetadataResponseMetadataResponseTopic;

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
/** Kafka's "authorized operations not requested" marker (Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const UNKNOWN_TOPIC_ID = 100;
const LEADER_NOT_AVAILABLE = 5;
const INVALID_TOPIC_EXCEPTION = 17;
const TOPIC_ALREADY_EXISTS = 36;

/** Kafka AclOperation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. */
const bits = (ops: readonly number[]): number => ops.reduce((acc, op) => acc | (1 << op), 0);
const TOPIC_OPERATIONS = bits([3, 4, 5, 6, 7, 8, 10, 11]);
const CLUSTER_OPERATIONS = bits([5, 7, 8, 9, 10, 11, 12]);

function partitionMetadata(partition: PartitionInfo, reachable: (nodeId: number) => boolean): MetadataResponseMetadataResponsePartition {
  // A leader this broker cannot reach is reported as none: clients then look the partition up
  // again at short intervals and find the new leader as soon as the controller elects it.
  const leaderId = partition.leaderId >= 0 && reachable(partition.leaderId) ? partition.leaderId : -1;
  return {
    errorCode: leaderId < 0 ? LEADER_NOT_AVAILABLE : ErrorCode.NONE,
    partitionIndex: partition.index,
    leaderId,
    leaderEpoch: partition.leaderEpoch,
    replicaNodes: [...partition.replicas],
    isrNodes: [...partition.isr],
    offlineReplicas: [...partition.offlineReplicas],
  };
}

function topicMetadata(broker: BrokerContext, topic: TopicState, request: MetadataRequest): MetadataTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.isInternal,
    partitions: topic.partitions.map((p) => partitionMetadata(p, broker.isReachable ?? (() => true))),
    topicAuthorizedOperations: request.includeTopicAuthorizedOperations ? TOPIC_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function topicError(name: string | null, errorCode: number, topicId = ZERO_UUID): MetadataTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

function mayAutoCreate(broker: BrokerContext, request: MetadataRequest, version: number): boolean {
  return broker.config.autoCreateTopics && (version < 4 || request.allowAutoTopicCreation);
}

/** Creates a topic with the broker's defaults; a concurrent creation of the same topic is fine. */
async function autoCreate(broker: BrokerContext, name: string, request: MetadataRequest): Promise<MetadataTopic> {
  const created = await broker.topics.createTopic({ name, numPartitions: -1, replicationFactor: -1, configs: {}, validateOnly: false });
  if (created.ok) {
    broker.logger.info({ topic: name, partitions: created.value.partitions.length }, 'auto-created topic');
    return topicMetadata(broker, created.value, request);
  }
  const existing = created.error.code === TOPIC_ALREADY_EXISTS ? broker.topics.topic(name) : undefined;
  if (existing !== undefined) return topicMetadata(broker, existing, request);
  broker.logger.warn({ topic: name, err: created.error }, 'auto-creating topic failed');
  return topicError(name, created.error.code);
}

async function namedTopic(broker: BrokerContext, name: string, request: MetadataRequest, version: number): Promise<MetadataTopic> {
  const topic = broker.topics.topic(name);
  if (topic !== undefined) return topicMetadata(broker, topic, request);
  if (!broker.topics.validateTopicName(name).ok) return topicError(name, INVALID_TOPIC_EXCEPTION);
  if (!mayAutoCreate(broker, request, version)) return topicError(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  return autoCreate(broker, name, request);
}

async function requestedTopics(broker: BrokerContext, request: MetadataRequest, version: number): Promise<MetadataTopic[]> {
  const wantsAll = request.topics === null || (version === 0 && request.topics.length === 0);
  if (wantsAll) return broker.topics.topics().map((t) => topicMetadata(broker, t, request));
  const result: MetadataTopic[] = [];
  const seen = new Set<string>();
  for (const wanted of request.topics ?? []) {
    const byId = wanted.name === null || (version >= 10 && wanted.topicId !== ZERO_UUID);
    const dedupKey = byId ? `id:${wanted.topicId}` : `name:${wanted.name}`;
    if (seen.has(dedupKey)) continue;
    seen.add(dedupKey);
    if (byId) {
      const topic = broker.topics.topicById(wanted.topicId);
      result.push(topic === undefined ? topicError(null, UNKNOWN_TOPIC_ID, wanted.topicId) : topicMetadata(broker, topic, request));
    } else {
      result.push(await namedTopic(broker, wanted.name as string, request, version));
    }
  }
  return result;
}

export async function handleMetadata(request: MetadataRequest, ctx: RequestContext): Promise<MetadataResponse> {
  const broker = ctx.broker;
  return {
    ...defaultMetadataResponse(),
    brokers: broker.brokers(ctx.listenerName).map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    clusterId: broker.clusterId,
    controllerId: broker.controllerId(),
    topics: await requestedTopics(broker, request, ctx.apiVersion),
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

export const metadataHandler: HandlerSpec<typeof ApiKey.Metadata> = {
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 12,
  handle: handleMetadata,
  errorResponse: (request, errorCode) => ({
    ...defaultMetadataResponse(),
    topics: (request.topics ?? []).map((t) => topicError(t.name, errorCode, t.topicId)),
  }),
};
