/** What the checker reports about a history. */

export const ANOMALY_KINDS = [
  'lost-write',
  'unseen',
  'duplicate',
  'inconsistent-offsets',
  'aborted-read',
  'poll-skip',
  'nonmonotonic-poll',
  'nonmonotonic-send',
  'unknown-value',
] as const;

export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export const ANOMALY_DESCRIPTIONS: Readonly<Record<AnomalyKind, string>> = {
  'lost-write': 'acknowledged at an offset that later holds another value, or is missing although later offsets exist',
  unseen: 'acknowledged, but not in the final read after healing (the log ends before it)',
  duplicate: 'an idempotent producer\'s value at two offsets',
  'inconsistent-offsets': 'two values at one offset across reads, a value read at another offset than acknowledged, or a polled offset the final log lacks',
  'aborted-read': 'a value read although its send definitely failed',
  'poll-skip': 'one consumer, in one generation, skipped over offsets of a partition that exist',
  'nonmonotonic-poll': 'one consumer, in one generation, read a partition\'s offsets out of order',
  'nonmonotonic-send': 'one idempotent producer\'s acknowledged offsets went backwards',
  'unknown-value': 'a value read that no producer sent',
};

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly partition?: number;
  readonly offset?: number;
  readonly value?: string;
  readonly message: string;
  /** Indexes of the operations involved (in the history). */
  readonly ops: readonly number[];
}

export interface Gap {
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
}

export interface Availability {
  /** The first acknowledged send's completion. */
  readonly firstAckMs: number | null;
  /** When every fault had been healed (the `healed` phase), or the history's end. */
  readonly healedMs: number | null;
  /** The longest window in [firstAckMs, healedMs] without an acknowledged send completing. */
  readonly longestGap: Gap | null;
  readonly firstAckAfterHealMs: number | null;
  /** firstAckAfterHealMs - healedMs. */
  readonly recoveryMs: number | null;
  /** Partitions sent to after healing without one acknowledgement: still unavailable. */
  readonly unrecoveredPartitions: readonly number[];
}

export interface SendCounts {
  readonly ok: number;
  readonly info: number;
  readonly fail: number;
}

export interface CheckStats {
  readonly sends: Readonly<Record<'idempotent' | 'plain', SendCounts>>;
  readonly polls: number;
  readonly polledRecords: number;
  readonly commits: number;
  readonly generations: number;
  readonly finalRecords: number;
  /** Values of the plain producer found at more than one offset (retries; allowed). */
  readonly allowedDuplicates: number;
  /** Indeterminate sends that nevertheless appear in the log. */
  readonly infoSendsSeen: number;
  /** Acknowledged sends the final read did not get far enough to judge. */
  readonly unverified: number;
  readonly faults: number;
}

export type Verdict = 'VALID' | 'INVALID' | 'INCOMPLETE';

export interface CheckResult {
  /** INVALID iff any anomaly; INCOMPLETE when there is none but the history could not be fully checked. */
  readonly verdict: Verdict;
  readonly anomalyCounts: Readonly<Record<AnomalyKind, number>>;
  /** At most `maxAnomaliesPerKind` of each kind (the counts are complete). */
  readonly anomalies: readonly Anomaly[];
  readonly incompleteReasons: readonly string[];
  readonly availability: Availability;
  readonly stats: CheckStats;
}

export interface CheckOptions {
  readonly maxAnomaliesPerKind?: number;
  /** Reasons from outside the history (a watchdog abort, a truncated recorder) that make it incomplete. */
  readonly incompleteReasons?: readonly string[];
}
