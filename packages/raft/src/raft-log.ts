import { invariant } from '@tributary/common';
import type { Entry } from './types.js';

/**
 * The in-memory replicated log of one node. Entries at or below the snapshot base (`offset`) are
 * compacted away; the base's term is kept so that the entry after it can still be matched. It
 * tracks which suffix the caller has not yet persisted, so Ready hands out exactly the unstable part.
 */
export class RaftLog {
  private entries: Entry[];
  /** Index of the last entry covered by the snapshot (0: none); entries[0] is at offset + 1. */
  private offset: number;
  private offsetTerm: number;
  /** Lowest index not yet handed out for persistence. */
  private unstableFrom: number;
  /** Lowest index truncated by a conflict since the last Ready, if any. */
  private truncatedFrom: number | undefined;

  constructor(persisted: readonly Entry[], base: { index: number; term: number } = { index: 0, term: 0 }) {
    this.offset = base.index;
    this.offsetTerm = base.term;
    this.entries = persisted.filter((e) => e.index > base.index);
    this.entries.forEach((e, i) => invariant(e.index === base.index + i + 1, `persisted log is not contiguous at ${base.index + i + 1}`));
    this.unstableFrom = this.lastIndex() + 1;
  }

  /** The snapshot base: the last compacted index (0 when nothing was compacted). */
  baseIndex(): number {
    return this.offset;
  }

  lastIndex(): number {
    return this.offset + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** Term at `index`; the base's term at the base; undefined past the end or below the base. */
  term(index: number): number | undefined {
    if (index === this.offset) return this.offsetTerm;
    if (index < this.offset) return undefined;
    return this.entries[index - this.offset - 1]?.term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.offset) return undefined;
    return this.entries[index - this.offset - 1];
  }

  /** Entries in [lo, hi], clamped to the log (above the base). */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(Math.max(lo, this.offset + 1) - this.offset - 1, Math.max(hi - this.offset, 0));
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Drops entries <= index (already applied and persisted); index becomes the base. */
  compact(index: number): void {
    invariant(index > this.offset && index <= this.lastIndex(), () => `cannot compact to ${index}`);
    invariant(index < this.unstableFrom, 'cannot compact entries not yet persisted');
    this.offsetTerm = this.term(index)!;
    this.entries = this.entries.slice(index - this.offset);
    this.offset = index;
  }

  /**
   * Installs a leader's snapshot base. Returns true when the log already held (index, term) and
   * keeps its suffix; otherwise the whole log is void (and marked truncated from index + 1).
   */
  restore(index: number, term: number): boolean {
    if (index <= this.lastIndex() && this.matchTerm(index, term)) {
      if (index > this.offset) {
        this.entries = this.entries.slice(index - this.offset);
        this.offset = index;
        this.offsetTerm = term;
      }
      this.unstableFrom = Math.max(this.unstableFrom, index + 1);
      return true;
    }
    this.entries = [];
    this.offset = index;
    this.offsetTerm = term;
    this.truncatedFrom = Math.min(this.truncatedFrom ?? index + 1, index + 1);
    this.unstableFrom = index + 1;
    return false;
  }

  /** Raft §5.4.1: a candidate is electable if its log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Appends at the end (leader proposals). */
  append(entry: Entry): void {
    invariant(entry.index === this.lastIndex() + 1, 'append must extend the log');
    this.entries.push(entry);
  }

  /**
   * Follower side of AppendEntries after the prev check passed: skips entries already present,
   * truncates at the first conflict and appends the rest. Never truncates committed entries.
   */
  appendFromLeader(entries: readonly Entry[], commitIndex: number): void {
    for (const e of entries) {
      if (e.index <= this.offset) continue; // compacted: committed, so it matches
      const mine = this.term(e.index);
      if (mine === e.term) continue;
      if (mine !== undefined) {
        invariant(e.index > commitIndex, () => `conflict at committed index ${e.index}`);
        this.entries.length = e.index - this.offset - 1;
        this.truncatedFrom = Math.min(this.truncatedFrom ?? e.index, e.index);
        this.unstableFrom = Math.min(this.unstableFrom, e.index);
      }
      invariant(e.index === this.lastIndex() + 1, 'leader entries must be contiguous');
      this.entries.push(e);
    }
  }

  /**
   * The largest index <= `index` whose term is <= `term`: everything above it surely conflicts,
   * so one probe skips a whole term (the etcd fast back-off).
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.offset && (this.term(i) ?? 0) > term) i--;
    return i;
  }

  unstableEntries(): Entry[] {
    return this.slice(this.unstableFrom, this.lastIndex());
  }

  truncation(): number | undefined {
    return this.truncatedFrom;
  }

  /** The caller persisted everything through `index` (the last index of the Ready it handled). */
  markStable(index: number): void {
    this.unstableFrom = Math.max(this.unstableFrom, index + 1);
    this.truncatedFrom = undefined;
  }
}
