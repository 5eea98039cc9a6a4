/**
 * The follower's side: one loop per leader broker, fetching every partition this broker follows
 * there in one long-polling call. A partition that just became a follower (or changed leader
 * epoch) first finds where its log diverges from the leader's (OffsetForLeaderEpoch, KIP-279)
 * and truncates there; then it fetches from its log end. Fetched batches go through
 * appendAsFollower, which resolves once they are durable, so the next fetch offset is an honest
 * acknowledgement. A partition the leader refuses (not leader, fenced epoch) waits for the
 * metadata to move it.
 */
import { leaderEpoch as asLeaderEpoch, realScheduler, systemClock, type Clock, type Scheduler } from '@tributary/common';
import { ErrorCode, splitBatches } from '@tributary/protocol';
import { truncationStep } from '@tributary/replication';
import type { Logger } from 'pino';
import type { ReplicaHandle } from '../cluster/local-replicas.js';
import type { HostPort } from '../config/broker-config.js';
import { grpcNetwork, type RpcClient, type RpcNetwork } from '../rpc/rpc-network.js';
import { loadReplicationProto, type EpochAnswer, type PartitionData, type ReplicaFetchResponse } from './replication-proto.js';

export interface LeaderFetcherOptions {
  readonly replicaId: number;
  readonly brokerEpoch: () => number;
  readonly leaderId: number;
  readonly address: HostPort;
  readonly logger: Logger;
  readonly maxWaitMs?: number;
  readonly maxBytes?: number;
  readonly partitionMaxBytes?: number;
  readonly network?: RpcNetwork;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
}

interface Followed {
  readonly handle: ReplicaHandle;
  readonly leaderEpoch: number;
  state: 'truncating' | 'fetching' | 'refused';
  /** When the leader last refused it, and how long to wait before asking again (doubling per refusal). */
  refusedAtMs: number;
  refusedBackoffMs: number;
}

/** Rounds of OffsetForLeaderEpoch at most before giving up on finding the divergence (then truncating fully). */
const TRUNCATION_ROUNDS_MAX = 64;
const MIN_BACKOFF_MS = 50;
/** A leader that refuses is usually one metadata change behind (a few ms): retry soon, backing off. */
const REFUSED_RETRY_MIN_MS = 20;
const REFUSED_RETRY_MAX_MS = 1_000;
const MAX_BACKOFF_MS = 1_000;

