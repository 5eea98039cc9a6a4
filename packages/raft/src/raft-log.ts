import { invariant } from '@tributary/common';
import type { Entry } from './types.js';

/**
 * The in-memory replicated log of one node, contiguous from index 1 (no snapshots yet). It tracks
 * which suffix the caller has not yet persisted, so Ready hands out exactly the unstable part.
 */
export class RaftLog {
  private readonly entries: Entry[];
  /** Lowest index not yet handed out for persistence. */
  private unstableFrom: number;
  /** Lowest index truncated by a conflict since the last Ready, if any. */
  private truncatedFrom: number | undefined;

  constructor(persisted: readonly Entry[]) {
    persisted.forEach((e, i) => invariant(e.index === i + 1, `persisted log is not contiguous at ${i + 1}`));
    this.entries = [...persisted];
    this.unstableFrom = this.entries.length + 1;
  }

  lastIndex(): number {
    return this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** Term at `index`; 0 for index 0; undefined past the end. */
  term(index: number): number | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }

  entry(index: number): Entry | undefined {
    return this.entries[index - 1];
  }

  /** Entries in [lo, hi], clamped to the log. */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(Math.max(lo, 1) - 1, Math.max(hi, 0));
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
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
      const mine = this.term(e.index);
      if (mine === e.term) continue;
      if (mine !== undefined) {
        invariant(e.index > commitIndex, () => `conflict at committed index ${e.index}`);
        this.entries.length = e.index - 1;
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
    while (i > 0 && (this.term(i) ?? 0) > term) i--;
    return i;
  }

  unstableEntries(): Entry[] {
    return this.entries.slice(this.unstableFrom - 1);
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
