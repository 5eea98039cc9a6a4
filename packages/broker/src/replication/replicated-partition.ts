/**
 * One partition replica's replication state on this broker: its role (leader, follower, or
 * neither while the partition has no leader), the leader-epoch cache of its log, the pure
 * LeaderState while it leads, and the acks=all waits on the high watermark.
 *
 * The leader's high watermark is refreshed lazily from the log (each read of it), so appends
 * need no hook: a batch is covered once the log has it durably and every ISR follower has
 * fetched past it (onFollowerFetch).
 */
import { leaderEpoch as asLeaderEpoch, realScheduler, type Clock, type Scheduler } from '@tributary/common';
import { LeaderState, type PartitionAssignment, type ReplicationConfig } from '@tributary/replication';
import type { LeaderEpochCache, PartitionLog } from '@tributary/storage';
import type { PartitionReplication } from '../state/topic-manager.js';

export type ReplicaRole = 'leader' | 'follower' | 'none';

interface HighWatermarkWaiter {
  readonly endOffset: number;
  readonly resolve: (outcome: 'reached' | 'not-leader') => void;
}

export class ReplicatedPartition implements PartitionReplication {
  role: ReplicaRole = 'none';
  /** The leader epoch this replica last took a role in (-1 before any). */
  leaderEpoch = -1;
  /** The leader this replica follows (when a follower). */
  leaderId = -1;
  /** A follower's high watermark: the leader's, as of the last fetch, capped at this log's end. */
  followerHighWatermark = 0;
  private leader: LeaderState | undefined;
  private waiters: HighWatermarkWaiter[] = [];

  constructor(
    readonly log: () => PartitionLog,
    readonly epochCache: LeaderEpochCache,
    private readonly clock: Clock,
    private readonly config: Partial<ReplicationConfig>,
    private readonly scheduler: Scheduler = realScheduler,
  ) {}

  get leaderState(): LeaderState | undefined {
    return this.leader;
  }

  get highWatermark(): number {
    if (this.leader === undefined) return Math.min(this.followerHighWatermark, this.log().durableEndOffset);
    this.refreshFromLog();
    return this.leader.highWatermark;
  }

  get isrSize(): number {
    return this.leader?.isr.length ?? 0;
  }

  /**
   * Takes leadership at `assignment.leaderEpoch`: records the epoch's start (the log end) in the
   * leader-epoch cache, durably, before any record of the epoch is appended.
   */
  async becomeLeader(assignment: PartitionAssignment): Promise<void> {
    const log = this.log();
    const startHighWatermark = Math.min(this.highWatermark, log.durableEndOffset);
    const assigned = this.epochCache.assign(asLeaderEpoch(assignment.leaderEpoch), log.logEndOffset);
    if (!assigned.ok) throw assigned.error;
    const flushed = await this.epochCache.flush();
    if (!flushed.ok) throw flushed.error;
    this.leader = new LeaderState(
      { assignment, logEndOffset: log.logEndOffset, durableEndOffset: log.durableEndOffset, highWatermark: startHighWatermark, nowMs: this.clock.monotonicMs() },
      this.config,
    );
    this.role = 'leader';
    this.leaderEpoch = assignment.leaderEpoch;
    this.leaderId = assignment.leaderId;
    this.releaseReached();
  }

  /** Follows `assignment.leaderId` (or nobody, with leaderId -1); waits on the old leadership end. */
  becomeFollower(assignment: PartitionAssignment): void {
    const wasLeader = this.leader;
    if (wasLeader !== undefined) this.followerHighWatermark = wasLeader.highWatermark;
    this.leader = undefined;
    this.role = assignment.leaderId < 0 ? 'none' : 'follower';
    this.leaderEpoch = assignment.leaderEpoch;
    this.leaderId = assignment.leaderId;
    this.releaseAll('not-leader');
  }

  /** The controller changed the ISR (or partition epoch) within this leader epoch. Returns true if the HW advanced. */
  onAssignmentChange(assignment: PartitionAssignment): boolean {
    if (this.leader === undefined) return false;
    const advanced = this.leader.onAssignmentChange(assignment, this.clock.monotonicMs());
    if (advanced) this.releaseReached();
    return advanced;
  }

  /** A follower fetched from `fetchOffset`; returns whether the HW advanced and whether the replica is known. */
  onFollowerFetch(replicaId: number, fetchOffset: number): { highWatermarkAdvanced: boolean; known: boolean } {
    if (this.leader === undefined) return { highWatermarkAdvanced: false, known: false };
    this.refreshFromLog();
    const outcome = this.leader.onFollowerFetch(replicaId, fetchOffset, this.clock.monotonicMs());
    if (outcome.highWatermarkAdvanced) this.releaseReached();
    return outcome;
  }

  waitForHighWatermark(endOffset: number, timeoutMs: number): Promise<'reached' | 'timeout' | 'not-leader'> {
    if (this.leader === undefined) return Promise.resolve('not-leader');
    if (this.highWatermark >= endOffset) return Promise.resolve('reached');
    return new Promise((resolve) => {
      const timer = this.scheduler.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve('timeout');
      }, timeoutMs);
      const waiter: HighWatermarkWaiter = {
        endOffset,
        resolve: (outcome) => {
          this.scheduler.clearTimeout(timer);
          resolve(outcome);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Stops: every acks=all wait ends as not-leader. */
  close(): void {
    this.leader = undefined;
    this.role = 'none';
    this.releaseAll('not-leader');
  }

  private refreshFromLog(): void {
    const log = this.log();
    if (this.leader !== undefined && this.leader.onLocalAppend(log.logEndOffset, log.durableEndOffset, this.clock.monotonicMs())) this.releaseReached();
  }

  private releaseReached(): void {
    if (this.waiters.length === 0 || this.leader === undefined) return;
    const hw = this.leader.highWatermark;
    const reached = this.waiters.filter((w) => w.endOffset <= hw);
    if (reached.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.endOffset > hw);
    for (const w of reached) w.resolve('reached');
  }

  private releaseAll(outcome: 'not-leader'): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.resolve(outcome);
  }
}
