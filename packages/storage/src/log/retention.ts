/**
 * Which segments retention deletes, Kafka's rules: always a prefix of the log (oldest first), each
 * deleted segment wholly below `maxOffset` (the high watermark: never delete what consumers have
 * not been allowed to read), never the active segment while it is empty.
 *  - by time: a segment whose largest timestamp is older than `retentionMs`;
 *  - then by size: the oldest segments while the log would still hold at least `retentionBytes`
 *    without them (Kafka's LogRetentionSize: deleting never takes the log below the limit).
 * When every segment goes, the caller rolls first, so an empty active segment remains.
 */
export interface SegmentSummary {
  readonly baseOffset: number;
  readonly nextOffset: number;
  readonly size: number;
  /** NO_TIMESTAMP (-1) when the segment has no timestamped batch: old by every measure. */
  readonly largestTimestamp: number;
  readonly isActive: boolean;
}

export interface RetentionPolicy {
  readonly nowMs: number;
  /** -1: no limit. */
  readonly retentionMs: number;
  /** -1: no limit. */
  readonly retentionBytes: number;
  /** Only segments ending at or below this offset may go. */
  readonly maxOffset: number;
}

/** How many of the oldest segments to delete. */
export function segmentsToDelete(segments: readonly SegmentSummary[], policy: RetentionPolicy): number {
  const eligible = (segment: SegmentSummary): boolean =>
    segment.nextOffset <= policy.maxOffset && !(segment.isActive && segment.size === 0);
  let count = 0;
  if (policy.retentionMs >= 0) {
    const cutoff = policy.nowMs - policy.retentionMs;
    while (count < segments.length && eligible(segments[count]) && segments[count].largestTimestamp < cutoff) count++;
  }
  if (policy.retentionBytes >= 0) {
    let remaining = 0;
    for (let i = count; i < segments.length; i++) remaining += segments[i].size;
    while (count < segments.length && eligible(segments[count]) && remaining - segments[count].size >= policy.retentionBytes) {
      remaining -= segments[count].size;
      count++;
    }
  }
  return count;
}
