/**
 * FindCoordinator, v0–2 (kafka-python sends v0, kafkajs and librdkafka v2). Until the group
 * coordinator exists (issue 5) every key gets COORDINATOR_NOT_AVAILABLE, which clients retry.
 * It is advertised anyway because librdkafka 2.0.2 enables lz4 only when the broker lists
 * FindCoordinator v0 (rdkafka_feature.c); without it librdkafka sends lz4 batches uncompressed.
 */
import { ApiKey, ErrorCode, defaultFindCoordinatorResponse, type FindCoordinatorRequest, type FindCoordinatorResponse } from '@tributary/protocol';
import type { HandlerSpec, RequestContext } from './handler.js';

const GROUP_KEY_TYPE = 0;

async function findCoordinator(request: FindCoordinatorRequest, ctx: RequestContext): Promise<FindCoordinatorResponse> {
  const kind = ctx.apiVersion >= 1 && request.keyType !== GROUP_KEY_TYPE ? 'transaction' : 'group';
  return {
    ...defaultFindCoordinatorResponse(),
    errorCode: ErrorCode['COORDINATOR_NOT_AVAILABLE']!,
    errorMessage: ctx.apiVersion >= 1 ? `this broker has no ${kind} coordinator yet` : null,
    nodeId: -1,
  };
}

export const findCoordinatorHandler: HandlerSpec<typeof ApiKey.FindCoordinator> = {
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 2,
  handle: findCoordinator,
  errorResponse: (_request, errorCode) => ({ ...defaultFindCoordinatorResponse(), errorCode, nodeId: -1 }),
};
