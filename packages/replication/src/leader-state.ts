/**
 * The leader's side of partition replication, after Kafka's Partition: it tracks each follower's
 * progress from its fetches, derives the high watermark from the ISR, and proposes ISR changes
 * that only take effect once the controller commits them (AlterPartition, KIP-497/841).
 *
 * The HW is computed over the "maximal ISR" so it stays safe whichever way a proposal ends:
 * during a pending expansion the joining replica must already hold the HW (it could be elected
 * as soon as the controller commits), and during a pending shrink the leaving one still counts.
 */
import { invariant } from '@tributary/common';
import { defaultReplicationConfig } from './types.js';
import type { IsrChangeRequest, IsrChangeResult, PartitionAssignment, ReplicaState, ReplicationConfig } from './types.js';

export interface LeaderStateInit {
  /** Its leaderId is this broker. */
  readonly assignment: PartitionAssignment;
  /** The leader's log end offset. */
  readonly logEndOffset: number;
  /** The leader's fsynced end (≤ logEndOffset). */
  readonly durableEndOffset: number;
  /** The starting HW (e.g. the HW it had as a follower); clamped to [0, durableEndOffset]. */
  readonly highWatermark: number;
  readonly nowMs: number;
}

export interface FollowerFetchOutcome {
  readonly highWatermarkAdvanced: boolean;
  /** False for a replica not in the assignment: the caller answers an error. */
  readonly known: boolean;
}

interface FollowerProgress {
  /** It holds [0, fetchOffset) durably; null until its first fetch from this leader. */
  fetchOffset: number | null;
  lastCaughtUpMs: number;
  /** When it fetched last, and the leader's log end then: a fetch reaching that end proves it was caught up then. */
  lastFetchMs: number | null;
  leaderLogEndAtLastFetch: number;
}

const NEVER = Number.NEGATIVE_INFINITY;

export class LeaderState {
  private readonly config: ReplicationConfig;
  private readonly leaderId: number;
  private readonly epoch: number;
  /** The log end when this leader epoch began: a follower below it may still hold divergent records. */
  private readonly epochStart: number;
  private committedPartitionEpoch: number;
  private replicas: readonly number[];
  private committedIsr: readonly number[];
  private pending: IsrChangeRequest | null = null;
  /** in-flight: sent, not answered; unknown: to be resent as is; stale: waiting for newer metadata. */
  private pendingStatus: 'in-flight' | 'unknown' | 'stale' = 'in-flight';
  private logEnd: number;
  private durableEnd: number;
  private hw: number;
  private readonly followers = new Map<number, FollowerProgress>();
  private latestNowMs: number;

  constructor(init: LeaderStateInit, config: Partial<ReplicationConfig> = {}) {
    this.config = { ...defaultReplicationConfig, ...config };
    invariant(this.config.replicaLagTimeMaxMs > 0, () => `replicaLagTimeMaxMs must be positive, got ${this.config.replicaLagTimeMaxMs}`);
    const { assignment, logEndOffset, durableEndOffset, highWatermark, nowMs } = init;
    checkOffsets(logEndOffset, durableEndOffset);
    checkAssignment(assignment);
    this.leaderId = assignment.leaderId;
    this.epoch = assignment.leaderEpoch;
    this.committedPartitionEpoch = assignment.partitionEpoch;
    this.replicas = [...assignment.replicas];
    this.committedIsr = [...assignment.isr];
    this.logEnd = logEndOffset;
    this.durableEnd = durableEndOffset;
    this.epochStart = logEndOffset;
    this.hw = Math.min(Math.max(highWatermark, 0), durableEndOffset);
    this.latestNowMs = nowMs;
    for (const id of this.replicas) {
      // ISR members have not fetched from this leader yet: give them the lag time to start (as Kafka does).
      if (id !== this.leaderId) this.followers.set(id, newFollower(this.committedIsr.includes(id) ? nowMs : NEVER));
    }
    // An ISR of the leader alone lets the HW reach its durable end at once (Kafka's makeLeader does the same).
    this.maybeAdvanceHighWatermark();
  }

