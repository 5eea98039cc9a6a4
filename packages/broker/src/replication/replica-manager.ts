/**
 * Gives each partition replica held here the role the committed metadata says (after every
 * reconcile of the logs): leader at the partition's leader epoch, follower of its leader, or
 * neither while it has no leader. Followers are grouped into one LeaderFetcher per leader broker;
 * leaders serve the fetch RPC and send their ISR changes to the controller (AlterPartition),
 * one at a time per partition, fenced by leader and partition epoch.
 */
import { realScheduler, type Clock, type Scheduler } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';
import { LogStorageError } from '@tributary/storage';
import type { MetadataImage, PartitionImage } from '@tributary/metadata';
import type { PartitionAssignment, ReplicationConfig } from '@tributary/replication';
import type { Logger } from 'pino';
import type { RpcNetwork } from '../rpc/rpc-network.js';
import type { ControllerClient } from '../cluster/controller-client.js';
import type { LocalReplicas, ReplicaHandle } from '../cluster/local-replicas.js';
import type { HostPort } from '../config/broker-config.js';
import type { AdditionalRpcService } from '../rpc/rpc-server.js';
import type { PartitionWaiters } from '../state/partition-waiters.js';
import { LeaderFetcher } from './leader-fetcher.js';
import { ReplicaFetchServer } from './replica-fetch-server.js';

export interface ReplicaManagerOptions {
  readonly nodeId: number;
  readonly replicas: LocalReplicas;
  readonly controller: ControllerClient;
  readonly brokerEpoch: () => number;
  readonly waiters: PartitionWaiters;
  readonly clock: Clock;
  readonly scheduler?: Scheduler;
  readonly network?: RpcNetwork;
  readonly logger: Logger;
  readonly config?: Partial<ReplicationConfig>;
  /** Where a broker's replication RPC is served (its registered RPC endpoint). */
  readonly rpcEndpointName: string;
  /** How often leaders consider ISR changes. */
  readonly isrCheckIntervalMs?: number;
  /**
   * Called once when a replica's log goes offline (a full or failing disk). The node then stops,
   * as Kafka halts when its log directory fails, so the controller moves its leaderships instead of
   * leaving them on a log that cannot take writes.
   */
  readonly onLogFailure?: (error: Error) => void;
  /** Called as a replica becomes leader, before it serves (idempotent-producer state is rebuilt). */
  readonly onBecameLeader?: (handle: ReplicaHandle) => void;
}

const ISR_RETRY_MS = 1_000;
/** A role change that failed for a reason other than storage is tried again this soon. */
const ROLE_CHANGE_RETRY_MS = 1_000;

function assignmentOf(p: PartitionImage): PartitionAssignment {
  return { leaderId: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, replicas: p.replicas, isr: p.isr };
}

export class ReplicaManager {
  private readonly fetchers = new Map<number, LeaderFetcher>();
  private readonly fetchServer: ReplicaFetchServer;
  private readonly timer: unknown;
  private readonly scheduler: Scheduler;
  private readonly isrInFlight = new Set<ReplicaHandle>();
  /** After a refused ISR change, the next try waits (a rejoining broker stays fenced until it catches up). */
  private readonly isrRetryAtMs = new WeakMap<ReplicaHandle, number>();
  private closed = false;
  private logFailureReported = false;
  private retryTimer: unknown;
  private retryImage: { image: MetadataImage; mayLead: boolean } | undefined;

  constructor(private readonly options: ReplicaManagerOptions) {
    this.fetchServer = new ReplicaFetchServer({
      replica: (topicId, partition) => options.replicas.get(topicId, partition),
      waiters: options.waiters,
      onHighWatermark: (handle) => this.highWatermarkAdvanced(handle),
      logger: options.logger,
    });
    this.scheduler = options.scheduler ?? realScheduler;
    this.timer = this.scheduler.setInterval(() => this.checkIsr(), options.isrCheckIntervalMs ?? 250);
  }

  rpcService(): AdditionalRpcService {
    return this.fetchServer.rpcService();
  }

