/**
 * Availability from a history: the longest window without an acknowledged acks=all send, from
 * the first acknowledgement to the moment every fault was healed, and how long after healing the
 * first acknowledgement came.
 */
import type { Availability, Gap } from './checker-types.js';
import { phaseTime, type Op } from './history.js';

/** Completion times of the acknowledged sends, ascending. */
export function ackTimes(ops: readonly Op[]): number[] {
  const times: number[] = [];
  for (const op of ops) if (op.kind === 'send' && op.outcome === 'ok') times.push(op.completeMs);
  return times.sort((a, b) => a - b);
}

/** The longest gap between consecutive points of `times` up to `end`, with `end` itself the last point. */
export function longestGap(times: readonly number[], end: number): Gap | null {
  if (times.length === 0 || times[0] > end) return null;
  let best: Gap | null = null;
  let previous = times[0];
  const consider = (next: number): void => {
    const durationMs = Math.round((next - previous) * 10) / 10;
    if (best === null || durationMs > best.durationMs) best = { startMs: previous, endMs: next, durationMs };
  };
  for (let i = 1; i < times.length && times[i] <= end; i++) {
    consider(times[i]);
    previous = times[i];
  }
  consider(end);
  return best;
}

/** Acknowledgements completing in [startMs, endMs] and the longest stretch of it without one. */
export function windowStats(sortedAckTimes: readonly number[], startMs: number, endMs: number): { readonly acks: number; readonly longestGapMs: number } {
  let acks = 0;
  let previous = startMs;
  let longestGapMs = 0;
  for (const t of sortedAckTimes) {
    if (t < startMs) continue;
    if (t > endMs) break;
    acks++;
    longestGapMs = Math.max(longestGapMs, t - previous);
    previous = t;
  }
  longestGapMs = Math.max(longestGapMs, endMs - previous);
  return { acks, longestGapMs: Math.round(longestGapMs * 10) / 10 };
}

/** Partitions sent to after `healedMs` without any of those sends being acknowledged. */
export function unrecoveredPartitions(ops: readonly Op[], healedMs: number): number[] {
  const tried = new Set<number>();
  const acked = new Set<number>();
  for (const op of ops) {
    if (op.kind !== 'send' || op.invokeMs < healedMs) continue;
    tried.add(op.partition);
    if (op.outcome === 'ok') acked.add(op.partition);
  }
  return [...tried].filter((p) => !acked.has(p)).sort((a, b) => a - b);
}

export function availability(ops: readonly Op[]): Availability {
  const times = ackTimes(ops);
  const lastOpMs = ops.reduce((max, op) => Math.max(max, op.completeMs), 0);
  const healedMs = phaseTime(ops, 'healed') ?? (ops.length === 0 ? null : lastOpMs);
  const firstAckMs = times.length > 0 ? times[0] : null;
  const gap = healedMs === null ? null : longestGap(times, healedMs);
  const after = healedMs === null ? undefined : times.find((t) => t > healedMs);
  const firstAckAfterHealMs = after ?? null;
  const recoveryMs = firstAckAfterHealMs === null || healedMs === null ? null : Math.round((firstAckAfterHealMs - healedMs) * 10) / 10;
  const unrecovered = healedMs === null ? [] : unrecoveredPartitions(ops, healedMs);
  return { firstAckMs, healedMs, longestGap: gap, firstAckAfterHealMs, recoveryMs, unrecoveredPartitions: unrecovered };
}
