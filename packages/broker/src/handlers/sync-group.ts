/**
 * SyncGroup, v0–5 (kafka-python v1, kafkajs and librdkafka v3). The leader's assignment is
 * stored in `__consumer_offsets` before any member is answered; followers wait for it.
 */
import { ApiKey, defaultSyncGroupResponse, type SyncGroupRequest, type SyncGroupResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function syncGroup(request: SyncGroupRequest, ctx: RequestContext): Promise<SyncGroupResponse> {
  return submitGroupRequest('SyncGroup', request.groupId, request, ctx);
}

export const syncGroupHandler: HandlerSpec<typeof ApiKey.SyncGroup> = {
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  handle: syncGroup,
  errorResponse: (_request, errorCode) => ({ ...defaultSyncGroupResponse(), errorCode }),
};
