/**
 * Opening a partition directory: tidying what interrupted operations left, opening the segments,
 * and recovering the active one.
 *
 * - An interrupted compaction is finished or undone (compaction-files.ts).
 * - Segment files ending in `.deleted` (a deletion renamed but not unlinked) and the log start
 *   checkpoint's `.tmp` (not yet renamed into place) are unlinked; so is an index without its
 *   `.log`. Files that are not the log's (the leader-epoch checkpoint) are left alone.
 * - After a clean shutdown (the marker `close()` writes is present), the active segment's indexes
 *   are trusted and only the batches after the last index entry are checked.
 * - Otherwise the active segment is recovered: every batch from its start is checked (framing,
 *   CRC, offsets following on), a torn or corrupt tail is cut, its indexes are rebuilt. Sealed
 *   segments were synced, indexes included, when they rolled, so they are not rescanned; their
 *   indexes are checked when first loaded and rebuilt if missing or implausible.
 * - The marker is removed (durably) before the log accepts anything, so a crash from then on
 *   always leads to recovery.
 */
import { dirname, join } from 'node:path';
import type { FileSystem } from '@tributary/common';
import { recoverInterruptedCompaction } from './compaction-files.js';
import { readLogStartOffset } from './log-start-offset-checkpoint.js';
import { LogSegment, type SegmentContext, type SegmentRecovery } from './log-segment.js';
import { CLEAN_SHUTDOWN_FILE, isLeftoverFileName, parseSegmentFileName } from './segment-files.js';

export interface LoadedLog {
  /** Oldest first; the last is active. Never empty. */
  readonly segments: LogSegment[];
  readonly logStartOffset: number;
  readonly cleanShutdown: boolean;
  /** What recovery found in the active segment: null when the clean-shutdown path needed no repair. */
  readonly recovery: SegmentRecovery | null;
}

export async function loadLog(ctx: SegmentContext): Promise<LoadedLog> {
  const { fs, dir } = ctx;
  await ensureDirectory(fs, dir);
  let names = await fs.readdir(dir);
  // A compaction's swap is finished or undone before anything reads the segments.
  if (await recoverInterruptedCompaction(fs, dir, names)) names = await fs.readdir(dir);
  const cleanShutdown = names.includes(CLEAN_SHUTDOWN_FILE);
  const baseOffsets = await tidy(fs, dir, names);
  const checkpoint = await readLogStartOffset(fs, dir);
  let segments: LogSegment[] = [];
  let recovery: SegmentRecovery | null = null;
  try {
    if (baseOffsets.length === 0) {
      segments.push(await LogSegment.create(ctx, checkpoint ?? 0));
      await fs.syncDirectory(dir);
    } else {
      for (const baseOffset of baseOffsets) segments.push(await LogSegment.open(ctx, baseOffset));
      for (let i = 0; i + 1 < segments.length; i++) segments[i].setSealedEnd(segments[i + 1].baseOffset);
      const active = segments[segments.length - 1];
      recovery = cleanShutdown ? await active.activate() : await active.recover();
    }
    const logEndOffset = segments[segments.length - 1].nextOffset;
    // A stored start beyond the end (its tail lost with unsynced writes) is clamped to the end.
    const logStartOffset = Math.max(segments[0].baseOffset, Math.min(checkpoint ?? 0, logEndOffset));
    segments = await dropSegmentsBelow(segments, logStartOffset);
    if (cleanShutdown) {
      await fs.unlink(join(dir, CLEAN_SHUTDOWN_FILE));
      await fs.syncDirectory(dir);
    }
    return { segments, logStartOffset, cleanShutdown, recovery };
  } catch (error) {
    // Whatever failed, the files opened so far are closed (best effort: the first error is the one reported).
    for (const segment of segments) await segment.close().catch(() => undefined);
    throw error;
  }
}

async function ensureDirectory(fs: FileSystem, dir: string): Promise<void> {
  if (await fs.exists(dir)) return;
  await fs.mkdir(dir);
  // The new directory's own entry lives in its parent.
  await fs.syncDirectory(dirname(dir));
}

/** Unlinks leftovers and orphan indexes; returns the base offsets of the segments, ascending. */
async function tidy(fs: FileSystem, dir: string, names: readonly string[]): Promise<number[]> {
  const logs = new Set<number>();
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (parsed?.kind === 'log') logs.add(parsed.baseOffset);
  }
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    const orphanIndex = parsed !== null && parsed.kind !== 'log' && !logs.has(parsed.baseOffset);
    if (orphanIndex || isLeftoverFileName(name)) await fs.unlink(join(dir, name));
  }
  return [...logs].sort((a, b) => a - b);
}

/** Sealed segments wholly below the log start: a DeleteRecords whose deletions a crash interrupted. */
async function dropSegmentsBelow(segments: LogSegment[], logStartOffset: number): Promise<LogSegment[]> {
  let drop = 0;
  while (drop + 1 < segments.length && segments[drop].nextOffset <= logStartOffset) drop++;
  for (const segment of segments.slice(0, drop)) {
    await segment.renameForDeletion();
    await segment.unlinkDeleted();
  }
  return segments.slice(drop);
}

/** Written by a clean `close()`, after everything is synced: the next open may skip recovery. */
export async function writeCleanShutdownMarker(fs: FileSystem, dir: string): Promise<void> {
  const handle = await fs.open(join(dir, CLEAN_SHUTDOWN_FILE), 'rw');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.syncDirectory(dir);
}
