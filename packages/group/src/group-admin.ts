/** ListGroups, DescribeGroups and DeleteGroups over one coordinator's groups. */
import type { DescribeGroupsResponseDescribedGroup, ListGroupsResponseListedGroup } from '@tributary/protocol';
import { GroupErrors } from './error-codes.js';
import { Group } from './group-metadata.js';
import type { GroupRequestOf } from './group-types.js';
import { encodeGroupKey } from './offsets-records.js';
import type { CoordinatorContext } from './outbox.js';
import { deleteOffset } from './offsets.js';

/** Kafka's "consumer group type" of every group this coordinator runs (KIP-848 names). */
const CLASSIC = 'classic';
const NO_AUTHORIZED_OPERATIONS = -2147483648;

export function listGroups(ctx: CoordinatorContext, request: GroupRequestOf<'ListGroups'>): ListGroupsResponseListedGroup[] {
  const states = request.version >= 4 ? request.body.statesFilter.map((s) => s.toLowerCase()) : [];
  const types = request.version >= 5 ? request.body.typesFilter.map((s) => s.toLowerCase()) : [];
  if (types.length > 0 && !types.includes(CLASSIC)) return [];
  const listed: ListGroupsResponseListedGroup[] = [];
  for (const group of ctx.groups.values()) {
    if (group.is('Dead')) continue;
    if (states.length > 0 && !states.includes(group.state.toLowerCase())) continue;
    listed.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: CLASSIC });
  }
  return listed;
}

export function handleListGroups(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'ListGroups'>): void {
  ctx.out.respond(requestId, { throttleTimeMs: 0, errorCode: GroupErrors.NONE, groups: listGroups(ctx, request) });
}

export function describeGroup(group: Group | undefined, groupId: string): DescribeGroupsResponseDescribedGroup {
  if (group === undefined || group.is('Dead')) {
    return { errorCode: GroupErrors.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: NO_AUTHORIZED_OPERATIONS };
  }
  // As Kafka: metadata and assignments are shown only when the group is Stable.
  const stable = group.is('Stable');
  const members = [...group.members.values()].map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    memberMetadata: stable ? Group.metadataFor(m, group.protocolName) : Buffer.alloc(0),
    memberAssignment: stable ? m.assignment : Buffer.alloc(0),
  }));
  return {
    errorCode: GroupErrors.NONE,
    groupId,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? (group.protocolName ?? '') : '',
    members,
    authorizedOperations: NO_AUTHORIZED_OPERATIONS,
  };
}

export function handleDescribeGroups(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'DescribeGroups'>): void {
  const groups = request.body.groups.map((groupId) => describeGroup(ctx.groups.get(groupId), groupId));
  const version = request.version;
  ctx.out.respond(requestId, { throttleTimeMs: 0, groups: groups.map((g) => ({ ...g, members: g.members.map((m) => ({ ...m, groupInstanceId: version >= 4 ? m.groupInstanceId : null })) })) });
}

export function handleDeleteGroups(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'DeleteGroups'>, nowMs: number): void {
  const results = request.body.groupsNames.map((groupId) => ({ groupId, errorCode: deleteOne(ctx, groupId, nowMs) }));
  ctx.out.respondWhenDurable(requestId, { throttleTimeMs: 0, results });
}

function deleteOne(ctx: CoordinatorContext, groupId: string, nowMs: number): number {
  if (groupId === '') return GroupErrors.INVALID_GROUP_ID;
  const group = ctx.groups.get(groupId);
  if (group === undefined || group.is('Dead')) return GroupErrors.GROUP_ID_NOT_FOUND;
  if (!group.is('Empty')) return GroupErrors.NON_EMPTY_GROUP;
  for (const [topic, partitions] of [...group.offsets]) for (const partition of [...partitions.keys()]) deleteOffset(ctx, group, topic, partition);
  ctx.out.append(encodeGroupKey(groupId), null);
  group.transitionTo('Dead', nowMs);
  ctx.groups.delete(groupId);
  return GroupErrors.NONE;
}
