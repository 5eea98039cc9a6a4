/**
 * FindCoordinator, v0–4 (kafka-python sends v0, kafkajs and librdkafka v2; v4 batches keys).
 * Group keys: the leader of the group's `__consumer_offsets` partition, once the topic exists (created here on first use, as Kafka
 * does; COORDINATOR_NOT_AVAILABLE until then, which clients retry). Transaction keys get
 * COORDINATOR_NOT_AVAILABLE: there is no transaction coordinator yet. v0 stays advertised:
 * librdkafka 2.0.2 enables lz4 only when the broker lists FindCoordinator v0 (rdkafka_feature.c).
 */
import { ApiKey, ErrorCode, defaultFindCoordinatorResponse, type FindCoordinatorRequest, type FindCoordinatorResponse } from '@tributary/protocol';
import type { HandlerSpec, RequestContext } from './handler.js';

const GROUP_KEY_TYPE = 0;

interface Answer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

async function coordinatorFor(keyType: number, key: string, ctx: RequestContext): Promise<Answer> {
  const unavailable = (message: string): Answer => ({ errorCode: ErrorCode['COORDINATOR_NOT_AVAILABLE']!, errorMessage: message, nodeId: -1, host: '', port: -1 });
  if (keyType !== GROUP_KEY_TYPE) return unavailable('this broker has no transaction coordinator yet');
  const groups = ctx.broker.groups;
  if (groups === undefined || !(await groups.ensureReady())) return unavailable('the group coordinator is not available');
  const nodeId = groups.coordinatorFor(key);
  const broker = nodeId === null ? undefined : ctx.broker.brokers(ctx.listenerName).find((b) => b.nodeId === nodeId);
  if (broker === undefined) return unavailable(`the coordinator of group ${key} is not available yet`);
  return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: broker.nodeId, host: broker.host, port: broker.port };
}

async function findCoordinator(request: FindCoordinatorRequest, ctx: RequestContext): Promise<FindCoordinatorResponse> {
  const keyType = ctx.apiVersion >= 1 ? request.keyType : GROUP_KEY_TYPE;
  if (ctx.apiVersion >= 4) {
    const coordinators = [];
    for (const key of request.coordinatorKeys) coordinators.push({ key, ...(await coordinatorFor(keyType, key, ctx)) });
    return { ...defaultFindCoordinatorResponse(), coordinators };
  }
  const answer = await coordinatorFor(keyType, request.key, ctx);
  return { ...defaultFindCoordinatorResponse(), ...answer, errorMessage: ctx.apiVersion >= 1 ? answer.errorMessage : null };
}

export const findCoordinatorHandler: HandlerSpec<typeof ApiKey.FindCoordinator> = {
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 4,
  handle: findCoordinator,
  errorResponse: (request, errorCode) => ({
    ...defaultFindCoordinatorResponse(),
    errorCode,
    nodeId: -1,
    coordinators: request.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: null })),
  }),
};
