/**
 * OffsetFetch, v0–8 (kafka-python v1/v3, kafkajs v4, librdkafka v7 flexible). v2+ null topics
 * mean every committed partition; v8 batches groups, each routed to its own coordinator.
 * Uncommitted partitions answer offset -1. requireStable (v7+) is always satisfied: there are no
 * transactional commits pending.
 */
import { ApiKey, type OffsetFetchRequest, type OffsetFetchResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function offsetFetch(request: OffsetFetchRequest, ctx: RequestContext): Promise<OffsetFetchResponse> {
  if (ctx.apiVersion < 8) return submitGroupRequest('OffsetFetch', request.groupId, request, ctx);
  const answers = await Promise.all(request.groups.map((g) => submitGroupRequest('OffsetFetch', g.groupId, { ...request, groups: [g] }, ctx)));
  return { throttleTimeMs: 0, topics: [], errorCode: 0, groups: answers.flatMap((a) => a.groups) };
}

export const offsetFetchHandler: HandlerSpec<typeof ApiKey.OffsetFetch> = {
  apiKey: ApiKey.OffsetFetch,
  minVersion: 0,
  maxVersion: 8,
  handle: offsetFetch,
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: [],
    errorCode,
    groups: request.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })),
  }),
};
