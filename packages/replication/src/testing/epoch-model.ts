/**
 * A model log for the truncation tests: one leader epoch per offset, and an endOffsetFor with the
 * semantics of storage's LeaderEpochCache (and so of an OffsetsForLeaderEpoch answer).
 */
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEndOffset } from '../truncation.js';

export interface EpochEntry {
  readonly epoch: number;
  readonly start: number;
}

export interface ModelLog {
  /** epochs[i] is the leader epoch of the record at offset i. */
  readonly epochs: readonly number[];
  /** The epoch cache: where each epoch starts. */
  readonly entries: readonly EpochEntry[];
}

/** A log of these records; `currentEpoch` is a leader's epoch, cached from its log end even before it writes. */
export function modelLog(epochs: readonly number[], currentEpoch?: number): ModelLog {
  const entries: EpochEntry[] = [];
  epochs.forEach((epoch, offset) => {
    if (entries.at(-1)?.epoch !== epoch) entries.push({ epoch, start: offset });
  });
  if (currentEpoch !== undefined && entries.at(-1)?.epoch !== currentEpoch) entries.push({ epoch: currentEpoch, start: epochs.length });
  return { epochs, entries };
}

/** The largest epoch <= requested and where it ends, as LeaderEpochCache.endOffsetFor answers. */
export function endOffsetFor(log: ModelLog, requested: number): EpochEndOffset {
  const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
  const latest = log.entries.at(-1);
  if (requested === UNDEFINED_EPOCH || latest === undefined) return undefinedAnswer;
  if (latest.epoch === requested) return { epoch: requested, endOffset: log.epochs.length };
  const higher = log.entries.find((e) => e.epoch > requested);
  if (higher === undefined) return undefinedAnswer;
  const floor = log.entries.filter((e) => e.epoch <= requested).at(-1);
  return { epoch: floor?.epoch ?? requested, endOffset: higher.start };
}

export function latestEpoch(log: ModelLog): number {
  return log.entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
}

/** Runs of `count` records of `epoch`, concatenated: `records([1, 3], [2, 1])` is [1, 1, 1, 2]. */
export function records(...runs: ReadonlyArray<readonly [epoch: number, count: number]>): number[] {
  return runs.flatMap(([epoch, count]) => Array.from({ length: count }, () => epoch));
}
