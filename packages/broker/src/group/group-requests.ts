/** What the group API handlers share: building the coordinator's request and routing it. */
import { GroupErrors, groupErrorResponse, type GroupApi, type GroupApiMap, type GroupRequestOf } from '@tributary/group';
import type { RequestContext } from '../handlers/handler.js';

export function groupRequest<A extends GroupApi>(api: A, body: GroupApiMap[A]['request'], ctx: RequestContext): GroupRequestOf<A> {
  return { api, version: ctx.apiVersion, clientId: ctx.header.clientId ?? '', clientHost: clientHostOf(ctx.clientAddress), body };
}

/** Kafka reports a member's host as `/<ip>`. */
function clientHostOf(address: string): string {
  const colon = address.lastIndexOf(':');
  const host = colon > 0 ? address.slice(0, colon) : address;
  return `/${host.replace(/^\[|\]$/g, '')}`;
}

/** Routes a one-group request to its coordinator (COORDINATOR_NOT_AVAILABLE on a broker without one). */
export async function submitGroupRequest<A extends GroupApi>(api: A, groupId: string, body: GroupApiMap[A]['request'], ctx: RequestContext): Promise<GroupApiMap[A]['response']> {
  const request = groupRequest(api, body, ctx);
  const groups = ctx.broker.groups;
  const response = groups === undefined ? groupErrorResponse(request as never, GroupErrors.COORDINATOR_NOT_AVAILABLE) : await groups.submit(groupId, request as never);
  // The coordinator answers each request with its API's response body.
  return response as GroupApiMap[A]['response'];
}
