/**
 * Heartbeat, v0–4 (kafka-python v1, kafkajs and librdkafka v3). Answered at once, never after
 * a disk write: REBALANCE_IN_PROGRESS tells a member to rejoin.
 */
import { ApiKey, type HeartbeatRequest, type HeartbeatResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function heartbeat(request: HeartbeatRequest, ctx: RequestContext): Promise<HeartbeatResponse> {
  return submitGroupRequest('Heartbeat', request.groupId, request, ctx);
}

export const heartbeatHandler: HandlerSpec<typeof ApiKey.Heartbeat> = {
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle: heartbeat,
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};
