/**
 * Test support: drives a GroupCoordinator like the driver does (every ready() taken and
 * acknowledged after each step/tick; durable responses delivered as if the append succeeded),
 * with a manual clock and seeded member ids. Every record appended is kept for replay tests.
 */
import { seededRandom } from '@tributary/common';
import { Writer, encodeConsumerProtocolSubscription, type JoinGroupResponse, type SyncGroupResponse } from '@tributary/protocol';
import { GroupCoordinator } from '../group-coordinator.js';
import type { GroupCoordinatorConfig, GroupRequest, GroupResponse, OffsetsRecord } from '../group-types.js';

export function subscription(topics: readonly string[]): Buffer {
  const w = new Writer(64);
  w.int16(0);
  encodeConsumerProtocolSubscription(w, { topics: [...topics], userData: null, ownedPartitions: [], generationId: -1, rackId: null }, 0);
  return Buffer.from(w.finish());
}

export class Harness {
  readonly coordinator: GroupCoordinator;
  nowMs = 1_000_000;
  private nextId = 1;
  readonly responses = new Map<number, GroupResponse>();
  readonly records: OffsetsRecord[] = [];
  /** Request ids in the order their responses were delivered. */
  readonly delivered: number[] = [];

  constructor(config: Partial<GroupCoordinatorConfig> = {}, seed = 1) {
    this.coordinator = new GroupCoordinator({ random: seededRandom(seed), config: { initialRebalanceDelayMs: 0, ...config } });
  }

  send(request: GroupRequest): number {
    const id = this.nextId++;
    this.coordinator.step(id, request, this.nowMs);
    this.drain();
    return id;
  }

  advance(ms: number): void {
    this.nowMs += ms;
    this.coordinator.tick(this.nowMs);
    this.drain();
  }

  drain(): void {
    if (!this.coordinator.hasReady()) return;
    const ready = this.coordinator.ready();
    for (const r of ready.responses) this.deliver(r.requestId, r.response);
    this.records.push(...ready.records);
    for (const r of ready.durableResponses) this.deliver(r.requestId, r.response);
    this.coordinator.advance();
  }

  private deliver(requestId: number, response: GroupResponse): void {
    if (this.responses.has(requestId)) throw new Error(`request ${requestId} answered twice`);
    this.responses.set(requestId, response);
    this.delivered.push(requestId);
  }

  response<T extends GroupResponse>(id: number): T | undefined {
    return this.responses.get(id) as T | undefined;
  }

  join(groupId: string, options: { memberId?: string; clientId?: string; instanceId?: string | null; topics?: string[]; version?: number; sessionTimeoutMs?: number; rebalanceTimeoutMs?: number; protocols?: string[] } = {}): number {
    const topics = options.topics ?? ['t'];
    return this.send({
      api: 'JoinGroup',
      version: options.version ?? 5,
      clientId: options.clientId ?? 'client',
      clientHost: '/127.0.0.1',
      body: {
        groupId,
        sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
        rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 30_000,
        memberId: options.memberId ?? '',
        groupInstanceId: options.instanceId ?? null,
        protocolType: 'consumer',
        protocols: (options.protocols ?? ['range']).map((name) => ({ name, metadata: subscription(topics) })),
        reason: null,
      },
    });
  }

  /** A dynamic v5 member's whole join: MEMBER_ID_REQUIRED, then the real join (held or answered). */
  joinNew(groupId: string, clientId: string, options: Parameters<Harness['join']>[1] = {}): { memberId: string; joinId: number } {
    const first = this.response<JoinGroupResponse>(this.join(groupId, { ...options, clientId }))!;
    if (first.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`);
    return { memberId: first.memberId, joinId: this.join(groupId, { ...options, clientId, memberId: first.memberId }) };
  }

  sync(groupId: string, memberId: string, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }> = [], version = 3, instanceId: string | null = null): number {
    return this.send({ api: 'SyncGroup', version, clientId: 'client', clientHost: '/127.0.0.1', body: { groupId, generationId, memberId, groupInstanceId: instanceId, protocolType: null, protocolName: null, assignments } });
  }

  heartbeat(groupId: string, memberId: string, generationId: number, instanceId: string | null = null): number {
    const id = this.send({ api: 'Heartbeat', version: 3, clientId: 'client', clientHost: '/127.0.0.1', body: { groupId, generationId, memberId, groupInstanceId: instanceId } });
    return this.response<import('@tributary/protocol').HeartbeatResponse>(id)?.errorCode ?? -2;
  }

  commit(groupId: string, offsets: Record<string, number>, member: { memberId: string; generationId: number } = { memberId: '', generationId: -1 }, version = 5): number {
    const topics = new Map<string, Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; commitTimestamp: bigint; committedMetadata: string | null }>>();
    for (const [tp, offset] of Object.entries(offsets)) {
      const [topic, partition] = tp.split(':');
      const list = topics.get(topic) ?? [];
      list.push({ partitionIndex: Number(partition), committedOffset: BigInt(offset), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'm' });
      topics.set(topic, list);
    }
    return this.send({
      api: 'OffsetCommit',
      version,
      clientId: 'client',
      clientHost: '/127.0.0.1',
      body: { groupId, generationIdOrMemberEpoch: member.generationId, memberId: member.memberId, groupInstanceId: null, retentionTimeMs: -1n, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) },
    });
  }

  /** Committed offsets of a group as `topic:partition → offset` (OffsetFetch v5, all topics). */
  fetchAll(groupId: string): Record<string, number> {
    const id = this.send({ api: 'OffsetFetch', version: 5, clientId: 'client', clientHost: '/127.0.0.1', body: { groupId, topics: null, groups: [], requireStable: false } });
    const response = this.response<import('@tributary/protocol').OffsetFetchResponse>(id)!;
    const out: Record<string, number> = {};
    for (const t of response.topics) for (const p of t.partitions) out[`${t.name}:${p.partitionIndex}`] = Number(p.committedOffset);
    return out;
  }

  syncResult(id: number): SyncGroupResponse | undefined {
    return this.response<SyncGroupResponse>(id);
  }
}
