/**
 * LeaveGroup: v0–2 name one member; v3+ a batch of members (by member id and/or
 * group.instance.id), each answered with its own error. A departure rebalances a settled group.
 */
import type { LeaveGroupResponseMemberResponse } from '@tributary/protocol';
import { GroupErrors } from './error-codes.js';
import type { Group } from './group-metadata.js';
import type { GroupRequestOf } from './group-types.js';
import type { CoordinatorContext } from './outbox.js';
import { onMembershipChanged, removeMember } from './rebalance.js';
import { leaveResponse } from './responses.js';

export function handleLeaveGroup(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'LeaveGroup'>, nowMs: number): void {
  const { body, version } = request;
  const leaving = version >= 3 ? body.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })) : [{ memberId: body.memberId, groupInstanceId: null }];
  const respond = (errorCode: number, members: LeaveGroupResponseMemberResponse[]): void => ctx.out.respond(requestId, leaveResponse(version, errorCode, members));
  if (body.groupId === '') return respond(GroupErrors.INVALID_GROUP_ID, []);
  const group = ctx.groups.get(body.groupId);
  if (group?.is('Dead')) return respond(GroupErrors.COORDINATOR_NOT_AVAILABLE, []);
  const results: LeaveGroupResponseMemberResponse[] = [];
  let changed = false;
  for (const m of leaving) {
    const errorCode = group === undefined ? GroupErrors.UNKNOWN_MEMBER_ID : leaveOne(ctx, group, m.memberId, m.groupInstanceId);
    if (errorCode === GroupErrors.NONE) changed = true;
    results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
  }
  if (changed && group !== undefined) onMembershipChanged(ctx, group, nowMs);
  respond(GroupErrors.NONE, results);
}

function leaveOne(ctx: CoordinatorContext, group: Group, memberId: string, groupInstanceId: string | null): number {
  if (memberId === '') {
    // v3+: a static member may leave by its instance id alone.
    const current = groupInstanceId === null ? undefined : group.staticMembers.get(groupInstanceId);
    if (current === undefined) return GroupErrors.UNKNOWN_MEMBER_ID;
    removeMember(ctx, group, current, GroupErrors.UNKNOWN_MEMBER_ID);
    return GroupErrors.NONE;
  }
  if (group.pendingMembers.delete(memberId)) return GroupErrors.NONE;
  if (group.isStaticMemberFenced(groupInstanceId, memberId)) return GroupErrors.FENCED_INSTANCE_ID;
  if (!group.members.has(memberId)) return GroupErrors.UNKNOWN_MEMBER_ID;
  removeMember(ctx, group, memberId, GroupErrors.UNKNOWN_MEMBER_ID);
  return GroupErrors.NONE;
}
