/** LeaveGroup, v0–5 (kafka-python and librdkafka v1, kafkajs v3; v3+ leaves a batch of members). */
import { ApiKey, type LeaveGroupRequest, type LeaveGroupResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function leaveGroup(request: LeaveGroupRequest, ctx: RequestContext): Promise<LeaveGroupResponse> {
  return submitGroupRequest('LeaveGroup', request.groupId, request, ctx);
}

export const leaveGroupHandler: HandlerSpec<typeof ApiKey.LeaveGroup> = {
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle: leaveGroup,
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
};
