/**
 * SyncGroup and Heartbeat. The leader's SyncGroup carries the assignment (computed by the client's
 * assignor; the coordinator only stores the bytes): the group becomes Stable, its metadata record
 * is written, and every held SyncGroup is answered once that record is durable (Kafka persists
 * the assignment before answering too).
 */
import { GroupErrors } from './error-codes.js';
import type { Group } from './group-metadata.js';
import type { GroupRequestOf } from './group-types.js';
import type { CoordinatorContext } from './outbox.js';
import { storeGroup } from './rebalance.js';
import { syncResponse } from './responses.js';

/** The checks SyncGroup, Heartbeat and OffsetCommit share, in Kafka's order; NONE when they pass. */
export function memberCheck(group: Group | undefined, memberId: string, groupInstanceId: string | null, generationId: number): number {
  if (group === undefined) return GroupErrors.UNKNOWN_MEMBER_ID;
  if (group.is('Dead')) return GroupErrors.COORDINATOR_NOT_AVAILABLE;
  if (group.isStaticMemberFenced(groupInstanceId, memberId)) return GroupErrors.FENCED_INSTANCE_ID;
  if (!group.members.has(memberId)) return GroupErrors.UNKNOWN_MEMBER_ID;
  if (generationId !== group.generationId) return GroupErrors.ILLEGAL_GENERATION;
  return GroupErrors.NONE;
}

export function handleSyncGroup(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'SyncGroup'>, nowMs: number): void {
  const { body, version } = request;
  const fail = (code: number): void => ctx.out.respond(requestId, syncResponse(version, code, Buffer.alloc(0), null, null));
  if (body.groupId === '') return fail(GroupErrors.INVALID_GROUP_ID);
  const group = ctx.groups.get(body.groupId);
  const checked = memberCheck(group, body.memberId, version >= 3 ? body.groupInstanceId : null, body.generationId);
  if (checked !== GroupErrors.NONE || group === undefined) return fail(checked);
  if (version >= 5 && ((body.protocolType !== null && body.protocolType !== group.protocolType) || (body.protocolName !== null && body.protocolName !== group.protocolName))) {
    return fail(GroupErrors.INCONSISTENT_GROUP_PROTOCOL);
  }
  const member = group.members.get(body.memberId)!;
  member.lastHeartbeatMs = nowMs;
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return fail(GroupErrors.UNKNOWN_MEMBER_ID);
    case 'PreparingRebalance':
      return fail(GroupErrors.REBALANCE_IN_PROGRESS);
    case 'Stable':
      // Answered after earlier appends are durable: the assignment may have been written just now.
      ctx.out.respondWhenDurable(requestId, syncResponse(version, GroupErrors.NONE, member.assignment, group.protocolType, group.protocolName));
      return;
    case 'CompletingRebalance': {
      if (member.awaitingSync !== null) ctx.out.respond(member.awaitingSync.requestId, syncResponse(member.awaitingSync.version, GroupErrors.REBALANCE_IN_PROGRESS, Buffer.alloc(0), null, null));
      member.awaitingSync = { requestId, version };
      group.pendingSync.delete(member.memberId);
      if (group.leaderId === member.memberId) completeSync(ctx, group, body.assignments, nowMs);
    }
  }
}

/** The leader's assignment: stored, the group Stable, every held SyncGroup answered when durable. */
function completeSync(ctx: CoordinatorContext, group: Group, assignments: ReadonlyArray<{ memberId: string; assignment: Buffer }>, nowMs: number): void {
  const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
  for (const m of group.members.values()) m.assignment = Buffer.from(byMember.get(m.memberId) ?? Buffer.alloc(0));
  group.transitionTo('Stable', nowMs);
  group.syncDeadlineMs = 0;
  storeGroup(ctx, group);
  for (const m of group.members.values()) {
    if (m.awaitingSync === null) continue;
    ctx.out.respondWhenDurable(m.awaitingSync.requestId, syncResponse(m.awaitingSync.version, GroupErrors.NONE, m.assignment, group.protocolType, group.protocolName));
    m.awaitingSync = null;
  }
}

export function handleHeartbeat(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'Heartbeat'>, nowMs: number): void {
  const { body, version } = request;
  const respond = (errorCode: number): void => ctx.out.respond(requestId, { throttleTimeMs: 0, errorCode });
  if (body.groupId === '') return respond(GroupErrors.INVALID_GROUP_ID);
  const group = ctx.groups.get(body.groupId);
  const checked = memberCheck(group, body.memberId, version >= 3 ? body.groupInstanceId : null, body.generationId);
  if (checked !== GroupErrors.NONE || group === undefined) return respond(checked);
  if (group.is('Empty')) return respond(GroupErrors.UNKNOWN_MEMBER_ID);
  group.members.get(body.memberId)!.lastHeartbeatMs = nowMs;
  respond(group.is('PreparingRebalance') ? GroupErrors.REBALANCE_IN_PROGRESS : GroupErrors.NONE);
}
