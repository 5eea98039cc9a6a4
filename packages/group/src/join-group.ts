/**
 * JoinGroup, as Kafka's classic coordinator handles it: new members (MEMBER_ID_REQUIRED first
 * for v4+ dynamic members), static members (group.instance.id) replacing their previous member id,
 * known members rejoining; the response is held until the join phase completes, except where the
 * member's current generation can be returned at once.
 */
import type { JoinGroupRequest } from '@tributary/protocol';
import { GroupErrors } from './error-codes.js';
import { Group, type Member, type MemberProtocol } from './group-metadata.js';
import type { GroupRequestOf } from './group-types.js';
import { newMemberId } from './member-id.js';
import type { CoordinatorContext } from './outbox.js';
import { extendInitialDelay, failPendingCalls, maybePrepareRebalance, prepareRebalance, storeGroup, tryCompleteJoin } from './rebalance.js';
import { joinError, joinResponse } from './responses.js';

interface JoinCall {
  readonly requestId: number;
  readonly version: number;
  readonly clientId: string;
  readonly clientHost: string;
  readonly body: JoinGroupRequest;
  readonly groupInstanceId: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly protocols: MemberProtocol[];
}

export function handleJoinGroup(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'JoinGroup'>, nowMs: number): void {
  const { body, version } = request;
  const fail = (code: number, memberId = body.memberId): void => ctx.out.respond(requestId, joinError(version, code, memberId));
  if (body.groupId === '') return fail(GroupErrors.INVALID_GROUP_ID);
  if (body.sessionTimeoutMs < ctx.config.minSessionTimeoutMs || body.sessionTimeoutMs > ctx.config.maxSessionTimeoutMs) return fail(GroupErrors.INVALID_SESSION_TIMEOUT);
  const call: JoinCall = {
    requestId,
    version,
    clientId: request.clientId,
    clientHost: request.clientHost,
    body,
    groupInstanceId: version >= 5 ? body.groupInstanceId : null,
    // v0 has no rebalance timeout: Kafka uses the session timeout.
    rebalanceTimeoutMs: version >= 1 && body.rebalanceTimeoutMs > 0 ? body.rebalanceTimeoutMs : body.sessionTimeoutMs,
    protocols: body.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
  };
  const isUnknown = body.memberId === '';
  let group = ctx.groups.get(body.groupId);
  if (group === undefined) {
    if (!isUnknown) return fail(GroupErrors.UNKNOWN_MEMBER_ID);
    if (ctx.groups.size >= ctx.config.groupsMax) return fail(GroupErrors.COORDINATOR_NOT_AVAILABLE);
    group = new Group(body.groupId, nowMs);
  }
  if (group.is('Dead')) return fail(GroupErrors.COORDINATOR_NOT_AVAILABLE);
  const names = call.protocols.map((p) => p.name);
  if (!group.supportsProtocols(body.protocolType, names, isUnknown ? null : body.memberId)) return fail(GroupErrors.INCONSISTENT_GROUP_PROTOCOL);
  ctx.groups.set(group.groupId, group);
  if (isUnknown) joinUnknownMember(ctx, group, call, nowMs);
  else joinKnownMember(ctx, group, call, nowMs);
  tryCompleteJoin(ctx, group, nowMs);
}

function joinUnknownMember(ctx: CoordinatorContext, group: Group, call: JoinCall, nowMs: number): void {
  if (group.members.size + group.pendingMembers.size >= ctx.config.groupMaxSize) {
    ctx.out.respond(call.requestId, joinError(call.version, GroupErrors.GROUP_MAX_SIZE_REACHED, ''));
    return;
  }
  const memberId = newMemberId(call.clientId, ctx.random);
  if (call.groupInstanceId !== null) {
    const previous = group.staticMembers.get(call.groupInstanceId);
    if (previous !== undefined) return replaceStaticMember(ctx, group, previous, memberId, call, nowMs);
  } else if (call.version >= 4) {
    // KIP-394: hand out the id first, so a retried join does not leave a ghost member behind.
    group.pendingMembers.set(memberId, nowMs + call.body.sessionTimeoutMs);
    ctx.out.respond(call.requestId, joinError(call.version, GroupErrors.MEMBER_ID_REQUIRED, memberId));
    return;
  }
  addMemberAndRebalance(ctx, group, memberId, call, nowMs);
}

function joinKnownMember(ctx: CoordinatorContext, group: Group, call: JoinCall, nowMs: number): void {
  const memberId = call.body.memberId;
  if (group.pendingMembers.has(memberId)) return addMemberAndRebalance(ctx, group, memberId, call, nowMs);
  if (group.isStaticMemberFenced(call.groupInstanceId, memberId)) {
    ctx.out.respond(call.requestId, joinError(call.version, GroupErrors.FENCED_INSTANCE_ID, memberId));
    return;
  }
  const member = group.members.get(memberId);
  if (member === undefined || group.is('Empty') || group.is('Dead')) {
    ctx.out.respond(call.requestId, joinError(call.version, GroupErrors.UNKNOWN_MEMBER_ID, memberId));
    return;
  }
  const unchanged = sameProtocols(member.protocols, call.protocols);
  if (group.is('CompletingRebalance') && unchanged) return respondCurrentGeneration(ctx, group, member, call, false);
  if (group.is('Stable') && unchanged && group.leaderId !== memberId) return respondCurrentGeneration(ctx, group, member, call, false);
  updateMemberAndRebalance(ctx, group, member, call, nowMs);
}