export class LeaderFetcher {
  private readonly followed = new Map<string, Followed>();
  private readonly client: RpcClient;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private running: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: LeaderFetcherOptions) {
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? realScheduler;
    this.client = (options.network ?? grpcNetwork).client(options.address, loadReplicationProto(), {
      'grpc.initial_reconnect_backoff_ms': MIN_BACKOFF_MS,
      'grpc.max_reconnect_backoff_ms': MAX_BACKOFF_MS,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
  }

  get size(): number {
    return this.followed.size;
  }

  /** Follows `handle` at `leaderEpoch` (again from truncation when the epoch is new). */
  follow(handle: ReplicaHandle, leaderEpoch: number): void {
    const key = keyOf(handle);
    const existing = this.followed.get(key);
    if (existing !== undefined && existing.leaderEpoch === leaderEpoch && existing.handle === handle) return;
    this.followed.set(key, { handle, leaderEpoch, state: 'truncating', refusedAtMs: 0, refusedBackoffMs: REFUSED_RETRY_MIN_MS });
    this.start();
  }

  unfollow(handle: ReplicaHandle): void {
    this.followed.delete(keyOf(handle));
  }

  /** Stops following every partition whose handle is not in `handles` (deleted or closed). */
  retainOnly(handles: ReadonlySet<ReplicaHandle>): void {
    for (const [key, f] of this.followed) if (!handles.has(f.handle)) this.followed.delete(key);
  }

  has(handle: ReplicaHandle): boolean {
    return this.followed.has(keyOf(handle));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
    this.client.close();
  }

  private start(): void {
    if (this.running !== undefined || this.closed) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (!this.closed && this.followed.size > 0) this.start();
    });
  }

  private async loop(): Promise<void> {
    let backoffMs = MIN_BACKOFF_MS;
    while (!this.closed && this.followed.size > 0) {
      let outcome: 'ok' | 'failed' | 'idle';
      try {
        outcome = (await this.truncateWhereNeeded()) ? await this.fetchOnce() : 'failed';
      } catch (error) {
        this.options.logger.warn({ leader: this.options.leaderId, err: error }, 'replica fetch round failed');
        outcome = 'failed';
      }
      if (outcome === 'ok') {
        backoffMs = MIN_BACKOFF_MS;
      } else if (outcome === 'idle') {
        // Every partition waits on a refusal: sleep until the first may ask again.
        await this.pause(this.nextRetryInMs());
      } else {
        await this.pause(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
    }
  }

  private nextRetryInMs(): number {
    const now = this.clock.monotonicMs();
    let wait = REFUSED_RETRY_MAX_MS;
    for (const f of this.followed.values()) if (f.state === 'refused') wait = Math.min(wait, f.refusedAtMs + f.refusedBackoffMs - now);
    return Math.max(5, wait);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.scheduler.setTimeout(resolve, ms);
      this.wake = () => {
        this.scheduler.clearTimeout(timer);
        resolve();
      };
    });
  }

  private async call<T>(method: 'fetch' | 'offsetForLeaderEpoch', request: unknown, timeoutMs: number): Promise<T | undefined> {
    const result = await this.client.call(method, request, timeoutMs);
    if (!result.ok) this.options.logger.debug({ leader: this.options.leaderId, method, err: result.message }, 'replication call failed');
    return result.ok ? (result.response as T) : undefined;
  }

  /** KIP-279 for every partition in 'truncating'; false when the leader could not be asked. */
  private async truncateWhereNeeded(): Promise<boolean> {
    const now = this.clock.monotonicMs();
    for (const f of this.followed.values()) if (f.state === 'refused' && now - f.refusedAtMs >= f.refusedBackoffMs) f.state = 'truncating';
    const pending = [...this.followed.values()].filter((f) => f.state === 'truncating');
    for (const f of pending) {
      const done = await this.truncate(f);
      if (done === undefined) return false;
    }
    return true;
  }

  private async truncate(f: Followed): Promise<boolean | undefined> {
    const { handle } = f;
    const cache = handle.replicated.epochCache;
    let epoch = cache.latestEpoch as number | undefined;
    if (epoch === undefined) {
      // Nothing recorded: an empty log has nothing to diverge; anything else starts over.
      if (handle.log.logEndOffset > 0) await this.truncateFully(handle, 0);
      f.state = 'fetching';
      return true;
    }
    for (let round = 0; round < TRUNCATION_ROUNDS_MAX; round++) {
      const response = await this.call<{ partitions: EpochAnswer[] }>(
        'offsetForLeaderEpoch',
        { replicaId: this.options.replicaId, partitions: [{ topicId: handle.topicId, partition: handle.index, currentLeaderEpoch: f.leaderEpoch, leaderEpoch: epoch }] },
        5_000,
      );
      const answer = response?.partitions[0];
      if (answer === undefined) return undefined;
      if (answer.errorCode !== ErrorCode.NONE) {
        refuse(f, this.clock.monotonicMs());
        this.options.logger.debug({ topic: handle.topic, partition: handle.index, errorCode: answer.errorCode }, 'leader refused OffsetForLeaderEpoch; waiting for metadata');
        return false;
      }
      const step = truncationStep({
        requestedEpoch: epoch,
        leaderAnswer: { epoch: answer.leaderEpoch, endOffset: answer.endOffset },
        followerEndOffsetFor: (e) => cache.endOffsetFor(asLeaderEpoch(e), handle.log.logEndOffset),
        followerLogEndOffset: handle.log.logEndOffset,
        leaderLogStartOffset: answer.logStartOffset,
      });
      if (step.kind === 'ask-again') {
        epoch = step.epoch;
        continue;
      }
      if (step.kind === 'truncate-fully') await this.truncateFully(handle, step.offset);
      else await this.truncateTo(handle, step.offset);
      f.state = 'fetching';
      return true;
    }
    await this.truncateFully(handle, 0);
    f.state = 'fetching';
    return true;
  }

  private async truncateTo(handle: ReplicaHandle, offset: number): Promise<void> {
    if (offset >= handle.log.logEndOffset) return;
    const truncated = await handle.log.truncateTo(offset);
    if (!truncated.ok) throw truncated.error;
    handle.replicated.epochCache.truncateFromEnd(offset);
    await handle.replicated.epochCache.flush();
    this.options.logger.info({ topic: handle.topic, partition: handle.index, offset }, 'follower truncated to where it diverges from the leader');
  }

  private async truncateFully(handle: ReplicaHandle, offset: number): Promise<void> {
    const truncated = await handle.log.truncateFullyAndStartAt(offset);
    if (!truncated.ok) throw truncated.error;
    handle.replicated.epochCache.clear();
    await handle.replicated.epochCache.flush();
    this.options.logger.warn({ topic: handle.topic, partition: handle.index, offset }, 'follower log truncated fully; copying from the leader');
  }

  /** One long-polling fetch of every fetching partition: 'failed' when the call failed, 'idle' when none may fetch. */
  private async fetchOnce(): Promise<'ok' | 'failed' | 'idle'> {
    const fetching = [...this.followed.values()].filter((f) => f.state === 'fetching');
    if (fetching.length === 0) return 'idle';
    const request = {
      replicaId: this.options.replicaId,
      brokerEpoch: this.options.brokerEpoch(),
      maxWaitMs: this.options.maxWaitMs ?? 500,
      minBytes: 1,
      maxBytes: this.options.maxBytes ?? 16 * 1024 * 1024,
      partitions: fetching.map((f) => ({
        topicId: f.handle.topicId,
        partition: f.handle.index,
        currentLeaderEpoch: f.leaderEpoch,
        fetchOffset: f.handle.log.logEndOffset,
        maxBytes: this.options.partitionMaxBytes ?? 4 * 1024 * 1024,
      })),
    };
    const response = await this.call<ReplicaFetchResponse>('fetch', request, (this.options.maxWaitMs ?? 500) + 5_000);
    if (response === undefined) return 'failed';
    for (const data of response.partitions) {
      const f = this.followed.get(`${data.topicId}-${data.partition}`);
      if (f !== undefined && f.state === 'fetching') await this.applyFetched(f, data);
    }
    return 'ok';
  }

  private async applyFetched(f: Followed, data: PartitionData): Promise<void> {
    const { handle } = f;
    if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      // Below the leader's start (retention or DeleteRecords there): start over at its start.
      if (handle.log.logEndOffset < data.logStartOffset) await this.truncateFully(handle, data.logStartOffset);
      else f.state = 'truncating';
      return;
    }
    if (data.errorCode !== ErrorCode.NONE) {
      refuse(f, this.clock.monotonicMs());
      return;
    }
    f.refusedBackoffMs = REFUSED_RETRY_MIN_MS;
    if (data.records.length > 0) {
      const records = Buffer.from(data.records.buffer, data.records.byteOffset, data.records.byteLength);
      const appended = await handle.log.appendAsFollower(records);
      if (!appended.ok) {
        this.options.logger.warn({ topic: handle.topic, partition: handle.index, err: appended.error }, 'follower append failed; finding the divergence again');
        f.state = 'truncating';
        return;
      }
      // Only once the batches are in the log: epochs recorded for a refused append made the next
      // divergence search ask about an epoch this log never held, and keep a divergent record.
      await this.recordEpochs(handle, records);
    }
    handle.replicated.followerHighWatermark = Math.min(data.highWatermark, handle.log.logEndOffset);
    // Records the leader deleted (DeleteRecords, retention) go here too, so a later leader does not bring them back.
    const leaderStart = Math.min(data.logStartOffset, handle.log.logEndOffset);
    if (leaderStart > handle.log.logStartOffset) {
      const moved = await handle.log.deleteRecordsBefore(leaderStart);
      if (moved.ok) handle.replicated.epochCache.truncateFromStart(leaderStart);
    }
  }

  /** New leader epochs in fetched batches go into the epoch cache, durably, before the batches do. */
  private async recordEpochs(handle: ReplicaHandle, records: Buffer): Promise<void> {
    const split = splitBatches(records);
    if (!split.ok) return; // the append refuses it with a proper error
    const cache = handle.replicated.epochCache;
    let changed = false;
    for (const batch of split.value.batches) {
      const epoch = batch.header.partitionLeaderEpoch;
      const latest = cache.latestEpoch;
      if (epoch < 0 || (latest !== undefined && epoch <= latest)) continue;
      const assigned = cache.assign(asLeaderEpoch(epoch), Number(batch.header.baseOffset));
      if (assigned.ok && assigned.value) changed = true;
    }
    if (changed) {
      const flushed = await cache.flush();
      if (!flushed.ok) throw flushed.error;
    }
  }
}

function refuse(f: Followed, now: number): void {
  f.refusedBackoffMs = f.state === 'refused' ? f.refusedBackoffMs : Math.min(REFUSED_RETRY_MAX_MS, f.refusedBackoffMs * 2);
  f.state = 'refused';
  f.refusedAtMs = now;
}

function keyOf(handle: ReplicaHandle): string {
  return `${handle.topicId}-${handle.index}`;
}
