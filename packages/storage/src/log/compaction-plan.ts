/**
 * The arithmetic of a compaction, without I/O: which sealed segments may be cleaned, how far the
 * key map's reach lets one compaction go, and how the cleaned segments are grouped into new ones.
 */

/** One sealed segment as planning sees it. */
export interface PlannedSegment {
  readonly baseOffset: number;
  /** The next segment's base offset. */
  readonly endOffset: number;
  readonly size: number;
  /** NO_TIMESTAMP (-1) when it has no timestamped batch. */
  readonly largestTimestamp: number;
}

const INT32_MAX = 0x7fff_ffff;

/**
 * How many of the oldest sealed segments may be cleaned: a prefix (compaction always cleans from
 * the log start, as Kafka does) of those whose newest batch is at least `minCompactionLagMs` old.
 */
export function cleanableCount(sealed: readonly PlannedSegment[], nowMs: number, minCompactionLagMs: number): number {
  let count = 0;
  while (count < sealed.length && (minCompactionLagMs === 0 || sealed[count].largestTimestamp <= nowMs - minCompactionLagMs)) count++;
  return count;
}

/**
 * How many of the cleanable segments this compaction rewrites, given that the key map covers
 * [dirtyStart, mapEndOffset): whole segments up to the map's end (Kafka's rule), or, when not even
 * one dirty segment fits, also the one the map ends in, so that every compaction makes progress.
 */
export function cleanedCount(cleanable: readonly PlannedSegment[], dirtyStart: number, mapEndOffset: number): number {
  if (cleanable.length === 0) return 0;
  if (mapEndOffset >= cleanable[cleanable.length - 1].endOffset) return cleanable.length;
  let whole = 0;
  while (whole < cleanable.length && cleanable[whole].endOffset <= mapEndOffset) whole++;
  const progress = whole > 0 && cleanable[whole - 1].endOffset > dirtyStart;
  return progress ? whole : whole + 1;
}

/**
 * Consecutive segments merged into one new segment while their sizes before cleaning add up to at
 * most `segmentBytes` (so the cleaned one fits too) and their offsets stay int32-relative to the
 * first. Returns the groups as index ranges [from, to).
 */
export function groupSegments(segments: readonly PlannedSegment[], segmentBytes: number): Array<{ from: number; to: number }> {
  const groups: Array<{ from: number; to: number }> = [];
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < segments.length; i++) {
    const fits = i > from && bytes + segments[i].size <= segmentBytes && segments[i].endOffset - 1 - segments[from].baseOffset <= INT32_MAX;
    if (i > from && !fits) {
      groups.push({ from, to: i });
      from = i;
      bytes = 0;
    }
    bytes += segments[i].size;
  }
  if (segments.length > 0) groups.push({ from, to: segments.length });
  return groups;
}

/** The share of the sealed bytes not yet cleaned (Kafka's dirty ratio); 0 for a log with no sealed bytes. */
export function dirtyRatio(sealed: readonly PlannedSegment[], firstDirtyOffset: number): { readonly ratio: number; readonly dirtyBytes: number } {
  let clean = 0;
  let dirty = 0;
  for (const segment of sealed) {
    if (segment.endOffset <= firstDirtyOffset) clean += segment.size;
    else dirty += segment.size;
  }
  return { ratio: clean + dirty === 0 ? 0 : dirty / (clean + dirty), dirtyBytes: dirty };
}