function newMember(memberId: string, call: JoinCall, nowMs: number): Member {
  return {
    memberId,
    groupInstanceId: call.groupInstanceId,
    clientId: call.clientId,
    clientHost: call.clientHost,
    rebalanceTimeoutMs: call.rebalanceTimeoutMs,
    sessionTimeoutMs: call.body.sessionTimeoutMs,
    protocolType: call.body.protocolType,
    protocols: call.protocols,
    assignment: Buffer.alloc(0),
    awaitingJoin: { requestId: call.requestId, version: call.version },
    awaitingSync: null,
    lastHeartbeatMs: nowMs,
    isNew: true,
  };
}

function addMemberAndRebalance(ctx: CoordinatorContext, group: Group, memberId: string, call: JoinCall, nowMs: number): void {
  group.add(newMember(memberId, call, nowMs));
  extendInitialDelay(ctx, group, nowMs);
  maybePrepareRebalance(ctx, group, nowMs);
}

function updateMemberAndRebalance(ctx: CoordinatorContext, group: Group, member: Member, call: JoinCall, nowMs: number): void {
  // A second join while one is held: the older request is answered so it never hangs.
  if (member.awaitingJoin !== null) ctx.out.respond(member.awaitingJoin.requestId, joinError(member.awaitingJoin.version, GroupErrors.REBALANCE_IN_PROGRESS, member.memberId));
  member.protocols = call.protocols;
  member.rebalanceTimeoutMs = call.rebalanceTimeoutMs;
  member.sessionTimeoutMs = call.body.sessionTimeoutMs;
  member.awaitingJoin = { requestId: call.requestId, version: call.version };
  member.lastHeartbeatMs = nowMs;
  maybePrepareRebalance(ctx, group, nowMs);
}

/** The member's generation as it stands (no rebalance): the leader may get the member list. */
function respondCurrentGeneration(ctx: CoordinatorContext, group: Group, member: Member, call: JoinCall, durable: boolean): void {
  const isLeader = group.leaderId === member.memberId;
  const withMembers = isLeader && (group.is('CompletingRebalance') || call.version >= 9);
  const members = withMembers
    ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: Group.metadataFor(m, group.protocolName) }))
    : [];
  const response = joinResponse(call.version, {
    errorCode: GroupErrors.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    memberId: member.memberId,
    members,
    skipAssignment: withMembers && group.is('Stable'),
  });
  if (durable) ctx.out.respondWhenDurable(call.requestId, response);
  else ctx.out.respond(call.requestId, response);
}

/**
 * A static member rejoined with a fresh member id: the old id is fenced, the member keeps its
 * place. A Stable group whose selected protocol and subscription are unchanged does not rebalance;
 * the new id is persisted before the member is answered.
 */
function replaceStaticMember(ctx: CoordinatorContext, group: Group, oldMemberId: string, memberId: string, call: JoinCall, nowMs: number): void {
  const old = group.members.get(oldMemberId);
  if (old === undefined) return addMemberAndRebalance(ctx, group, memberId, call, nowMs);
  failPendingCalls(ctx, old, GroupErrors.FENCED_INSTANCE_ID);
  const wasLeader = group.leaderId === oldMemberId;
  const oldMetadata = Group.metadataFor(old, group.protocolName);
  const wasPendingSync = group.pendingSync.delete(oldMemberId);
  group.remove(oldMemberId);
  const replaced: Member = { ...old, memberId, clientId: call.clientId, clientHost: call.clientHost, rebalanceTimeoutMs: call.rebalanceTimeoutMs, sessionTimeoutMs: call.body.sessionTimeoutMs, lastHeartbeatMs: nowMs, isNew: false };
  group.add(replaced);
  if (wasLeader) group.leaderId = memberId;
  if (wasPendingSync) group.pendingSync.add(memberId);
  replaced.protocols = call.protocols;
  if (group.is('Stable')) {
    const selected = group.selectProtocol();
    if (selected === group.protocolName && Group.metadataFor(replaced, selected).equals(oldMetadata)) {
      storeGroup(ctx, group);
      respondCurrentGeneration(ctx, group, replaced, call, true);
      return;
    }
  }
  replaced.awaitingJoin = { requestId: call.requestId, version: call.version };
  if (group.is('Stable') || group.is('CompletingRebalance')) prepareRebalance(ctx, group, nowMs);
}

function sameProtocols(a: readonly MemberProtocol[], b: readonly MemberProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}
