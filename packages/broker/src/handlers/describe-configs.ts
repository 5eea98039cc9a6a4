/**
 * DescribeConfigs, v0–4 (kafkajs sends v2, librdkafka v1, kafka-python v2). Resource types:
 * TOPIC (2), every topic config with its value and source; BROKER (4), named by this node's id
 * or "" for the broker defaults, the broker's own settings from its config file, read-only.
 * `configurationKeys` filters (unknown names are skipped, as in Kafka). v0 reports isDefault;
 * v1+ configSource and, when asked, synonyms; v3+ the config type and, when asked, documentation.
 *
 * Differs from Kafka: BROKER_LOGGER and other resource types get INVALID_REQUEST; there are no
 * dynamic broker configs, so a broker setting is STATIC_BROKER_CONFIG or DEFAULT_CONFIG.
 */
import {
  ApiKey,
  ErrorCode,
  defaultDescribeConfigsResponse,
  type DescribeConfigsRequest,
  type DescribeConfigsRequestDescribeConfigsResource,
  type DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
  type DescribeConfigsResponseDescribeConfigsResult,
} from '@tributary/protocol';
import { describeBrokerConfigs } from '../state/broker-config-entries.js';
import { ConfigResourceType, ConfigSource } from '../state/config-values.js';
import type { ConfigEntry } from '../state/topic-manager.js';
import type { HandlerSpec, RequestContext } from './handler.js';

type Resource = DescribeConfigsRequestDescribeConfigsResource;

function failed(resource: Resource, errorCode: number, errorMessage: string | null): DescribeConfigsResponseDescribeConfigsResult {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] };
}

function toWire(entry: ConfigEntry, request: DescribeConfigsRequest, version: number, isTopic: boolean): DescribeConfigsResponseDescribeConfigsResourceResult {
  // v0 has only isDefault: a topic config is "default" when the topic does not override it.
  const isDefault = entry.source === ConfigSource.DEFAULT_CONFIG || (isTopic && entry.source !== ConfigSource.DYNAMIC_TOPIC_CONFIG);
  return {
    name: entry.name,
    value: entry.value,
    readOnly: entry.readOnly,
    isDefault: version === 0 ? isDefault : false,
    configSource: entry.source,
    isSensitive: entry.isSensitive,
    synonyms: request.includeSynonyms ? entry.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })) : [],
    configType: entry.type,
    documentation: request.includeDocumentation ? entry.documentation : null,
  };
}

function describeResource(resource: Resource, request: DescribeConfigsRequest, ctx: RequestContext): DescribeConfigsResponseDescribeConfigsResult {
  const { broker, apiVersion } = ctx;
  let entries: readonly ConfigEntry[];
  if (resource.resourceType === ConfigResourceType.TOPIC) {
    const name = broker.topics.validateTopicName(resource.resourceName);
    if (!name.ok) return failed(resource, name.error.code, name.error.message);
    const described = broker.topics.describeConfigs(resource.resourceName, resource.configurationKeys);
    if (!described.ok) return failed(resource, described.error.code, described.error.message);
    entries = described.value;
  } else if (resource.resourceType === ConfigResourceType.BROKER) {
    if (resource.resourceName !== '' && resource.resourceName !== String(broker.nodeId)) {
      return failed(resource, ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${resource.resourceName}`);
    }
    entries = describeBrokerConfigs(broker.config, resource.configurationKeys);
  } else {
    return failed(resource, ErrorCode.INVALID_REQUEST, `Resource type ${resource.resourceType} is not supported; describe a topic (2) or the broker (4).`);
  }
  const isTopic = resource.resourceType === ConfigResourceType.TOPIC;
  return { ...failed(resource, ErrorCode.NONE, null), configs: entries.map((entry) => toWire(entry, request, apiVersion, isTopic)) };
}

async function describeConfigs(request: DescribeConfigsRequest, ctx: RequestContext): Promise<DescribeConfigsResponse> {
  return { ...defaultDescribeConfigsResponse(), results: request.resources.map((resource) => describeResource(resource, request, ctx)) };
}

export const describeConfigsHandler: HandlerSpec<typeof ApiKey.DescribeConfigs> = {
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle: describeConfigs,
  errorResponse: (request, errorCode) => ({ ...defaultDescribeConfigsResponse(), results: request.resources.map((r) => failed(r, errorCode, null)) }),
};
