/**
 * The checker: a pure function from a history to a verdict, in the manner of Jepsen's Kafka
 * test. The final read after healing is the authority on what the log holds; polls add what the
 * consumers saw along the way. Allowed, and not reported: unacknowledged records truncated away;
 * indeterminate sends that did or did not land; the plain (non-idempotent) producer's retries
 * landing twice; consumers re-reading from the last commit after a rebalance (each join starts a
 * new generation, and order is only checked within one).
 */
import { availability } from './availability.js';
import { AnomalySink, buildIndex, type HistoryIndex } from './checker-index.js';
import { checkAcknowledged, checkOffsetValues, checkPolls, checkReadValues, checkSendOrder } from './checker-rules.js';
import { ANOMALY_KINDS, type AnomalyKind, type Availability, type CheckOptions, type CheckResult, type CheckStats, type SendCounts } from './checker-types.js';
import type { Op } from './history.js';

export * from './checker-types.js';

const DEFAULT_MAX_ANOMALIES_PER_KIND = 200;

function sendCounts(index: HistoryIndex, kind: 'idempotent' | 'plain'): SendCounts {
  const counts = { ok: 0, info: 0, fail: 0 };
  for (const send of index.sends) if (send.producer === kind) counts[send.outcome]++;
  return counts;
}

function incompleteReasons(ops: readonly Op[], index: HistoryIndex, unverified: number, avail: Availability): string[] {
  const reasons: string[] = [];
  for (const op of ops) if (op.kind === 'phase' && op.name === 'aborted') reasons.push(`the run was aborted: ${op.detail ?? 'no detail'}`);
  if (index.finalOp === null) reasons.push('no final read');
  for (const part of index.finalOp?.partitions ?? []) {
    if (!part.complete) reasons.push(`the final read of partition ${part.partition} stopped before its high watermark ${part.highWatermark}`);
  }
  if (unverified > 0) reasons.push(`${unverified} acknowledged sends could not be checked against the final read`);
  if (avail.firstAckMs === null) reasons.push('no send was ever acknowledged');
  else if (avail.firstAckAfterHealMs === null) reasons.push('no send was acknowledged after healing');
  else if (avail.unrecoveredPartitions.length > 0) reasons.push(`no send to partition ${avail.unrecoveredPartitions.join(', ')} was acknowledged after healing`);
  return reasons;
}

export function check(ops: readonly Op[], options: CheckOptions = {}): CheckResult {
  const index = buildIndex(ops);
  const sink = new AnomalySink(options.maxAnomaliesPerKind ?? DEFAULT_MAX_ANOMALIES_PER_KIND);
  const unverified = checkAcknowledged(index, sink);
  const readCounts = checkReadValues(index, sink);
  checkOffsetValues(index, sink);
  checkSendOrder(index, sink);
  checkPolls(index, sink);
  const avail = availability(ops);
  const anomalyCounts = Object.fromEntries(ANOMALY_KINDS.map((kind) => [kind, sink.counts.get(kind) ?? 0])) as Record<AnomalyKind, number>;
  const total = ANOMALY_KINDS.reduce((sum, kind) => sum + anomalyCounts[kind], 0);
  const reasons = [...(options.incompleteReasons ?? []), ...incompleteReasons(ops, index, unverified, avail)];
  const stats: CheckStats = {
    sends: { idempotent: sendCounts(index, 'idempotent'), plain: sendCounts(index, 'plain') },
    polls: index.polls.length,
    polledRecords: index.polls.reduce((sum, poll) => sum + poll.records.length, 0),
    commits: ops.filter((op) => op.kind === 'commit').length,
    generations: ops.filter((op) => op.kind === 'assign').length,
    finalRecords: index.finalOp?.partitions.reduce((sum, part) => sum + part.records.length, 0) ?? 0,
    allowedDuplicates: readCounts.allowedDuplicates,
    infoSendsSeen: readCounts.infoSendsSeen,
    unverified,
    faults: ops.filter((op) => op.kind === 'fault' && op.phase === 'start').length,
  };
  const verdict = total > 0 ? 'INVALID' : reasons.length > 0 ? 'INCOMPLETE' : 'VALID';
  return { verdict, anomalyCounts, anomalies: sink.kept, incompleteReasons: reasons, availability: avail, stats };
}
