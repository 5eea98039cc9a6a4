/**
 * CreateTopics, v0–7 (kafkajs sends v3, librdkafka v4, kafka-python v3). Each topic is created
 * with its partition count, replication factor (1 or -1 on a single broker) and configs, or
 * checked only with validateOnly (v1+). Manual assignments are accepted when they place every
 * partition on this node alone. Per-topic error codes and messages (v1+); from v5 the result
 * carries the partition count, replication factor and every config with its source, and from
 * v7 the topic id.
 *
 * Differs from Kafka: timeoutMs is not waited on (creation completes before the answer), and
 * topics are created one after another in request order.
 */
import { ApiKey, ErrorCode, defaultCreateTopicsResponse, type CreateTopicsRequest, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponse, type CreateTopicsResponseCreatableTopicResult } from '@tributary/protocol';
import { err, ok, type Result } from '@tributary/common';
import { adminError, type TopicAdminFailure } from '../state/topic-admin-error.js';
import { describeTopicConfigs } from '../state/topic-configs.js';
import type { CreateTopicRequest, TopicState } from '../state/topic-manager.js';
import type { HandlerSpec, RequestContext } from './handler.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function result(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponseCreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] };
}

/** Partition count from manual assignments, which must be 0..n-1 each on [this node]. */
export function checkAssignments(
  assignments: ReadonlyArray<{ readonly partitionIndex?: number; readonly brokerIds: readonly number[] }>,
  nodeId: number,
): Result<number, TopicAdminFailure> {
  const indexes = assignments.map((a, i) => a.partitionIndex ?? i).sort((a, b) => a - b);
  if (indexes.some((index, i) => index !== i)) {
    return err(adminError('INVALID_REPLICA_ASSIGNMENT', 'Partitions should be a consecutive 0-based integer sequence.'));
  }
  for (const assignment of assignments) {
    const ids = assignment.brokerIds;
    if (ids.length === 0) return err(adminError('INVALID_REPLICA_ASSIGNMENT', 'The manual partition assignment includes an empty replica list.'));
    if (ids.length !== 1 || ids[0] !== nodeId) {
      return err(adminError('INVALID_REPLICA_ASSIGNMENT', `Replica assignment [${ids.join(', ')}] is not possible: this cluster has one broker, ${nodeId}.`));
    }
  }
  return ok(assignments.length);
}

function toCreateRequest(topic: CreateTopicsRequestCreatableTopic, validateOnly: boolean, nodeId: number): Result<CreateTopicRequest, TopicAdminFailure> {
  let { numPartitions, replicationFactor } = topic;
  if (topic.assignments.length > 0) {
    if (numPartitions !== -1 || replicationFactor !== -1) {
      return err(adminError('INVALID_REQUEST', 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.'));
    }
    const count = checkAssignments(topic.assignments, nodeId);
    if (!count.ok) return count;
    numPartitions = count.value;
    replicationFactor = 1;
  }
  const configs: Record<string, string | null> = {};
  for (const config of topic.configs) {
    if (Object.hasOwn(configs, config.name)) return err(adminError('INVALID_REQUEST', `Duplicate config name in the request: ${config.name}`));
    configs[config.name] = config.value;
  }
  return ok({ name: topic.name, numPartitions, replicationFactor, configs, validateOnly });
}

function successResult(ctx: RequestContext, topic: TopicState, requested: CreateTopicRequest): CreateTopicsResponseCreatableTopicResult {
  const defaults = ctx.broker.config.topicDefaults;
  // validateOnly creates no partitions: report the count the topic would have.
  const numPartitions = topic.partitions.length > 0 ? topic.partitions.length : requested.numPartitions === -1 ? defaults.numPartitions : requested.numPartitions;
  const configs = describeTopicConfigs(topic.config.overrides, defaults, null).map((entry) => ({
    name: entry.name,
    value: entry.value,
    readOnly: entry.readOnly,
    configSource: entry.source,
    isSensitive: entry.isSensitive,
  }));
  return { ...result(topic.name, ErrorCode.NONE, null), topicId: topic.topicId, numPartitions, replicationFactor: 1, configs };
}

async function createTopics(request: CreateTopicsRequest, ctx: RequestContext): Promise<CreateTopicsResponse> {
  const response = defaultCreateTopicsResponse();
  const counts = new Map<string, number>();
  for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
  const reported = new Set<string>();
  for (const topic of request.topics) {
    if (reported.has(topic.name)) continue;
    reported.add(topic.name);
    if (counts.get(topic.name)! > 1) {
      response.topics.push(result(topic.name, ErrorCode.INVALID_REQUEST, `Create topics request contains multiple entries for the topic ${topic.name}.`));
      continue;
    }
    const requested = toCreateRequest(topic, request.validateOnly, ctx.broker.nodeId);
    if (!requested.ok) {
      response.topics.push(result(topic.name, requested.error.code, requested.error.message));
      continue;
    }
    const created = await ctx.broker.topics.createTopic(requested.value);
    response.topics.push(created.ok ? successResult(ctx, created.value, requested.value) : result(topic.name, created.error.code, created.error.message));
  }
  return response;
}

export const createTopicsHandler: HandlerSpec<typeof ApiKey.CreateTopics> = {
  apiKey: ApiKey.CreateTopics,
  minVersion: 0,
  maxVersion: 7,
  handle: createTopics,
  errorResponse: (request, errorCode) => ({ ...defaultCreateTopicsResponse(), topics: request.topics.map((t) => result(t.name, errorCode, null)) }),
};
