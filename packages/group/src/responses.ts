/**
 * Response bodies shaped for the version asked: fields a version lacks are left at their
 * defaults (the codecs reject non-default values in fields that are not ignorable).
 */
import {
  EMPTY_BYTES,
  type DescribeGroupsResponse,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type OffsetCommitResponse,
  type OffsetDeleteResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
  type SyncGroupResponse,
} from '@tributary/protocol';
import type { GroupRequest, GroupResponse } from './group-types.js';

export interface JoinFields {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly memberId: string;
  readonly members: ReadonlyArray<{ readonly memberId: string; readonly groupInstanceId: string | null; readonly metadata: Buffer }>;
  readonly skipAssignment: boolean;
}

export function joinResponse(version: number, f: JoinFields): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: f.errorCode,
    generationId: f.generationId,
    protocolType: version >= 7 ? f.protocolType : null,
    protocolName: version >= 7 ? f.protocolName : (f.protocolName ?? ''),
    leader: f.leader,
    skipAssignment: version >= 9 && f.skipAssignment,
    memberId: f.memberId,
    members: f.members.map((m) => ({ memberId: m.memberId, groupInstanceId: version >= 5 ? m.groupInstanceId : null, metadata: m.metadata })),
  };
}

export function joinError(version: number, errorCode: number, memberId: string): JoinGroupResponse {
  return joinResponse(version, { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [], skipAssignment: false });
}

export function syncResponse(version: number, errorCode: number, assignment: Buffer, protocolType: string | null, protocolName: string | null): SyncGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    protocolType: version >= 5 ? protocolType : null,
    protocolName: version >= 5 ? protocolName : null,
    assignment,
  };
}

export function leaveResponse(version: number, errorCode: number, members: LeaveGroupResponse['members']): LeaveGroupResponse {
  if (version >= 3) return { throttleTimeMs: 0, errorCode, members };
  const first = members.find((m) => m.errorCode !== 0);
  return { throttleTimeMs: 0, errorCode: errorCode !== 0 ? errorCode : (first?.errorCode ?? 0), members: [] };
}

function commitError(body: { topics: ReadonlyArray<{ name: string; partitions: ReadonlyArray<{ partitionIndex: number }> }> }, errorCode: number): OffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  };
}

function fetchError(version: number, request: OffsetFetchRequest, errorCode: number): OffsetFetchResponse {
  if (version >= 8) {
    return { throttleTimeMs: 0, topics: [], errorCode: 0, groups: request.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })) };
  }
  if (version >= 2) return { throttleTimeMs: 0, topics: [], errorCode, groups: [] };
  const topics = (request.topics ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode })),
  }));
  return { throttleTimeMs: 0, topics, errorCode: 0, groups: [] };
}

function describeError(groups: readonly string[], errorCode: number): DescribeGroupsResponse {
  return {
    throttleTimeMs: 0,
    groups: groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 })),
  };
}

function offsetDeleteError(errorCode: number): OffsetDeleteResponse {
  return { errorCode, throttleTimeMs: 0, topics: [] };
}

/** `request` answered with `errorCode` wherever it applies (coordinator loading, append failed, ...). */
export function groupErrorResponse(request: GroupRequest, errorCode: number): GroupResponse {
  switch (request.api) {
    case 'JoinGroup':
      return joinError(request.version, errorCode, request.body.memberId);
    case 'SyncGroup':
      return syncResponse(request.version, errorCode, EMPTY_BYTES, null, null);
    case 'Heartbeat':
      return { throttleTimeMs: 0, errorCode };
    case 'LeaveGroup':
      return leaveResponse(request.version, errorCode, []);
    case 'OffsetCommit':
      return commitError(request.body, errorCode);
    case 'OffsetFetch':
      return fetchError(request.version, request.body, errorCode);
    case 'ListGroups':
      return { throttleTimeMs: 0, errorCode, groups: [] };
    case 'DescribeGroups':
      return describeError(request.body.groups, errorCode);
    case 'DeleteGroups':
      return { throttleTimeMs: 0, results: request.body.groupsNames.map((groupId) => ({ groupId, errorCode })) };
    case 'OffsetDelete':
      return offsetDeleteError(errorCode);
  }
}
