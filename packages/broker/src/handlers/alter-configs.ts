/**
 * AlterConfigs, v0–2 (librdkafka sends v0; kafkajs and kafka-python v0–1). For a TOPIC resource
 * the given configs replace every override the topic has (a config left out returns to its
 * default), validated as a whole first; validateOnly checks only. Logs pick up segment and
 * retention changes at once (their partitions are reopened).
 *
 * Differs from Kafka: BROKER (and BROKER_LOGGER) resources get INVALID_REQUEST, since broker
 * settings are read from the config file at start; there are no dynamic broker configs.
 */
import {
  ApiKey,
  ErrorCode,
  defaultAlterConfigsResponse,
  type AlterConfigsRequest,
  type AlterConfigsRequestAlterConfigsResource,
  type AlterConfigsResponse,
  type AlterConfigsResponseAlterConfigsResourceResponse,
} from '@tributary/protocol';
import { checkAlterableResource, duplicateResources, resourceKey } from '../state/config-resources.js';
import type { HandlerSpec, RequestContext } from './handler.js';

type Resource = AlterConfigsRequestAlterConfigsResource;

function result(resource: Resource, errorCode: number, errorMessage: string | null): AlterConfigsResponseAlterConfigsResourceResponse {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName };
}

async function alterOne(resource: Resource, validateOnly: boolean, ctx: RequestContext): Promise<AlterConfigsResponseAlterConfigsResourceResponse> {
  const alterable = checkAlterableResource(resource, ctx.broker.nodeId);
  if (!alterable.ok) return result(resource, alterable.error.code, alterable.error.message);
  const configs: Record<string, string | null> = {};
  for (const config of resource.configs) {
    if (Object.hasOwn(configs, config.name)) return result(resource, ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
    configs[config.name] = config.value;
  }
  const altered = await ctx.broker.topics.alterConfigs(resource.resourceName, { mode: 'replace', configs }, validateOnly);
  return altered.ok ? result(resource, ErrorCode.NONE, null) : result(resource, altered.error.code, altered.error.message);
}

async function alterConfigs(request: AlterConfigsRequest, ctx: RequestContext): Promise<AlterConfigsResponse> {
  const response = defaultAlterConfigsResponse();
  const duplicates = duplicateResources(request.resources);
  for (const resource of request.resources) {
    if (duplicates.has(resourceKey(resource))) response.responses.push(result(resource, ErrorCode.INVALID_REQUEST, 'Error due to duplicate resources in the request'));
    else response.responses.push(await alterOne(resource, request.validateOnly, ctx));
  }
  return response;
}

export const alterConfigsHandler: HandlerSpec<typeof ApiKey.AlterConfigs> = {
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle: alterConfigs,
  errorResponse: (request, errorCode) => ({ ...defaultAlterConfigsResponse(), responses: request.resources.map((r) => result(r, errorCode, null)) }),
};
