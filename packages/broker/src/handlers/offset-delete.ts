/**
 * OffsetDelete, v0. Offsets of an Empty group can all go; a live consumer group keeps those of
 * topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); a live group of another protocol type
 * answers NON_EMPTY_GROUP.
 */
import { ApiKey, type OffsetDeleteRequest, type OffsetDeleteResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function offsetDelete(request: OffsetDeleteRequest, ctx: RequestContext): Promise<OffsetDeleteResponse> {
  return submitGroupRequest('OffsetDelete', request.groupId, request, ctx);
}

export const offsetDeleteHandler: HandlerSpec<typeof ApiKey.OffsetDelete> = {
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle: offsetDelete,
  errorResponse: (_request, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
};
