/**
 * JoinGroup, v0–9 (kafka-python v2, kafkajs and librdkafka v5). v4+ dynamic members first get
 * MEMBER_ID_REQUIRED with their id; v5+ honours group.instance.id (static membership). The
 * response is held until the rebalance's join phase completes. The coordinator never assigns
 * (skipAssignment stays false except for a static leader rejoining at v9).
 */
import { ApiKey, defaultJoinGroupResponse, type JoinGroupRequest, type JoinGroupResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function joinGroup(request: JoinGroupRequest, ctx: RequestContext): Promise<JoinGroupResponse> {
  return submitGroupRequest('JoinGroup', request.groupId, request, ctx);
}

export const joinGroupHandler: HandlerSpec<typeof ApiKey.JoinGroup> = {
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  handle: joinGroup,
  errorResponse: (request, errorCode) => ({ ...defaultJoinGroupResponse(), errorCode, memberId: request.memberId }),
};
