/**
 * Topic administration: create, delete, add partitions, describe and alter configs. Create,
 * delete and partition changes go to the controller, as Kafka's admin client sends them.
 */
import { err, ok, type Result } from '@tributary/common';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { apiRanges } from './api-ranges.js';
import { ClientError } from './client-error.js';
import type { KafkaClient } from './kafka-client.js';

/** Kafka's ConfigResource type for a topic. */
const RESOURCE_TYPE_TOPIC = 2;
/** IncrementalAlterConfigs operations. */
const CONFIG_OP_SET = 0;
const CONFIG_OP_DELETE = 1;
/** DescribeConfigs config source for a topic-level override. */
export const CONFIG_SOURCE_TOPIC = 1;
/** How long the broker may take over an admin request. */
const ADMIN_TIMEOUT_MS = 30_000;

export interface NewTopic {
  readonly name: string;
  /** Broker default when undefined. */
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

export interface TopicConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly isDefault: boolean;
  /** Kafka's ConfigSource: 1 topic override, 4/5 broker, 5 default... -1 when unknown (v0). */
  readonly source: number;
  readonly readOnly: boolean;
  readonly isSensitive: boolean;
}

function topicError(code: number, name: string, message: string | null, action: string): ClientError {
  if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return new ClientError('kafka', `topic ${name} does not exist`, code);
  return ClientError.fromCode(code, `${action} ${name}`, message);
}

export async function createTopic(client: KafkaClient, topic: NewTopic): Promise<Result<void, ClientError>> {
  const controller = await client.controllerConnection();
  if (!controller.ok) return controller;
  const response = await client.call(
    ApiKey.CreateTopics,
    apiRanges.createTopics,
    (version) => ({
      topics: [
        {
          name: topic.name,
          // -1 (the broker's default) exists from v4 (KIP-464); older versions need a number.
          numPartitions: topic.partitions ?? (version >= 4 ? -1 : 1),
          replicationFactor: topic.replicationFactor ?? (version >= 4 ? -1 : 1),
          assignments: [],
          configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
        },
      ],
      timeoutMs: ADMIN_TIMEOUT_MS,
      validateOnly: false,
    }),
    controller.value,
  );
  if (!response.ok) return response;
  const result = response.value.body.topics.find((t) => t.name === topic.name);
  if (result === undefined) return err(new ClientError('protocol', `CreateTopics response does not mention ${topic.name}`));
  if (result.errorCode !== ErrorCode.NONE) return err(topicError(result.errorCode, topic.name, result.errorMessage, 'cannot create topic'));
  return ok(undefined);
}

export async function deleteTopic(client: KafkaClient, name: string): Promise<Result<void, ClientError>> {
  const controller = await client.controllerConnection();
  if (!controller.ok) return controller;
  const response = await client.call(
    ApiKey.DeleteTopics,
    apiRanges.deleteTopics,
    () => ({ topics: [], topicNames: [name], timeoutMs: ADMIN_TIMEOUT_MS }),
    controller.value,
  );
  if (!response.ok) return response;
  const result = response.value.body.responses.find((t) => t.name === name);
  if (result === undefined) return err(new ClientError('protocol', `DeleteTopics response does not mention ${name}`));
  if (result.errorCode !== ErrorCode.NONE) return err(topicError(result.errorCode, name, result.errorMessage, 'cannot delete topic'));
  return ok(undefined);
}

export async function createPartitions(client: KafkaClient, name: string, totalCount: number): Promise<Result<void, ClientError>> {
  const controller = await client.controllerConnection();
  if (!controller.ok) return controller;
  const response = await client.call(
    ApiKey.CreatePartitions,
    apiRanges.createPartitions,
    () => ({ topics: [{ name, count: totalCount, assignments: null }], timeoutMs: ADMIN_TIMEOUT_MS, validateOnly: false }),
    controller.value,
  );
  if (!response.ok) return response;
  const result = response.value.body.results.find((t) => t.name === name);
  if (result === undefined) return err(new ClientError('protocol', `CreatePartitions response does not mention ${name}`));
  if (result.errorCode !== ErrorCode.NONE) return err(topicError(result.errorCode, name, result.errorMessage, 'cannot add partitions to'));
  return ok(undefined);
}

