export interface ReplicationConfig {
  /** A follower in the ISR that has not caught up for this long is removed (Kafka's replica.lag.time.max.ms). */
  readonly replicaLagTimeMaxMs: number;
}

export const defaultReplicationConfig: ReplicationConfig = Object.freeze({
  replicaLagTimeMaxMs: 10_000,
});

/** A partition's replication fields as the controller last committed them. */
export interface PartitionAssignment {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  /** Bumped by the controller on every ISR or replica-set change; fences stale AlterPartition requests. */
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** What the leader asks the controller (AlterPartition). */
export interface IsrChangeRequest {
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

/** The controller's answer to an IsrChangeRequest. */
export type IsrChangeResult =
  | { readonly ok: true; readonly isr: readonly number[]; readonly partitionEpoch: number; readonly leaderEpoch: number }
  /**
   * refused: the controller rejected this change and committed nothing (e.g. a member not
   * eligible); stale: the controller's partition or leader epoch moved on, so newer metadata
   * settles what happened; unknown: no answer (a timeout or a lost reply), so the change may have
   * been committed and stays in the maximal ISR until a resend or newer metadata settles it.
   */
  | { readonly ok: false; readonly outcome: 'refused' | 'stale' | 'unknown' };

/** One replica's progress as the leader sees it, for metrics and `cluster status`. */
export interface ReplicaState {
  readonly replicaId: number;
  /** The offset it holds durably up to (the leader: its log end). 0 until its first fetch. */
  readonly fetchOffset: number;
  /** How far its fetchOffset is behind the leader's log end. */
  readonly lag: number;
  /** When it was last caught up to the leader's log end; -Infinity if never under this leader. */
  readonly lastCaughtUpMs: number;
  readonly inIsr: boolean;
}
