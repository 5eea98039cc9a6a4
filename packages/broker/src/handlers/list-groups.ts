/**
 * ListGroups, v0–5 (librdkafka v0, kafka-python v1, kafkajs v2). Every group of every
 * coordinator on this broker; v4 filters by state (case-insensitive), v5 by type (all "classic").
 */
import { ApiKey, ErrorCode, type ListGroupsRequest, type ListGroupsResponse } from '@tributary/protocol';
import { groupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function listGroups(request: ListGroupsRequest, ctx: RequestContext): Promise<ListGroupsResponse> {
  const groups = ctx.broker.groups;
  if (groups === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode['COORDINATOR_NOT_AVAILABLE']!, groups: [] };
  return groups.listGroups(groupRequest('ListGroups', request, ctx));
}

export const listGroupsHandler: HandlerSpec<typeof ApiKey.ListGroups> = {
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle: listGroups,
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
};