  get highWatermark(): number {
    return this.hw;
  }

  get leaderEpoch(): number {
    return this.epoch;
  }

  get partitionEpoch(): number {
    return this.committedPartitionEpoch;
  }

  /** The log end at the start of this leader epoch; a joining follower must have reached it. */
  get epochStartOffset(): number {
    return this.epochStart;
  }

  get logEndOffset(): number {
    return this.logEnd;
  }

  get durableEndOffset(): number {
    return this.durableEnd;
  }

  /** The ISR as last committed by the controller. */
  get isr(): readonly number[] {
    return this.committedIsr;
  }

  /** The ISR change sent to the controller and not yet answered, if any. */
  get pendingIsrChange(): IsrChangeRequest | null {
    return this.pending;
  }

  /**
   * The ISR the HW is computed over: the committed ISR plus members a pending change adds; during
   * a pending shrink the old, larger ISR (Kafka's "maximal ISR", KIP-497/841).
   */
  get maximalIsr(): readonly number[] {
    if (this.pending === null) return this.committedIsr;
    const joining = this.pending.newIsr.filter((id) => !this.committedIsr.includes(id) && this.followers.has(id));
    return joining.length === 0 ? this.committedIsr : [...this.committedIsr, ...joining];
  }

  /** The leader's own log grew or became more durable. Returns true if the HW advanced. */
  onLocalAppend(logEndOffset: number, durableEndOffset: number, nowMs: number): boolean {
    checkOffsets(logEndOffset, durableEndOffset);
    invariant(logEndOffset >= this.logEnd, () => `the leader's log end went back from ${this.logEnd} to ${logEndOffset}`);
    invariant(durableEndOffset >= this.durableEnd, () => `the leader's durable end went back from ${this.durableEnd} to ${durableEndOffset}`);
    this.observeTime(nowMs);
    this.logEnd = logEndOffset;
    this.durableEnd = durableEndOffset;
    return this.maybeAdvanceHighWatermark();
  }

