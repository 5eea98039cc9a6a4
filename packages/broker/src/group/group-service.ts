/**
 * The broker's group coordination: one CoordinatorPartition per `__consumer_offsets` partition
 * (all led by this node on a single broker; in a cluster each serves while this node leads its
 * partition, see CoordinatorPartition.followLeadership), request routing by Kafka's
 * `abs(groupId.hashCode) % partitions`, and the timer that ticks every coordinator.
 *
 * `__consumer_offsets` is created the first time a group request needs it, as Kafka does on the
 * first FindCoordinator, so brokers that never see a group have no such topic. When it exists at
 * startup, every partition is replayed before its groups are served (meanwhile:
 * COORDINATOR_LOAD_IN_PROGRESS).
 */
import { realScheduler, type Clock, type Random, type Scheduler } from '@tributary/common';
import { GroupErrors, groupErrorResponse, offsetsPartitionFor, type GroupCoordinatorConfig, type GroupRequest, type GroupRequestOf, type GroupResponse } from '@tributary/group';
import { defaultListGroupsRequest, type ListGroupsResponse } from '@tributary/protocol';
import type { Logger } from 'pino';
import type { PartitionWaiters } from '../state/partition-waiters.js';
import type { TopicManager } from '../state/topic-manager.js';
import { CoordinatorPartition } from './coordinator-partition.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
/** Kafka's offsets.topic.segment.bytes default. */
const OFFSETS_SEGMENT_BYTES = 100 * 1024 * 1024;

/** A ListGroups request with no filters, as the lag metric asks it. */
const ALL_GROUPS: GroupRequestOf<'ListGroups'> = { api: 'ListGroups', version: 5, clientId: 'metrics', clientHost: '', body: defaultListGroupsRequest() };

export interface GroupServiceSettings {
  /** Kafka's offsets.topic.num.partitions (used when the topic is created; an existing topic keeps its count). */
  readonly offsetsTopicPartitions: number;
  /** Replication factor of the offsets topic when created; -1 for the topic default. */
  readonly offsetsTopicReplicationFactor: number;
  /** How often coordinators advance their timers (session and rebalance timeouts). */
  readonly tickIntervalMs: number;
  readonly coordinator: Partial<GroupCoordinatorConfig>;
}

export const defaultGroupServiceSettings: GroupServiceSettings = {
  offsetsTopicPartitions: 50,
  offsetsTopicReplicationFactor: -1,
  tickIntervalMs: 100,
  coordinator: {},
};

export interface GroupServiceOptions {
  readonly topics: TopicManager;
  readonly clock: Clock;
  readonly scheduler?: Scheduler;
  readonly random: Random;
  readonly logger: Logger;
  readonly settings?: Partial<GroupServiceSettings>;
  /** Fetch long polls (followers of the offsets topic) are woken after each group write. */
  readonly waiters?: PartitionWaiters;
}

/** What handlers use. */
export interface GroupCoordinatorService {
  /** The offsets partition a group belongs to, or null while the offsets topic does not exist yet. */
  partitionFor(groupId: string): number | null;
  /** The broker that coordinates a group (its offsets partition's leader), or null when none does yet. */
  coordinatorFor(groupId: string): number | null;
  /** Makes sure the offsets topic exists and its coordinators are loading or loaded. */
  ensureReady(): Promise<boolean>;
  /** One group's request, routed to its coordinator. */
  submit(groupId: string, request: GroupRequest): Promise<GroupResponse>;
  /** ListGroups across every coordinator. */
  listGroups(request: GroupRequestOf<'ListGroups'>): Promise<ListGroupsResponse>;
}

export class GroupService implements GroupCoordinatorService {
  private readonly settings: GroupServiceSettings;
  private partitions: CoordinatorPartition[] = [];
  private creating: Promise<boolean> | null = null;
  private timer: unknown = null;
  private closed = false;

  constructor(private readonly options: GroupServiceOptions) {
    this.settings = { ...defaultGroupServiceSettings, ...options.settings };
  }

  /** Loads the offsets topic if it exists (in the background) and starts the tick timer. */
  start(): void {
    if (this.options.topics.topic(OFFSETS_TOPIC) !== undefined) this.openPartitions();
    this.timer = (this.options.scheduler ?? realScheduler).setInterval(() => {
      for (const p of this.partitions) p.tick();
    }, this.settings.tickIntervalMs);
  }

  /** Resolves once every coordinator has finished loading (tests, readiness). */
  async loaded(): Promise<void> {
    await Promise.all(this.partitions.map((p) => p.load()));
  }

