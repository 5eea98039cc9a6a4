/**
 * The history of a chaos run: every operation a client or the nemesis performed, with its
 * invocation and completion times (milliseconds since the run started, from performance.now)
 * and its outcome:
 *
 *  - `ok`: it happened (a send was acknowledged at `offset`);
 *  - `fail`: it definitely did not happen (a send the broker rejected before appending);
 *  - `info`: indeterminate (a timeout, a lost connection, a retried send that gave up): it may
 *    or may not have taken effect, and the checker must allow both.
 *
 * Operations are appended when they complete, so `index` orders them by completion.
 */

export type Outcome = 'ok' | 'fail' | 'info';

/** idempotent: kafkajs `idempotent: true` (one per partition); plain: no producer id, so retries may duplicate. */
export type ProducerKind = 'idempotent' | 'plain';

interface OpBase {
  /** Position in the history (completion order), assigned by the recorder. */
  readonly index: number;
  /** Who performed it: `idem-p0`, `plain`, `consumer-1`, `final-reader`, `nemesis`, `run`. */
  readonly process: string;
  readonly invokeMs: number;
  readonly completeMs: number;
  readonly outcome: Outcome;
  /** The error text of a failed or indeterminate operation. */
  readonly error?: string;
}

/** One record produced with acks=all. `value` is unique over the run. */
export interface SendOp extends OpBase {
  readonly kind: 'send';
  readonly topic: string;
  readonly partition: number;
  readonly value: string;
  readonly producer: ProducerKind;
  /** Which producer object of this process sent it (idempotent producers are replaced after a failure). */
  readonly instance: number;
  /** The acknowledged offset (only when ok). */
  readonly offset?: number;
}

export interface ReadRecord {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/** One batch a group consumer was handed. `generation` counts this consumer's group joins (1, 2, ...). */
export interface PollOp extends OpBase {
  readonly kind: 'poll';
  readonly topic: string;
  readonly generation: number;
  readonly records: readonly ReadRecord[];
}

/** A commit of the next offsets to read, after a poll. */
export interface CommitOp extends OpBase {
  readonly kind: 'commit';
  readonly generation: number;
  readonly offsets: ReadonlyArray<{ readonly partition: number; readonly offset: number }>;
}

/** A consumer joined its group: a new generation with these partitions. */
export interface AssignOp extends OpBase {
  readonly kind: 'assign';
  readonly generation: number;
  readonly memberId: string;
  readonly partitions: readonly number[];
}

export interface FinalPartition {
  readonly partition: number;
  /** The high watermark the reader read up to (its last check). */
  readonly highWatermark: number;
  /** Every offset below the high watermark was reached. */
  readonly complete: boolean;
  readonly records: ReadonlyArray<{ readonly offset: number; readonly value: string }>;
}

/** After healing: every partition read from its start to its high watermark by a fresh consumer. */
export interface FinalReadOp extends OpBase {
  readonly kind: 'final-read';
  readonly topic: string;
  readonly partitions: readonly FinalPartition[];
}

/** The nemesis started (`start`) or healed (`stop`) fault `faultId`. */
export interface FaultOp extends OpBase {
  readonly kind: 'fault';
  readonly fault: string;
  readonly faultId: number;
  readonly phase: 'start' | 'stop';
  /** The nodes involved, e.g. ['n2'] or ['n1', 'n3']. */
  readonly targets: readonly string[];
  readonly detail?: string;
}

export type PhaseName = 'workload-start' | 'healed' | 'producers-stopped' | 'consumers-stopped' | 'end' | 'aborted';

/** A marker of the run's progress; `healed` is when every fault had been healed. */
export interface PhaseOp extends OpBase {
  readonly kind: 'phase';
  readonly name: PhaseName;
  readonly detail?: string;
}

export type Op = SendOp | PollOp | CommitOp | AssignOp | FinalReadOp | FaultOp | PhaseOp;
export type OpKind = Op['kind'];

/** An operation before the recorder numbers it. */
export type NewOp = Op extends infer T ? (T extends Op ? Omit<T, 'index'> : never) : never;

export const isSend = (op: Op): op is SendOp => op.kind === 'send';
export const isPoll = (op: Op): op is PollOp => op.kind === 'poll';
export const isFinalRead = (op: Op): op is FinalReadOp => op.kind === 'final-read';
export const isFault = (op: Op): op is FaultOp => op.kind === 'fault';
export const isPhase = (op: Op): op is PhaseOp => op.kind === 'phase';

/** The last marker of a phase, if any. */
export function phaseTime(ops: readonly Op[], name: PhaseName): number | null {
  let at: number | null = null;
  for (const op of ops) if (op.kind === 'phase' && op.name === name) at = op.completeMs;
  return at;
}
