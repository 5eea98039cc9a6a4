/**
 * Appends operations to the history (numbering them in completion order) and writes it as
 * JSON lines. The history is bounded: past `maxOps` further operations are dropped and the
 * recorder says so (`truncated`), which makes the run's verdict incomplete.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { NewOp, Op, PhaseName } from './history.js';

export const DEFAULT_MAX_OPS = 5_000_000;

export class Recorder {
  readonly #ops: Op[] = [];
  readonly #origin: number;
  readonly #maxOps: number;
  #dropped = 0;
  #lastAckMs = -1;
  readonly #lastAckByPartition = new Map<number, number>();

  constructor(options: { readonly origin?: number; readonly maxOps?: number } = {}) {
    this.#origin = options.origin ?? performance.now();
    this.#maxOps = options.maxOps ?? DEFAULT_MAX_OPS;
  }

  /** Milliseconds since the run started (rounded to 0.1 ms). */
  now(): number {
    return Math.round((performance.now() - this.#origin) * 10) / 10;
  }

  record(op: NewOp): void {
    if (this.#ops.length >= this.#maxOps) {
      this.#dropped++;
      return;
    }
    const numbered = { ...op, index: this.#ops.length } as Op;
    this.#ops.push(numbered);
    if (numbered.kind === 'send' && numbered.outcome === 'ok') {
      this.#lastAckMs = Math.max(this.#lastAckMs, numbered.completeMs);
      this.#lastAckByPartition.set(numbered.partition, Math.max(this.#lastAckByPartition.get(numbered.partition) ?? -1, numbered.completeMs));
    }
  }

  phase(name: PhaseName, detail?: string): number {
    const at = this.now();
    this.record({ kind: 'phase', process: 'run', name, invokeMs: at, completeMs: at, outcome: 'ok', ...(detail === undefined ? {} : { detail }) });
    return at;
  }

  get ops(): readonly Op[] {
    return this.#ops;
  }

  /** Completion time of the latest acknowledged send, or -1. */
  get lastAckMs(): number {
    return this.#lastAckMs;
  }

  /** Completion time of the latest acknowledged send to `partition`, or -1. */
  lastAckMsOf(partition: number): number {
    return this.#lastAckByPartition.get(partition) ?? -1;
  }

  get truncated(): boolean {
    return this.#dropped > 0;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Writes the history, one operation per line (synchronous: usable from a watchdog or signal handler). */
  writeJsonl(path: string): void {
    writeHistory(path, this.#ops);
  }
}

export function writeHistory(path: string, ops: readonly Op[]): void {
  const fd = openSync(path, 'w');
  try {
    const chunk: string[] = [];
    for (const op of ops) {
      chunk.push(JSON.stringify(op));
      if (chunk.length === 2000) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk.length = 0;
      }
    }
    if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}

/** Parses a history written by `writeHistory`. */
export function parseHistory(text: string): Op[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Op);
}