  /**
   * A follower's fetch: it holds [0, fetchOffset) durably (followers fsync before fetching on).
   * It counts as caught up now if it reached the leader's current log end, or as of its previous
   * fetch if it reached the log end the leader had then (a follower that keeps up with a busy
   * leader is always one fetch behind). A fetchOffset outside [0, log end] records nothing: the
   * caller answers OFFSET_OUT_OF_RANGE and the follower truncates first.
   */
  onFollowerFetch(replicaId: number, fetchOffset: number, nowMs: number): FollowerFetchOutcome {
    const follower = this.followers.get(replicaId);
    if (follower === undefined) return { highWatermarkAdvanced: false, known: false };
    this.observeTime(nowMs);
    if (!Number.isSafeInteger(fetchOffset) || fetchOffset < 0 || fetchOffset > this.logEnd) {
      return { highWatermarkAdvanced: false, known: true };
    }
    if (fetchOffset >= this.logEnd) {
      follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, nowMs);
    } else if (follower.lastFetchMs !== null && fetchOffset >= follower.leaderLogEndAtLastFetch) {
      follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, follower.lastFetchMs);
    }
    follower.fetchOffset = fetchOffset;
    follower.lastFetchMs = nowMs;
    follower.leaderLogEndAtLastFetch = this.logEnd;
    return { highWatermarkAdvanced: this.maybeAdvanceHighWatermark(), known: true };
  }

  /**
   * The ISR change to send to the controller now, or null. At most one is in flight: after a
   * request, null until onIsrChangeResult. Shrinking comes first, since a lagging member holds
   * the HW back; an expansion adds every replica eligible to join. The leader is never removed.
   */
  isrChangeToSend(nowMs: number): IsrChangeRequest | null {
    if (this.pending !== null) {
      // An unanswered change may have been committed: the same change again, never a different one.
      if (this.pendingStatus !== 'unknown') return null;
      this.pendingStatus = 'in-flight';
      return this.pending;
    }
    this.observeTime(nowMs);
    const lagging = this.committedIsr.filter((id) => id !== this.leaderId && !this.isCaughtUp(id, nowMs));
    let newIsr: readonly number[];
    if (lagging.length > 0) {
      newIsr = this.committedIsr.filter((id) => !lagging.includes(id));
    } else {
      const joining = this.replicas.filter((id) => !this.committedIsr.includes(id) && this.mayJoinIsr(id));
      if (joining.length === 0) return null;
      newIsr = [...this.committedIsr, ...joining];
    }
    this.pending = { leaderEpoch: this.epoch, partitionEpoch: this.committedPartitionEpoch, newIsr };
    this.pendingStatus = 'in-flight';
    return this.pending;
  }

  /**
   * The controller's answer to the change in flight: accepted (the newly committed fields) or
   * refused (isrChangeToSend proposes again; on a fenced or stale epoch the caller replaces this
   * LeaderState from new metadata). An acceptance older than metadata already adopted, or for
   * another leader epoch, is ignored. Returns true if the HW advanced: the maximal ISR may shrink.
   */
  onIsrChangeResult(result: IsrChangeResult, nowMs: number): boolean {
    this.observeTime(nowMs);
    // Newer metadata already settled the change (onAssignmentChange dropped it): nothing to learn.
    if (this.pending === null) return this.maybeAdvanceHighWatermark();
    if (result.ok) {
      this.pending = null;
      if (result.leaderEpoch === this.epoch && result.partitionEpoch > this.committedPartitionEpoch) this.adoptIsr(result.isr, result.partitionEpoch);
    } else if (result.outcome === 'refused') {
      this.pending = null;
    } else {
      // Not known to have failed: it keeps counting in the maximal ISR (so the HW cannot pass a
      // member the controller may have admitted) until a resend or newer metadata settles it.
      this.pendingStatus = result.outcome;
    }
    return this.maybeAdvanceHighWatermark();
  }

  /**
   * Metadata for this partition changed within the same leader epoch (e.g. the controller removed
   * a fenced broker from the ISR, or a reassignment changed the replicas): adopt it unless it is
   * older than what this leader holds. A change in flight stays in flight; its answer will be
   * stale and ignored, and until then it still counts in the maximal ISR, which is only safer.
   * Returns true if the HW advanced (a smaller ISR may let it advance).
   */
  onAssignmentChange(assignment: PartitionAssignment, nowMs: number): boolean {
    invariant(
      assignment.leaderId === this.leaderId && assignment.leaderEpoch === this.epoch,
      () => `a new leader or leader epoch (${assignment.leaderId}@${assignment.leaderEpoch}) needs a new LeaderState, not ${this.leaderId}@${this.epoch}`,
    );
    checkAssignment(assignment);
    this.observeTime(nowMs);
    if (assignment.partitionEpoch <= this.committedPartitionEpoch) return false;
    for (const id of [...this.followers.keys()]) {
      if (!assignment.replicas.includes(id)) this.followers.delete(id);
    }
    for (const id of assignment.replicas) {
      if (id !== this.leaderId && !this.followers.has(id)) {
        this.followers.set(id, newFollower(assignment.isr.includes(id) ? nowMs : NEVER));
      }
    }
    this.replicas = [...assignment.replicas];
    this.adoptIsr(assignment.isr, assignment.partitionEpoch);
    // A change made against an older partition epoch can no longer commit; the metadata says what did.
    if (this.pending !== null && this.pending.partitionEpoch < assignment.partitionEpoch) this.pending = null;
    return this.maybeAdvanceHighWatermark();
  }

  /** Each replica's progress, the leader included, in assignment order. */
  replicaStates(): ReadonlyArray<ReplicaState> {
    return this.replicas.map((replicaId) => {
      const inIsr = this.committedIsr.includes(replicaId);
      if (replicaId === this.leaderId) {
        return { replicaId, fetchOffset: this.logEnd, lag: 0, lastCaughtUpMs: this.latestNowMs, inIsr };
      }
      const follower = this.follower(replicaId);
      const fetchOffset = follower.fetchOffset ?? 0;
      return { replicaId, fetchOffset, lag: Math.max(0, this.logEnd - fetchOffset), lastCaughtUpMs: follower.lastCaughtUpMs, inIsr };
    });
  }

  /** acks=all may append only when the committed ISR has at least this many members (as Kafka checks). */
  hasMinIsr(minInsyncReplicas: number): boolean {
    return this.committedIsr.length >= minInsyncReplicas;
  }

  /** HW = min over the maximal ISR of what each member holds durably; it never goes back. */
  private maybeAdvanceHighWatermark(): boolean {
    let candidate = this.durableEnd;
    for (const id of this.maximalIsr) {
      if (id !== this.leaderId) candidate = Math.min(candidate, this.follower(id).fetchOffset ?? 0);
    }
    if (candidate <= this.hw) return false;
    this.hw = candidate;
    return true;
  }

  /** Kafka's isCaughtUp: at the leader's log end, or caught up within the lag time. */
  private isCaughtUp(replicaId: number, nowMs: number): boolean {
    const follower = this.follower(replicaId);
    if (follower.fetchOffset !== null && follower.fetchOffset >= this.logEnd) return true;
    return nowMs - follower.lastCaughtUpMs <= this.config.replicaLagTimeMaxMs;
  }

  /**
   * Holding the HW makes a replica safe to elect, but below the epoch start it may still hold
   * records of an older epoch that this leader does not have (KIP-101).
   */
  private mayJoinIsr(replicaId: number): boolean {
    const { fetchOffset } = this.follower(replicaId);
    return fetchOffset !== null && fetchOffset >= this.hw && fetchOffset >= this.epochStart;
  }

  private adoptIsr(isr: readonly number[], partitionEpoch: number): void {
    invariant(isr.includes(this.leaderId), () => `the controller committed an ISR [${isr.join(', ')}] without its leader ${this.leaderId}`);
    invariant(isr.every((id) => this.replicas.includes(id)), () => `ISR [${isr.join(', ')}] is not within replicas [${this.replicas.join(', ')}]`);
    this.committedIsr = [...isr];
    this.committedPartitionEpoch = partitionEpoch;
  }

  private follower(replicaId: number): FollowerProgress {
    const follower = this.followers.get(replicaId);
    invariant(follower !== undefined, () => `replica ${replicaId} is not a follower of this partition`);
    return follower;
  }

  private observeTime(nowMs: number): void {
    this.latestNowMs = Math.max(this.latestNowMs, nowMs);
  }
}

function newFollower(lastCaughtUpMs: number): FollowerProgress {
  return { fetchOffset: null, lastCaughtUpMs, lastFetchMs: null, leaderLogEndAtLastFetch: 0 };
}

function checkOffsets(logEndOffset: number, durableEndOffset: number): void {
  invariant(
    Number.isSafeInteger(durableEndOffset) && durableEndOffset >= 0 && durableEndOffset <= logEndOffset && Number.isSafeInteger(logEndOffset),
    () => `need 0 <= durableEndOffset (${durableEndOffset}) <= logEndOffset (${logEndOffset})`,
  );
}

function checkAssignment(assignment: PartitionAssignment): void {
  const { leaderId, replicas, isr } = assignment;
  invariant(replicas.includes(leaderId) && isr.includes(leaderId), () => `leader ${leaderId} must be in replicas [${replicas.join(', ')}] and ISR [${isr.join(', ')}]`);
  invariant(isr.every((id) => replicas.includes(id)), () => `ISR [${isr.join(', ')}] is not within replicas [${replicas.join(', ')}]`);
  invariant(new Set(replicas).size === replicas.length && new Set(isr).size === isr.length, () => `replicas [${replicas.join(', ')}] or ISR [${isr.join(', ')}] repeat a broker`);
}
