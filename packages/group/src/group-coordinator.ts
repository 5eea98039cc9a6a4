/**
 * The group coordinator of one `__consumer_offsets` partition, as a pure state machine in the
 * manner of etcd-io/raft: requests go in with `step(requestId, request, nowMs)`, time with
 * `tick(nowMs)`; what to answer and what to append piles up until the driver takes it with
 * `ready()` and acknowledges with `advance()`. It does no I/O, reads no clock and draws
 * randomness (member ids) only from the injected Random.
 *
 * `load(records)` rebuilds the state from the partition (replay after a restart or a takeover).
 */
import { invariant, type Random } from '@tributary/common';
import type { GroupStateName } from './group-metadata.js';
import { handleDeleteGroups, handleDescribeGroups, handleListGroups, listGroups } from './group-admin.js';
import { Group } from './group-metadata.js';
import { defaultGroupCoordinatorConfig, type GroupCoordinatorConfig, type GroupReady, type GroupRequest, type GroupRequestOf, type OffsetsRecord } from './group-types.js';
import { handleJoinGroup } from './join-group.js';
import { handleLeaveGroup } from './leave-group.js';
import { handleOffsetCommit, handleOffsetDelete, handleOffsetFetch } from './offsets.js';
import { Outbox, type CoordinatorContext } from './outbox.js';
import { tickGroup } from './rebalance.js';
import { replayOffsetsRecords } from './replay.js';
import { handleHeartbeat, handleSyncGroup } from './sync-group.js';
import type { ListGroupsResponseListedGroup } from '@tributary/protocol';

export interface GroupCoordinatorOptions {
  readonly random: Random;
  readonly config?: Partial<GroupCoordinatorConfig>;
}

/** A read-only view of one group, for tests, invariants and operators. */
export interface GroupSnapshot {
  readonly groupId: string;
  readonly state: GroupStateName;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leaderId: string | null;
  readonly members: ReadonlyArray<{
    readonly memberId: string;
    readonly groupInstanceId: string | null;
    readonly assignment: Buffer;
    readonly awaitingJoin: boolean;
    readonly awaitingSync: boolean;
  }>;
  readonly offsets: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly offset: bigint; readonly metadata: string | null }>;
}

export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  private readonly ctx: CoordinatorContext;
  private lastNowMs = 0;

  constructor(options: GroupCoordinatorOptions) {
    this.config = { ...defaultGroupCoordinatorConfig, ...options.config };
    invariant(this.config.minSessionTimeoutMs <= this.config.maxSessionTimeoutMs, 'min session timeout above max');
    this.ctx = { config: this.config, random: options.random, out: new Outbox(), groups: new Map() };
  }

  /** Handles one request; its response appears in a later ready() (now, after durability, or after a rebalance). */
  step(requestId: number, request: GroupRequest, nowMs: number): void {
    const now = this.observe(nowMs);
    const ctx = this.ctx;
    switch (request.api) {
      case 'JoinGroup':
        return handleJoinGroup(ctx, requestId, request, now);
      case 'SyncGroup':
        return handleSyncGroup(ctx, requestId, request, now);
      case 'Heartbeat':
        return handleHeartbeat(ctx, requestId, request, now);
      case 'LeaveGroup':
        return handleLeaveGroup(ctx, requestId, request, now);
      case 'OffsetCommit':
        return handleOffsetCommit(ctx, requestId, request, now);
      case 'OffsetFetch':
        return handleOffsetFetch(ctx, requestId, request);
      case 'ListGroups':
        return handleListGroups(ctx, requestId, request);
      case 'DescribeGroups':
        return handleDescribeGroups(ctx, requestId, request);
      case 'DeleteGroups':
        return handleDeleteGroups(ctx, requestId, request, now);
      case 'OffsetDelete':
        return handleOffsetDelete(ctx, requestId, request);
    }
  }

  /** Advances time: session expiry, rebalance and sync deadlines, the initial rebalance delay. */
  tick(nowMs: number): void {
    const now = this.observe(nowMs);
    for (const group of [...this.ctx.groups.values()]) tickGroup(this.ctx, group, now);
  }

  hasReady(): boolean {
    return !this.ctx.out.isEmpty;
  }

  ready(): GroupReady {
    const out = this.ctx.out;
    return { responses: out.responses, records: out.records, durableResponses: out.durableResponses };
  }

  /** The driver has taken everything ready() returned. */
  advance(): void {
    this.ctx.out.clear();
  }

  /**
   * Rebuilds every group from the partition's records (a fresh coordinator only). Returns how
   * many records could not be read.
   */
  load(records: Iterable<OffsetsRecord>, nowMs: number): { readonly groups: number; readonly skipped: number } {
    invariant(this.ctx.groups.size === 0 && this.ctx.out.isEmpty, 'load() on a coordinator already in use');
    const now = this.observe(nowMs);
    const replayed = replayOffsetsRecords(records, now);
    for (const [id, group] of replayed.groups) this.ctx.groups.set(id, group);
    return { groups: replayed.groups.size, skipped: replayed.skipped };
  }

  /** ListGroups' entries for this coordinator (the driver merges coordinators). */
  listGroups(request: GroupRequestOf<'ListGroups'>): ListGroupsResponseListedGroup[] {
    return listGroups(this.ctx, request);
  }

  groupIds(): string[] {
    return [...this.ctx.groups.keys()];
  }

  snapshot(groupId: string): GroupSnapshot | undefined {
    const group = this.ctx.groups.get(groupId);
    return group === undefined ? undefined : snapshotOf(group);
  }

  /** Time never runs backwards inside the core, whatever the caller's clock does. */
  private observe(nowMs: number): number {
    invariant(Number.isFinite(nowMs), () => `bad time ${nowMs}`);
    this.lastNowMs = Math.max(this.lastNowMs, nowMs);
    return this.lastNowMs;
  }
}

function snapshotOf(group: Group): GroupSnapshot {
  const offsets: Array<{ topic: string; partition: number; offset: bigint; metadata: string | null }> = [];
  for (const [topic, partitions] of group.offsets) for (const [partition, o] of partitions) offsets.push({ topic, partition, offset: o.offset, metadata: o.metadata });
  return {
    groupId: group.groupId,
    state: group.state,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      assignment: m.assignment,
      awaitingJoin: m.awaitingJoin !== null,
      awaitingSync: m.awaitingSync !== null,
    })),
    offsets,
  };
}