/** Every config of each topic (overrides and defaults), by topic name. */
export async function describeTopicConfigs(
  client: KafkaClient,
  names: readonly string[],
): Promise<Result<Map<string, TopicConfigEntry[]>, ClientError>> {
  const response = await client.call(ApiKey.DescribeConfigs, apiRanges.describeConfigs, () => ({
    resources: names.map((resourceName) => ({ resourceType: RESOURCE_TYPE_TOPIC, resourceName, configurationKeys: null })),
    includeSynonyms: false,
    includeDocumentation: false,
  }));
  if (!response.ok) return response;
  const byTopic = new Map<string, TopicConfigEntry[]>();
  for (const result of response.value.body.results) {
    if (result.errorCode !== ErrorCode.NONE) return err(topicError(result.errorCode, result.resourceName, result.errorMessage, 'cannot describe configs of'));
    byTopic.set(
      result.resourceName,
      result.configs.map((c) => ({
        name: c.name,
        value: c.value,
        // v0 has isDefault only; v1+ has the source (and isDefault reads false).
        isDefault: response.value.version === 0 ? c.isDefault : c.configSource !== CONFIG_SOURCE_TOPIC,
        source: response.value.version === 0 ? (c.isDefault ? -1 : CONFIG_SOURCE_TOPIC) : c.configSource,
        readOnly: c.readOnly,
        isSensitive: c.isSensitive,
      })),
    );
  }
  return ok(byTopic);
}

/**
 * Sets and removes topic config overrides. Uses IncrementalAlterConfigs when the broker has
 * it; otherwise AlterConfigs, which replaces every override, so the current overrides are
 * read first and sent back with the change applied.
 */
export async function alterTopicConfigs(
  client: KafkaClient,
  name: string,
  set: Readonly<Record<string, string>>,
  remove: readonly string[],
): Promise<Result<void, ClientError>> {
  if (client.versions.supports(ApiKey.IncrementalAlterConfigs)) {
    const response = await client.call(ApiKey.IncrementalAlterConfigs, apiRanges.incrementalAlterConfigs, () => ({
      resources: [
        {
          resourceType: RESOURCE_TYPE_TOPIC,
          resourceName: name,
          configs: [
            ...Object.entries(set).map(([key, value]) => ({ name: key, configOperation: CONFIG_OP_SET, value })),
            ...remove.map((key) => ({ name: key, configOperation: CONFIG_OP_DELETE, value: null })),
          ],
        },
      ],
      validateOnly: false,
    }));
    if (!response.ok) return response;
    return checkAlterResults(response.value.body.responses, name);
  }
  const current = await describeTopicConfigs(client, [name]);
  if (!current.ok) return current;
  const overrides = new Map<string, string | null>();
  for (const entry of current.value.get(name) ?? []) if (entry.source === CONFIG_SOURCE_TOPIC) overrides.set(entry.name, entry.value);
  for (const [key, value] of Object.entries(set)) overrides.set(key, value);
  for (const key of remove) overrides.delete(key);
  const response = await client.call(ApiKey.AlterConfigs, apiRanges.alterConfigs, () => ({
    resources: [{ resourceType: RESOURCE_TYPE_TOPIC, resourceName: name, configs: [...overrides].map(([key, value]) => ({ name: key, value })) }],
    validateOnly: false,
  }));
  if (!response.ok) return response;
  return checkAlterResults(response.value.body.responses, name);
}

function checkAlterResults(
  results: readonly { errorCode: number; errorMessage: string | null; resourceName: string }[],
  name: string,
): Result<void, ClientError> {
  const result = results.find((r) => r.resourceName === name);
  if (result === undefined) return err(new ClientError('protocol', `the alter-configs response does not mention ${name}`));
  if (result.errorCode !== ErrorCode.NONE) return err(topicError(result.errorCode, name, result.errorMessage, 'cannot alter configs of'));
  return ok(undefined);
}
