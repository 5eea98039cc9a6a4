/**
 * The classic rebalance: preparing (members rejoin), completing (the generation advances, the
 * protocol is chosen, every joiner is answered; the leader gets the member list), member removal
 * and the timers (session, rebalance, pending-sync and pending-member expiry), as Kafka's
 * GroupCoordinator does them.
 */
import { invariant } from '@tributary/common';
import { GroupErrors } from './error-codes.js';
import { Group, type Member } from './group-metadata.js';
import { encodeGroupKey, encodeGroupValue } from './offsets-records.js';
import type { CoordinatorContext } from './outbox.js';
import { joinError, joinResponse, syncResponse } from './responses.js';

/** Writes the group's metadata record (members, generation, assignments). */
export function storeGroup(ctx: CoordinatorContext, group: Group): void {
  const members = [...group.members.values()].map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    sessionTimeoutMs: m.sessionTimeoutMs,
    subscription: Group.metadataFor(m, group.protocolName),
    assignment: m.assignment,
  }));
  const value = encodeGroupValue({
    protocolType: group.protocolType,
    generationId: group.generationId,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    stateTimestampMs: group.stateTimestampMs,
    members,
  });
  ctx.out.append(encodeGroupKey(group.groupId), value);
}

/** Answers a member's held JoinGroup/SyncGroup with `errorCode` (it is leaving or fenced). */
export function failPendingCalls(ctx: CoordinatorContext, member: Member, errorCode: number): void {
  if (member.awaitingJoin !== null) ctx.out.respond(member.awaitingJoin.requestId, joinError(member.awaitingJoin.version, errorCode, member.memberId));
  if (member.awaitingSync !== null) ctx.out.respond(member.awaitingSync.requestId, syncResponse(member.awaitingSync.version, errorCode, Buffer.alloc(0), null, null));
  member.awaitingJoin = null;
  member.awaitingSync = null;
}

/** Fails every held SyncGroup (a rebalance began before the leader's assignment arrived). */
function resetSyncs(ctx: CoordinatorContext, group: Group, errorCode: number): void {
  for (const m of group.members.values()) {
    m.assignment = Buffer.alloc(0);
    if (m.awaitingSync === null) continue;
    ctx.out.respond(m.awaitingSync.requestId, syncResponse(m.awaitingSync.version, errorCode, Buffer.alloc(0), null, null));
    m.awaitingSync = null;
  }
}

export function prepareRebalance(ctx: CoordinatorContext, group: Group, nowMs: number): void {
  if (group.is('CompletingRebalance')) resetSyncs(ctx, group, GroupErrors.REBALANCE_IN_PROGRESS);
  const fromEmpty = group.is('Empty');
  group.transitionTo('PreparingRebalance', nowMs);
  const timeoutMs = group.rebalanceTimeoutMs();
  group.rebalanceDeadlineMs = nowMs + timeoutMs;
  const delayMs = Math.min(ctx.config.initialRebalanceDelayMs, timeoutMs);
  group.initialDelayUntilMs = fromEmpty && delayMs > 0 ? nowMs + delayMs : 0;
  group.initialDelayLimitMs = group.initialDelayUntilMs === 0 ? 0 : nowMs + timeoutMs;
  group.syncDeadlineMs = 0;
  group.pendingSync.clear();
}

export function maybePrepareRebalance(ctx: CoordinatorContext, group: Group, nowMs: number): void {
  if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty')) prepareRebalance(ctx, group, nowMs);
}

/** A new member joined during the initial delay: wait a little longer for more (bounded). */
export function extendInitialDelay(ctx: CoordinatorContext, group: Group, nowMs: number): void {
  if (!group.is('PreparingRebalance') || group.initialDelayUntilMs <= nowMs) return;
  group.initialDelayUntilMs = Math.min(nowMs + ctx.config.initialRebalanceDelayMs, group.initialDelayLimitMs);
}

export function tryCompleteJoin(ctx: CoordinatorContext, group: Group, nowMs: number): void {
  if (group.is('PreparingRebalance') && nowMs >= group.initialDelayUntilMs && group.hasAllMembersJoined()) completeJoin(ctx, group, nowMs);
}

