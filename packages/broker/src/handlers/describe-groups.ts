/**
 * DescribeGroups, v0–5 (librdkafka v0, kafkajs v2, kafka-python v3). Members carry their
 * metadata and assignment bytes only while the group is Stable; an unknown group is described
 * as Dead with no error, as in Kafka. Authorized operations are not reported.
 */
import { ApiKey, type DescribeGroupsRequest, type DescribeGroupsResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function describeGroups(request: DescribeGroupsRequest, ctx: RequestContext): Promise<DescribeGroupsResponse> {
  const answers = await Promise.all(request.groups.map((groupId) => submitGroupRequest('DescribeGroups', groupId, { ...request, groups: [groupId] }, ctx)));
  return { throttleTimeMs: 0, groups: answers.flatMap((a) => a.groups) };
}

export const describeGroupsHandler: HandlerSpec<typeof ApiKey.DescribeGroups> = {
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle: describeGroups,
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 })),
  }),
};