  /**
   * Brings every replica's role in line with `image`. `mayLead` is false until this incarnation's
   * registration is in the image: before that, leaderships the image gives this node belong to
   * its previous incarnation (whose log may be shorter since a power loss), and the controller
   * moves them when it registers this one.
   */
  async apply(image: MetadataImage, mayLead = true): Promise<void> {
    if (this.closed) return;
    const held = new Set<ReplicaHandle>();
    for (const handle of this.options.replicas.handles()) {
      const partition = image.topicsById.get(handle.topicId)?.partitions.get(handle.index);
      if (partition === undefined) continue;
      held.add(handle);
      try {
        if (partition.leader === this.options.nodeId && !mayLead) continue;
        await this.applyOne(handle, partition, image);
      } catch (error) {
        this.roleChangeFailed(handle, error, image, mayLead);
      }
    }
    for (const [leaderId, fetcher] of this.fetchers) {
      fetcher.retainOnly(held);
      if (fetcher.size === 0) {
        this.fetchers.delete(leaderId);
        void fetcher.close();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.scheduler.clearInterval(this.timer);
    if (this.retryTimer !== undefined) this.scheduler.clearTimeout(this.retryTimer);
    await Promise.all([...this.fetchers.values()].map((f) => f.close()));
    this.fetchers.clear();
  }

  private async applyOne(handle: ReplicaHandle, partition: PartitionImage, image: MetadataImage): Promise<void> {
    const rep = handle.replicated;
    const assignment = assignmentOf(partition);
    if (partition.leader === this.options.nodeId) {
      if (rep.role !== 'leader' || rep.leaderEpoch !== partition.leaderEpoch) {
        this.unfollow(handle);
        this.options.onBecameLeader?.(handle);
        await rep.becomeLeader(assignment);
        this.options.logger.info({ topic: handle.topic, partition: handle.index, leaderEpoch: partition.leaderEpoch, isr: partition.isr, logEnd: handle.log.logEndOffset }, 'leading partition');
        this.highWatermarkAdvanced(handle);
      } else if (rep.onAssignmentChange(assignment)) {
        this.highWatermarkAdvanced(handle);
      }
      return;
    }
    const changed = rep.role === 'leader' || rep.leaderEpoch !== partition.leaderEpoch || rep.leaderId !== partition.leader;
    if (changed) {
      this.unfollow(handle);
      rep.becomeFollower(assignment);
      if (partition.leader >= 0) this.options.logger.info({ topic: handle.topic, partition: handle.index, leader: partition.leader, leaderEpoch: partition.leaderEpoch }, 'following partition');
    }
    if (partition.leader < 0) return;
    const fetcher = this.fetcherFor(partition.leader, image);
    if (fetcher !== undefined && (changed || !fetcher.has(handle))) fetcher.follow(handle, partition.leaderEpoch);
  }

  private unfollow(handle: ReplicaHandle): void {
    for (const fetcher of this.fetchers.values()) fetcher.unfollow(handle);
  }

  private fetcherFor(leaderId: number, image: MetadataImage): LeaderFetcher | undefined {
    const existing = this.fetchers.get(leaderId);
    if (existing !== undefined) return existing;
    const endpoint = image.brokers.get(leaderId)?.endpoints.find((e) => e.name === this.options.rpcEndpointName);
    if (endpoint === undefined) {
      this.options.logger.warn({ leader: leaderId }, 'leader has no replication endpoint registered; not fetching');
      return undefined;
    }
    const address: HostPort = { host: endpoint.host, port: endpoint.port };
    const fetcher = new LeaderFetcher({
      replicaId: this.options.nodeId,
      brokerEpoch: this.options.brokerEpoch,
      leaderId,
      address,
      logger: this.options.logger,
      clock: this.options.clock,
      scheduler: this.scheduler,
      ...(this.options.network === undefined ? {} : { network: this.options.network }),
    });
    this.fetchers.set(leaderId, fetcher);
    return fetcher;
  }

  private highWatermarkAdvanced(handle: ReplicaHandle): void {
    this.options.waiters.notify(handle.topic, handle.index);
  }

  /** Sends the ISR changes leaders want (at most one in flight per partition). */
  /**
   * A storage failure during a role change (the leader-epoch checkpoint could not be written) is a
   * failed log directory: the node stops (onLogFailure). Anything else is retried in a second with
   * the latest image, so a role never stays unapplied for want of another metadata change.
   */
  private roleChangeFailed(handle: ReplicaHandle, error: unknown, image: MetadataImage, mayLead: boolean): void {
    this.options.logger.error({ topic: handle.topic, partition: handle.index, err: error }, 'replica role change failed');
    if (error instanceof LogStorageError) {
      this.reportLogFailure(error);
      return;
    }
    this.retryImage = { image, mayLead };
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.scheduler.setTimeout(() => {
      this.retryTimer = undefined;
      const retry = this.retryImage;
      this.retryImage = undefined;
      if (retry !== undefined && !this.closed) void this.apply(retry.image, retry.mayLead);
    }, ROLE_CHANGE_RETRY_MS);
  }

  private reportLogFailure(error: Error): void {
    if (this.logFailureReported) return;
    this.logFailureReported = true;
    this.options.onLogFailure?.(error);
  }

  private checkIsr(): void {
    if (this.closed) return;
    const nowMs = this.options.clock.monotonicMs();
    for (const handle of this.options.replicas.handles()) {
      const offline = handle.log.offlineError;
      if (offline !== null && !this.logFailureReported) {
        this.options.logger.error({ topic: handle.topic, partition: handle.index, err: offline }, 'a replica log is offline');
        this.reportLogFailure(offline);
      }
      const leader = handle.replicated.leaderState;
      if (leader === undefined || this.isrInFlight.has(handle) || nowMs < (this.isrRetryAtMs.get(handle) ?? 0)) continue;
      const change = leader.isrChangeToSend(nowMs);
      if (change === null) continue;
      this.isrInFlight.add(handle);
      void this.sendIsrChange(handle, change).finally(() => this.isrInFlight.delete(handle));
    }
  }

  private async sendIsrChange(handle: ReplicaHandle, change: { leaderEpoch: number; partitionEpoch: number; newIsr: readonly number[] }): Promise<void> {
    const leader = handle.replicated.leaderState;
    this.options.logger.info({ topic: handle.topic, partition: handle.index, isr: leader?.isr, newIsr: change.newIsr }, 'asking the controller to change the ISR');
    const result = await this.options.controller.call(
      'alterPartition',
      {
        topicId: handle.topicId,
        partition: handle.index,
        leaderId: this.options.nodeId,
        brokerEpoch: this.options.brokerEpoch(),
        leaderEpoch: change.leaderEpoch,
        partitionEpoch: change.partitionEpoch,
        newIsr: [...change.newIsr],
      },
      5_000,
    );
    const current = handle.replicated.leaderState;
    if (current === undefined || current !== leader) return; // leadership changed meanwhile
    const nowMs = this.options.clock.monotonicMs();
    if (result.ok && result.response.outcome.errorCode === 0) {
      const { isr, partitionEpoch, leaderEpoch } = result.response;
      if (current.onIsrChangeResult({ ok: true, isr, partitionEpoch, leaderEpoch }, nowMs)) this.highWatermarkAdvanced(handle);
    } else {
      const reason = result.ok ? result.response.outcome.errorMessage : result.message;
      const outcome = result.ok ? isrRefusalOutcome(result.response.outcome.errorCode) : 'unknown';
      this.options.logger.info({ topic: handle.topic, partition: handle.index, reason, outcome, retryInMs: ISR_RETRY_MS }, 'ISR change not accepted; retried later');
      this.isrRetryAtMs.set(handle, nowMs + ISR_RETRY_MS);
      if (current.onIsrChangeResult({ ok: false, outcome }, nowMs)) this.highWatermarkAdvanced(handle);
    }
  }
}

const STALE_ISR_CHANGE_CODES = new Set(
  ['INVALID_UPDATE_VERSION', 'FENCED_LEADER_EPOCH', 'STALE_BROKER_EPOCH', 'INVALID_REQUEST', 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID', 'BROKER_ID_NOT_REGISTERED', 'NOT_LEADER_OR_FOLLOWER'].map((name) => (ErrorCode as Readonly<Record<string, number>>)[name]),
);

/**
 * What a controller's refusal says about an ISR change: the controller's view moved on (newer
 * metadata settles it), a definite no (nothing was committed), or, for anything else, unknown.
 */
function isrRefusalOutcome(errorCode: number): 'refused' | 'stale' | 'unknown' {
  if (errorCode === ErrorCode.INELIGIBLE_REPLICA) return 'refused';
  if (STALE_ISR_CHANGE_CODES.has(errorCode)) return 'stale';
  return 'unknown';
}
