/**
 * The indexes the checker works from: sends by value, every read (polls and the final read) by
 * value and by partition offset, and the final read per partition.
 */
import type { Anomaly, AnomalyKind } from './checker-types.js';
import type { FinalReadOp, Op, PollOp, SendOp } from './history.js';

export interface ReadAt {
  readonly partition: number;
  readonly offset: number;
  /** The reading operation's index. */
  readonly op: number;
  readonly final: boolean;
}

export interface FinalView {
  readonly partition: number;
  readonly highWatermark: number;
  readonly complete: boolean;
  /** The highest offset read, -1 when none. */
  readonly maxOffset: number;
  readonly valuesAt: ReadonlyMap<number, ReadonlySet<string>>;
  readonly op: number;
}

export interface HistoryIndex {
  readonly sends: readonly SendOp[];
  readonly sendsByValue: ReadonlyMap<string, SendOp>;
  readonly readsByValue: ReadonlyMap<string, readonly ReadAt[]>;
  /** `partition:offset` → value → indexes of the operations that read it there. */
  readonly readsByOffset: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;
  readonly polls: readonly PollOp[];
  readonly finalOp: FinalReadOp | null;
  readonly finals: ReadonlyMap<number, FinalView>;
  /** Per partition, every offset some read showed, ascending. */
  readonly knownOffsets: ReadonlyMap<number, readonly number[]>;
}

export const offsetKey = (partition: number, offset: number): string => `${partition}:${offset}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

class ReadIndexBuilder {
  readonly byValue = new Map<string, ReadAt[]>();
  readonly byOffset = new Map<string, Map<string, number[]>>();
  readonly known = new Map<number, Set<number>>();

  add(partition: number, offset: number, value: string, op: number, final: boolean): void {
    push(this.byValue, value, { partition, offset, op, final });
    const key = offsetKey(partition, offset);
    let values = this.byOffset.get(key);
    if (values === undefined) this.byOffset.set(key, (values = new Map()));
    const ops = values.get(value);
    if (ops === undefined) values.set(value, [op]);
    else if (ops[ops.length - 1] !== op) ops.push(op);
    let offsets = this.known.get(partition);
    if (offsets === undefined) this.known.set(partition, (offsets = new Set()));
    offsets.add(offset);
  }
}

function finalView(op: FinalReadOp, part: FinalReadOp['partitions'][number]): FinalView {
  const valuesAt = new Map<number, Set<string>>();
  let maxOffset = -1;
  for (const record of part.records) {
    let set = valuesAt.get(record.offset);
    if (set === undefined) valuesAt.set(record.offset, (set = new Set()));
    set.add(record.value);
    maxOffset = Math.max(maxOffset, record.offset);
  }
  return { partition: part.partition, highWatermark: part.highWatermark, complete: part.complete, maxOffset, valuesAt, op: op.index };
}

export function buildIndex(ops: readonly Op[]): HistoryIndex {
  const sends: SendOp[] = [];
  const sendsByValue = new Map<string, SendOp>();
  const polls: PollOp[] = [];
  const reads = new ReadIndexBuilder();
  let finalOp: FinalReadOp | null = null;
  for (const op of ops) {
    if (op.kind === 'send') {
      sends.push(op);
      sendsByValue.set(op.value, op);
    } else if (op.kind === 'poll') {
      polls.push(op);
      for (const r of op.records) reads.add(r.partition, r.offset, r.value, op.index, false);
    } else if (op.kind === 'final-read') {
      finalOp = op;
    }
  }
  const finals = new Map<number, FinalView>();
  if (finalOp !== null) {
    for (const part of finalOp.partitions) {
      finals.set(part.partition, finalView(finalOp, part));
      for (const r of part.records) reads.add(part.partition, r.offset, r.value, finalOp.index, true);
    }
  }
  const knownOffsets = new Map<number, number[]>();
  for (const [partition, set] of reads.known) knownOffsets.set(partition, [...set].sort((a, b) => a - b));
  return { sends, sendsByValue, readsByValue: reads.byValue, readsByOffset: reads.byOffset, polls, finalOp, finals, knownOffsets };
}

/** Whether some offset in (after, before) exists in `sorted` (ascending). */
export function existsBetween(sorted: readonly number[], after: number, before: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] < before;
}

/** Counts every anomaly and keeps the first `limit` of each kind. */
export class AnomalySink {
  readonly counts = new Map<AnomalyKind, number>();
  readonly kept: Anomaly[] = [];

  constructor(private readonly limit: number) {}

  add(anomaly: Anomaly): void {
    const count = (this.counts.get(anomaly.kind) ?? 0) + 1;
    this.counts.set(anomaly.kind, count);
    if (count <= this.limit) this.kept.push({ ...anomaly, ops: [...new Set(anomaly.ops)].sort((a, b) => a - b) });
  }
}
