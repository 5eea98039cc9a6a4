/**
 * IncrementalAlterConfigs, v0–1 (Kafka's Java admin client and kafka-configs.sh; not used by
 * kafkajs 2.2.4, librdkafka 2.0.2 or kafka-python 2.0.2). For a TOPIC resource each config is
 * SET (0), DELETEd back to its default (1), or for list configs (cleanup.policy) has values
 * APPENDed (2) or SUBTRACTed (3); the result is validated as a whole before anything changes.
 * validateOnly checks only.
 *
 * Differs from Kafka: BROKER (and BROKER_LOGGER) resources get INVALID_REQUEST, since broker
 * settings are read from the config file at start; there are no dynamic broker configs.
 */
import {
  ApiKey,
  ErrorCode,
  defaultIncrementalAlterConfigsResponse,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsRequestAlterConfigsResource,
  type IncrementalAlterConfigsResponse,
  type IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '@tributary/protocol';
import { checkAlterableResource, duplicateResources, resourceKey } from '../state/config-resources.js';
import type { HandlerSpec, RequestContext } from './handler.js';

type Resource = IncrementalAlterConfigsRequestAlterConfigsResource;

function result(resource: Resource, errorCode: number, errorMessage: string | null): IncrementalAlterConfigsResponseAlterConfigsResourceResponse {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName };
}

async function alterOne(resource: Resource, validateOnly: boolean, ctx: RequestContext): Promise<IncrementalAlterConfigsResponseAlterConfigsResourceResponse> {
  const alterable = checkAlterableResource(resource, ctx.broker.nodeId);
  if (!alterable.ok) return result(resource, alterable.error.code, alterable.error.message);
  const operations = resource.configs.map((config) => ({ name: config.name, op: config.configOperation, value: config.value }));
  const altered = await ctx.broker.topics.alterConfigs(resource.resourceName, { mode: 'incremental', operations }, validateOnly);
  return altered.ok ? result(resource, ErrorCode.NONE, null) : result(resource, altered.error.code, altered.error.message);
}

async function incrementalAlterConfigs(request: IncrementalAlterConfigsRequest, ctx: RequestContext): Promise<IncrementalAlterConfigsResponse> {
  const response = defaultIncrementalAlterConfigsResponse();
  const duplicates = duplicateResources(request.resources);
  for (const resource of request.resources) {
    if (duplicates.has(resourceKey(resource))) response.responses.push(result(resource, ErrorCode.INVALID_REQUEST, 'Error due to duplicate resources in the request'));
    else response.responses.push(await alterOne(resource, request.validateOnly, ctx));
  }
  return response;
}

export const incrementalAlterConfigsHandler: HandlerSpec<typeof ApiKey.IncrementalAlterConfigs> = {
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle: incrementalAlterConfigs,
  errorResponse: (request, errorCode) => ({ ...defaultIncrementalAlterConfigsResponse(), responses: request.resources.map((r) => result(r, errorCode, null)) }),
};