  coordinatorPartitions(): readonly CoordinatorPartition[] {
    return this.partitions;
  }

  private openPartitions(): void {
    const topic = this.options.topics.topic(OFFSETS_TOPIC);
    if (topic === undefined || this.partitions.length > 0 || topic.partitions.length === 0) return;
    const logger = this.options.logger;
    this.partitions = topic.partitions.map(
      (p) =>
        new CoordinatorPartition({
          partition: p.index,
          handle: () => this.options.topics.partition(OFFSETS_TOPIC, p.index),
          clock: this.options.clock,
          random: this.options.random,
          config: this.settings.coordinator,
          logger,
          onAppended: () => this.options.waiters?.notify(OFFSETS_TOPIC, p.index),
        }),
    );
    for (const p of this.partitions) void p.load();
  }

  partitionFor(groupId: string): number | null {
    return this.partitions.length === 0 ? null : offsetsPartitionFor(groupId, this.partitions.length);
  }

  coordinatorFor(groupId: string): number | null {
    const index = this.partitionFor(groupId);
    const leader = index === null ? undefined : this.options.topics.topic(OFFSETS_TOPIC)?.partitions[index]?.leaderId;
    return leader === undefined || leader < 0 ? null : leader;
  }

  ensureReady(): Promise<boolean> {
    if (this.partitions.length > 0) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    this.creating ??= this.createOffsetsTopic().finally(() => {
      this.creating = null;
    });
    return this.creating;
  }

  private async createOffsetsTopic(): Promise<boolean> {
    const topics = this.options.topics;
    if (topics.topic(OFFSETS_TOPIC) === undefined) {
      const created = await topics.createTopic({
        name: OFFSETS_TOPIC,
        numPartitions: this.settings.offsetsTopicPartitions,
        replicationFactor: this.settings.offsetsTopicReplicationFactor,
        // Compacted, with Kafka's smaller segments (offsets.topic.segment.bytes) so closed segments, which compaction cleans, come often.
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(OFFSETS_SEGMENT_BYTES) },
        validateOnly: false,
        internal: true,
      });
      if (!created.ok && topics.topic(OFFSETS_TOPIC) === undefined) {
        this.options.logger.error({ err: created.error }, 'cannot create the offsets topic');
        return false;
      }
      this.options.logger.info({ partitions: this.settings.offsetsTopicPartitions }, `created ${OFFSETS_TOPIC}`);
    }
    if (this.closed) return false;
    this.openPartitions();
    return true;
  }

  async submit(groupId: string, request: GroupRequest): Promise<GroupResponse> {
    if (!(await this.ensureReady())) return groupErrorResponse(request, GroupErrors.COORDINATOR_NOT_AVAILABLE);
    const index = this.partitionFor(groupId);
    const partition = index === null ? undefined : this.partitions[index];
    if (partition === undefined) return groupErrorResponse(request, GroupErrors.COORDINATOR_NOT_AVAILABLE);
    return partition.submit(request);
  }

  async listGroups(request: GroupRequestOf<'ListGroups'>): Promise<ListGroupsResponse> {
    const response: ListGroupsResponse = { throttleTimeMs: 0, errorCode: GroupErrors.NONE, groups: [] };
    for (const p of this.partitions) {
      if (p.status === 'loading') response.errorCode = GroupErrors.COORDINATOR_LOAD_IN_PROGRESS;
      else if (p.status === 'active') response.groups.push(...p.coordinator.listGroups(request));
    }
    return response;
  }

  /** Every committed offset of every group this broker coordinates (for the lag metric). */
  committedOffsets(): Array<{ readonly groupId: string; readonly topic: string; readonly partition: number; readonly offset: bigint }> {
    const out: Array<{ groupId: string; topic: string; partition: number; offset: bigint }> = [];
    for (const p of this.partitions) {
      if (p.status !== 'active') continue;
      for (const { groupId } of p.coordinator.listGroups(ALL_GROUPS)) {
        for (const o of p.coordinator.snapshot(groupId)?.offsets ?? []) out.push({ groupId, topic: o.topic, partition: o.partition, offset: o.offset });
      }
    }
    return out;
  }

  /** First step of shutdown: held joins and syncs are answered NOT_COORDINATOR so connections can drain. */
  beginShutdown(): void {
    this.closed = true;
    for (const p of this.partitions) p.answerAll(GroupErrors.NOT_COORDINATOR);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) (this.options.scheduler ?? realScheduler).clearInterval(this.timer);
    this.timer = null;
    await this.creating;
    await Promise.all(this.partitions.map((p) => p.close()));
  }
}
