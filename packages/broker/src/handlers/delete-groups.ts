/**
 * DeleteGroups, v0–2. Only groups without members can go (NON_EMPTY_GROUP otherwise); their
 * metadata and offsets are tombstoned in `__consumer_offsets` before the answer.
 */
import { ApiKey, type DeleteGroupsRequest, type DeleteGroupsResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function deleteGroups(request: DeleteGroupsRequest, ctx: RequestContext): Promise<DeleteGroupsResponse> {
  const answers = await Promise.all(request.groupsNames.map((groupId) => submitGroupRequest('DeleteGroups', groupId, { groupsNames: [groupId] }, ctx)));
  return { throttleTimeMs: 0, results: answers.flatMap((a) => a.results) };
}

export const deleteGroupsHandler: HandlerSpec<typeof ApiKey.DeleteGroups> = {
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle: deleteGroups,
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
};
