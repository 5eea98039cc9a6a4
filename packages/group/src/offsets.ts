/**
 * OffsetCommit, OffsetFetch and OffsetDelete. Commits with generation -1 and no member id come
 * from standalone consumers and are taken while the group has no members (Kafka's "simple"
 * groups); members commit within their generation. A commit is answered once its records are
 * durable. OffsetFetch reads what has been committed (including commits still being written).
 */
import type { OffsetDeleteResponseOffsetDeleteResponseTopic, OffsetFetchResponseOffsetFetchResponseTopic } from '@tributary/protocol';
import { GroupErrors } from './error-codes.js';
import { Group } from './group-metadata.js';
import type { GroupRequestOf } from './group-types.js';
import { encodeOffsetKey, encodeOffsetValue } from './offsets-records.js';
import type { CoordinatorContext } from './outbox.js';
import { groupErrorResponse } from './responses.js';
import { memberCheck } from './sync-group.js';

/** Whether the group takes this commit (Kafka's doCommitOffsets checks); NONE when it does. */
function commitCheck(group: Group, memberId: string, groupInstanceId: string | null, generationId: number): number {
  if (group.is('Dead')) return GroupErrors.COORDINATOR_NOT_AVAILABLE;
  if (group.isStaticMemberFenced(groupInstanceId, memberId)) return GroupErrors.FENCED_INSTANCE_ID;
  if (generationId < 0 && group.is('Empty')) return GroupErrors.NONE;
  const checked = memberCheck(group, memberId, groupInstanceId, generationId);
  if (checked !== GroupErrors.NONE) return checked;
  if (group.is('CompletingRebalance')) return GroupErrors.REBALANCE_IN_PROGRESS;
  return GroupErrors.NONE;
}

export function handleOffsetCommit(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'OffsetCommit'>, nowMs: number): void {
  const { body, version } = request;
  const generationId = version >= 1 ? body.generationIdOrMemberEpoch : -1;
  const memberId = version >= 1 ? body.memberId : '';
  const groupInstanceId = version >= 7 ? body.groupInstanceId : null;
  const failAll = (code: number): void => ctx.out.respond(requestId, groupErrorResponse(request, code));
  if (body.groupId === '') return failAll(GroupErrors.INVALID_GROUP_ID);
  let group = ctx.groups.get(body.groupId);
  if (group === undefined) {
    if (generationId >= 0) return failAll(GroupErrors.ILLEGAL_GENERATION);
    if (ctx.groups.size >= ctx.config.groupsMax) return failAll(GroupErrors.COORDINATOR_NOT_AVAILABLE);
    group = new Group(body.groupId, nowMs);
    ctx.groups.set(group.groupId, group);
  }
  const checked = commitCheck(group, memberId, groupInstanceId, generationId);
  if (checked !== GroupErrors.NONE) return failAll(checked);
  const member = group.members.get(memberId);
  if (member !== undefined) member.lastHeartbeatMs = nowMs;
  const topics = body.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: commitOne(ctx, group, t.name, p, version, nowMs) })),
  }));
  ctx.out.respondWhenDurable(requestId, { throttleTimeMs: 0, topics });
}

function commitOne(
  ctx: CoordinatorContext,
  group: Group,
  topic: string,
  p: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string | null },
  version: number,
  nowMs: number,
): number {
  const metadata = p.committedMetadata;
  if (metadata !== null && Buffer.byteLength(metadata, 'utf8') > ctx.config.offsetMetadataMaxBytes) return GroupErrors.OFFSET_METADATA_TOO_LARGE;
  const value = { offset: p.committedOffset, leaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1, metadata, commitTimestampMs: BigInt(nowMs) };
  let partitions = group.offsets.get(topic);
  if (partitions === undefined) group.offsets.set(topic, (partitions = new Map()));
  partitions.set(p.partitionIndex, value);
  ctx.out.append(encodeOffsetKey(group.groupId, topic, p.partitionIndex), encodeOffsetValue(value));
  return GroupErrors.NONE;
}

/** One group's committed offsets for `topics` (null: every committed partition). */
export function fetchGroupOffsets(group: Group | undefined, topics: ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null): OffsetFetchResponseOffsetFetchResponseTopic[] {
  const wanted = topics ?? [...(group?.offsets ?? new Map<string, Map<number, unknown>>()).entries()].map(([name, partitions]) => ({ name, partitionIndexes: [...partitions.keys()] }));
  return wanted.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => {
      const committed = group?.offsets.get(t.name)?.get(partitionIndex);
      return {
        partitionIndex,
        committedOffset: committed?.offset ?? -1n,
        committedLeaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed === undefined ? '' : committed.metadata,
        errorCode: GroupErrors.NONE,
      };
    }),
  }));
}

export function handleOffsetFetch(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'OffsetFetch'>): void {
  const { body, version } = request;
  if (version >= 8) {
    const groups = body.groups.map((g) => ({ groupId: g.groupId, topics: fetchGroupOffsets(live(ctx, g.groupId), g.topics), errorCode: GroupErrors.NONE }));
    ctx.out.respond(requestId, { throttleTimeMs: 0, topics: [], errorCode: GroupErrors.NONE, groups });
    return;
  }
  // v0–1 have no null topics (the codec gives []); v2+ null means every committed partition.
  const topics = version >= 2 ? body.topics : (body.topics ?? []);
  ctx.out.respond(requestId, { throttleTimeMs: 0, topics: fetchGroupOffsets(live(ctx, body.groupId), topics), errorCode: GroupErrors.NONE, groups: [] });
}

function live(ctx: CoordinatorContext, groupId: string): Group | undefined {
  const group = ctx.groups.get(groupId);
  return group?.is('Dead') ? undefined : group;
}

export function handleOffsetDelete(ctx: CoordinatorContext, requestId: number, request: GroupRequestOf<'OffsetDelete'>): void {
  const { body } = request;
  const respond = (errorCode: number, topics: OffsetDeleteResponseOffsetDeleteResponseTopic[]): void => ctx.out.respondWhenDurable(requestId, { errorCode, throttleTimeMs: 0, topics });
  if (body.groupId === '') return respond(GroupErrors.INVALID_GROUP_ID, []);
  const group = live(ctx, body.groupId);
  if (group === undefined) return respond(GroupErrors.GROUP_ID_NOT_FOUND, []);
  let subscribed: Set<string> | null = null;
  if (!group.is('Empty')) {
    if (group.protocolType !== 'consumer') return respond(GroupErrors.NON_EMPTY_GROUP, []);
    subscribed = group.subscribedTopics();
  }
  const topics = body.topics.map((t) => {
    // An unreadable subscription counts as subscribed to everything, as in Kafka.
    const isSubscribed = !group.is('Empty') && (subscribed === null || subscribed.has(t.name));
    return {
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (isSubscribed) return { partitionIndex: p.partitionIndex, errorCode: GroupErrors.GROUP_SUBSCRIBED_TO_TOPIC };
        deleteOffset(ctx, group, t.name, p.partitionIndex);
        return { partitionIndex: p.partitionIndex, errorCode: GroupErrors.NONE };
      }),
    };
  });
  respond(GroupErrors.NONE, topics);
}

export function deleteOffset(ctx: CoordinatorContext, group: Group, topic: string, partition: number): void {
  const partitions = group.offsets.get(topic);
  if (partitions?.delete(partition) !== true) return;
  if (partitions.size === 0) group.offsets.delete(topic);
  ctx.out.append(encodeOffsetKey(group.groupId, topic, partition), null);
}
