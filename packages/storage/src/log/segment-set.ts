/**
 * The segments of a log in offset order, with the log start offset: lookups by offset and the
 * structural changes (roll, truncation, deletion) as the log makes them. Holds no I/O of its own
 * beyond asking segments for their largest timestamps and closing them.
 */
import { invariant } from '@tributary/common';
import type { LogSegment } from './log-segment.js';
import { segmentsToDelete, type RetentionPolicy, type SegmentSummary } from './retention.js';

export class SegmentSet {
  private segments: LogSegment[];
  private startOffset: number;
  /** Bumped by every change to which segments make up the log, so a compaction can tell its snapshot is stale. */
  private changes = 0;
  /** Bumped when the log's end moves back (truncation), so what compaction knew about the tail no longer holds. */
  private truncations = 0;

  constructor(segments: LogSegment[], logStartOffset: number) {
    invariant(segments.length > 0, 'a log has at least one segment');
    this.segments = segments;
    this.startOffset = logStartOffset;
    this.checkStart();
  }

  get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  /** Oldest first. */
  get all(): readonly LogSegment[] {
    return this.segments;
  }

  get count(): number {
    return this.segments.length;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get generation(): number {
    return this.changes;
  }

  get truncationCount(): number {
    return this.truncations;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.size;
    return total;
  }

  /** The segment whose offsets include `offset` (the last one starting at or below it). */
  holding(offset: number): LogSegment {
    let low = 0;
    let high = this.segments.length - 1;
    invariant(offset >= this.segments[0].baseOffset, () => `offset ${offset} is below the first segment`);
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) low = mid;
      else high = mid - 1;
    }
    return this.segments[low];
  }

  /** The segment after `segment`; null for the active one (or one no longer in the set). */
  after(segment: LogSegment): LogSegment | null {
    const at = this.segments.indexOf(segment);
    return at >= 0 && at + 1 < this.segments.length ? this.segments[at + 1] : null;
  }

  /** Compaction: replaces the consecutive sealed segments `old` by `cleaned`, which covers the same offsets. */
  replaceRun(old: readonly LogSegment[], cleaned: LogSegment): void {
    const at = this.segments.indexOf(old[0]);
    invariant(at >= 0 && at + old.length < this.segments.length && old.every((s, i) => this.segments[at + i] === s), 'compaction replaces a run of sealed segments');
    invariant(cleaned.baseOffset === old[0].baseOffset, () => `cleaned segment at ${cleaned.baseOffset} replaces one at ${old[0].baseOffset}`);
    this.segments.splice(at, old.length, cleaned);
    this.changes++;
  }

  push(segment: LogSegment): void {
    invariant(segment.baseOffset === this.logEndOffset, () => `new segment at ${segment.baseOffset}, the log ends at ${this.logEndOffset}`);
    this.segments.push(segment);
  }

  /** Removes the segments starting after `offset` (a truncation keeps the one holding it). */
  removeAfter(offset: number): LogSegment[] {
    this.changes++;
    this.truncations++;
    const keep = this.segments.findIndex((segment) => segment.baseOffset > offset);
    if (keep <= 0) return [];
    return this.segments.splice(keep);
  }

  /** After a truncation: the start cannot lie beyond the end. */
  clampLogStartOffset(): void {
    this.startOffset = Math.min(this.startOffset, this.logEndOffset);
    this.checkStart();
  }

  /** Replaces every segment by one (empty) segment; the log now starts at `logStartOffset`. */
  replaceAll(segment: LogSegment, logStartOffset: number): void {
    this.segments = [segment];
    this.startOffset = logStartOffset;
    this.changes++;
    this.truncations++;
    this.checkStart();
  }

  advanceLogStartOffset(offset: number): void {
    invariant(offset >= this.startOffset && offset <= this.logEndOffset, () => `log start ${offset} outside [${this.startOffset}, ${this.logEndOffset}]`);
    this.startOffset = offset;
  }

  /** Removes the sealed segments wholly below `offset` (the active one always stays). */
  removeSealedBelow(offset: number): LogSegment[] {
    let count = 0;
    while (count + 1 < this.segments.length && this.segments[count].nextOffset <= offset) count++;
    return this.removeOldest(count);
  }

  /** Removes the `count` oldest segments (not all: the log keeps its active segment); the start moves up with them. */
  removeOldest(count: number): LogSegment[] {
    invariant(count < this.segments.length, () => `cannot remove ${count} of ${this.segments.length} segments`);
    const removed = this.segments.splice(0, count);
    if (count > 0) this.changes++;
    this.startOffset = Math.max(this.startOffset, this.segments[0].baseOffset);
    return removed;
  }

  /** How many of the oldest segments retention deletes (see retention.ts). */
  async countToDelete(policy: RetentionPolicy): Promise<number> {
    const summaries: SegmentSummary[] = [];
    for (const segment of this.segments) {
      summaries.push({
        baseOffset: segment.baseOffset,
        nextOffset: segment.nextOffset,
        size: segment.size,
        largestTimestamp: await segment.largestTimestamp(),
        isActive: segment.isActive,
      });
    }
    return segmentsToDelete(summaries, policy);
  }

  async closeAll(): Promise<void> {
    for (const segment of this.segments) await segment.close();
  }

  private checkStart(): void {
    const first = this.segments[0].baseOffset;
    invariant(this.startOffset >= first && this.startOffset <= this.logEndOffset, () => `log start ${this.startOffset} outside [${first}, ${this.logEndOffset}]`);
  }
}
