/**
 * Builds histories by hand, for the checker's and the report's tests. Times advance by 10 ms per
 * operation unless given.
 */
import type { FinalPartition, NewOp, Op, Outcome, PhaseName, ProducerKind } from './history.js';

export interface SendSpec {
  readonly value: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly outcome?: Outcome;
  readonly producer?: ProducerKind;
  readonly process?: string;
  readonly at?: number;
  readonly latencyMs?: number;
  readonly error?: string;
}

export interface FinalSpec {
  readonly partition: number;
  /** Records as [offset, value]. */
  readonly records: ReadonlyArray<readonly [number, string]>;
  /** Default: one past the highest offset (0 when empty). */
  readonly highWatermark?: number;
  readonly complete?: boolean;
}

export class HistoryBuilder {
  readonly ops: Op[] = [];
  #t = 0;

  #time(at: number | undefined): number {
    this.#t = at ?? this.#t + 10;
    return this.#t;
  }

  add(op: NewOp): this {
    this.ops.push({ ...op, index: this.ops.length } as Op);
    return this;
  }

  send(spec: SendSpec): this {
    const completeMs = this.#time(spec.at);
    const outcome = spec.outcome ?? 'ok';
    const producer = spec.producer ?? 'idempotent';
    const partition = spec.partition ?? 0;
    return this.add({
      kind: 'send',
      process: spec.process ?? (producer === 'idempotent' ? `idem-p${partition}` : 'plain'),
      topic: 't',
      partition,
      value: spec.value,
      producer,
      instance: 1,
      invokeMs: completeMs - (spec.latencyMs ?? 5),
      completeMs,
      outcome,
      ...(outcome === 'ok' ? { offset: spec.offset ?? 0 } : {}),
      ...(spec.error === undefined ? {} : { error: spec.error }),
    });
  }

  /** A poll of [partition, offset, value] records. */
  poll(records: ReadonlyArray<readonly [number, number, string]>, options: { readonly process?: string; readonly generation?: number; readonly at?: number } = {}): this {
    const at = this.#time(options.at);
    return this.add({
      kind: 'poll',
      process: options.process ?? 'consumer-1',
      topic: 't',
      generation: options.generation ?? 1,
      records: records.map(([partition, offset, value]) => ({ partition, offset, value })),
      invokeMs: at,
      completeMs: at,
      outcome: 'ok',
    });
  }

  final(partitions: readonly FinalSpec[], at?: number): this {
    const completeMs = this.#time(at);
    const parts: FinalPartition[] = partitions.map((p) => ({
      partition: p.partition,
      highWatermark: p.highWatermark ?? (p.records.length === 0 ? 0 : Math.max(...p.records.map(([o]) => o)) + 1),
      complete: p.complete ?? true,
      records: p.records.map(([offset, value]) => ({ offset, value })),
    }));
    return this.add({ kind: 'final-read', process: 'final-reader', topic: 't', partitions: parts, invokeMs: completeMs - 1, completeMs, outcome: 'ok' });
  }

  phase(name: PhaseName, at?: number): this {
    const t = this.#time(at);
    return this.add({ kind: 'phase', process: 'run', name, invokeMs: t, completeMs: t, outcome: 'ok' });
  }

  fault(fault: string, faultId: number, phase: 'start' | 'stop', targets: readonly string[], at?: number): this {
    const t = this.#time(at);
    return this.add({ kind: 'fault', process: 'nemesis', fault, faultId, phase, targets, invokeMs: t, completeMs: t, outcome: 'ok' });
  }
}
