/**
 * The last step of a compaction, in the log's append queue: putting the cleaned segments in place
 * of the old ones, crash-safely (the file protocol and its recovery are in compaction-files.ts).
 * Readers in progress finish first: the old segments are closed and renamed, and the set changed,
 * only while the read lock is held exclusively.
 */
import { join } from 'node:path';
import { compactionFileName, SWAP_ORDER } from './compaction-files.js';
import { LogSegment, type SegmentContext } from './log-segment.js';
import type { LoadedIndexCache } from './loaded-index-cache.js';
import type { ReadWriteLock } from './read-write-lock.js';
import { segmentFileName } from './segment-files.js';
import type { SegmentSet } from './segment-set.js';

/** One cleaned segment written and synced as `.cleaned` files, and the run of segments it replaces. */
export interface CleanedRun {
  readonly old: readonly LogSegment[];
  readonly baseOffset: number;
  readonly endOffset: number;
}

export interface SwapTarget {
  readonly ctx: SegmentContext;
  readonly segments: SegmentSet;
  readonly readLock: ReadWriteLock;
  readonly indexCache: LoadedIndexCache<LogSegment>;
}

/** Commits the runs, swaps them in, and unlinks the old files. Throws on I/O failure (the log goes offline; reopening finishes the swap). */
export async function swapInCleanedRuns(target: SwapTarget, runs: readonly CleanedRun[]): Promise<void> {
  const { fs, dir } = target.ctx;
  const path = (run: CleanedRun, kind: (typeof SWAP_ORDER)[number], stage: 'cleaned' | 'swap'): string =>
    join(dir, compactionFileName(run.baseOffset, run.endOffset, kind, stage));
  // Commit: once a `.log.swap` is durable, recovery finishes the swap rather than undoing it.
  for (const run of runs) for (const kind of SWAP_ORDER) await fs.rename(path(run, kind, 'cleaned'), path(run, kind, 'swap'));
  await fs.syncDirectory(dir);
  const doomed = await target.readLock.exclusive(async () => {
    const old = runs.flatMap((run) => run.old);
    for (const segment of old) {
      target.indexCache.forget(segment);
      await segment.renameForDeletion();
    }
    await fs.syncDirectory(dir);
    for (const run of runs) for (const kind of SWAP_ORDER) await fs.rename(path(run, kind, 'swap'), join(dir, segmentFileName(run.baseOffset, kind)));
    await fs.syncDirectory(dir);
    for (const run of runs) {
      const cleaned = await LogSegment.open(target.ctx, run.baseOffset);
      cleaned.setSealedEnd(run.endOffset);
      target.segments.replaceRun(run.old, cleaned);
    }
    return old;
  });
  for (const segment of doomed) await segment.unlinkDeleted();
}