/** Ends the join phase: drops members that did not rejoin, advances the generation, answers the joiners. */
export function completeJoin(ctx: CoordinatorContext, group: Group, nowMs: number): void {
  invariant(group.is('PreparingRebalance'), () => `completeJoin in ${group.state}`);
  for (const m of [...group.members.values()]) {
    if (m.awaitingJoin === null) removeMember(ctx, group, m.memberId, GroupErrors.UNKNOWN_MEMBER_ID);
  }
  group.pendingMembers.clear();
  group.generationId += 1;
  group.initialDelayUntilMs = 0;
  group.initialDelayLimitMs = 0;
  if (group.members.size === 0) {
    group.protocolName = null;
    group.leaderId = null;
    group.transitionTo('Empty', nowMs);
    storeGroup(ctx, group);
    return;
  }
  group.protocolName = group.selectProtocol();
  group.transitionTo('CompletingRebalance', nowMs);
  group.syncDeadlineMs = nowMs + group.rebalanceTimeoutMs();
  const leader = group.leaderId;
  invariant(leader !== null && group.members.has(leader), 'a group with members has a leader among them');
  const memberList = [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: Group.metadataFor(m, group.protocolName) }));
  for (const m of group.members.values()) {
    const call = m.awaitingJoin;
    invariant(call !== null, 'every remaining member rejoined');
    group.pendingSync.add(m.memberId);
    ctx.out.respond(
      call.requestId,
      joinResponse(call.version, {
        errorCode: GroupErrors.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader,
        memberId: m.memberId,
        members: m.memberId === leader ? memberList : [],
        skipAssignment: false,
      }),
    );
    m.awaitingJoin = null;
    m.isNew = false;
    m.lastHeartbeatMs = nowMs;
  }
}

/** Removes a member, answering its held requests with `errorCode`. The caller decides what the group does next. */
export function removeMember(ctx: CoordinatorContext, group: Group, memberId: string, errorCode: number): void {
  const member = group.remove(memberId);
  if (member !== undefined) failPendingCalls(ctx, member, errorCode);
}

/** After a member left or expired: a settled group rebalances; a rebalancing one may now complete. */
export function onMembershipChanged(ctx: CoordinatorContext, group: Group, nowMs: number): void {
  if (group.is('Stable') || group.is('CompletingRebalance')) prepareRebalance(ctx, group, nowMs);
  tryCompleteJoin(ctx, group, nowMs);
}

function keepAlive(ctx: CoordinatorContext, member: Member, nowMs: number): boolean {
  if (member.awaitingJoin !== null) return !member.isNew || member.lastHeartbeatMs + ctx.config.newMemberJoinTimeoutMs > nowMs;
  if (member.awaitingSync !== null) return true;
  return member.lastHeartbeatMs + member.sessionTimeoutMs > nowMs;
}

/** Every timer of one group at `nowMs`. */
export function tickGroup(ctx: CoordinatorContext, group: Group, nowMs: number): void {
  if (group.is('Dead')) return;
  let changed = false;
  for (const [memberId, expiresMs] of group.pendingMembers) {
    if (expiresMs <= nowMs) {
      group.pendingMembers.delete(memberId);
      changed = true;
    }
  }
  for (const m of [...group.members.values()]) {
    if (!keepAlive(ctx, m, nowMs)) {
      removeMember(ctx, group, m.memberId, GroupErrors.UNKNOWN_MEMBER_ID);
      changed = true;
    }
  }
  if (group.is('CompletingRebalance') && nowMs >= group.syncDeadlineMs && group.pendingSync.size > 0) {
    for (const memberId of [...group.pendingSync]) removeMember(ctx, group, memberId, GroupErrors.UNKNOWN_MEMBER_ID);
    changed = true;
  }
  if (changed) onMembershipChanged(ctx, group, nowMs);
  if (group.is('PreparingRebalance')) {
    if (nowMs >= group.rebalanceDeadlineMs) completeJoin(ctx, group, nowMs);
    else tryCompleteJoin(ctx, group, nowMs);
  }
}
