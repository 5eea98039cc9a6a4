/**
 * The files of a compaction in progress, and finishing or undoing one a crash interrupted.
 *
 * A compaction replaces a run of sealed segments, bases b1 < ... < bk followed by a segment
 * starting at E, by one cleaned segment with base b1 covering [b1, E). Its files are named with
 * both ends, so recovery knows exactly what the new segment replaces even when cleaning emptied
 * the old segments' tails:
 *
 *   <b1>.<E>.log.cleaned  (and .index.cleaned, .timeindex.cleaned)  being written
 *   <b1>.<E>.log.swap     (and .index.swap, .timeindex.swap)        written and synced: committed
 *
 * The swap, each step followed by a directory sync (see compaction-swap.ts):
 *   1. the cleaned files are written and datasynced;
 *   2. `.index.cleaned` and `.timeindex.cleaned` are renamed to `.swap`, then `.log.cleaned` to
 *      `.log.swap`: the commit point is `<b1>.<E>.log.swap` being durable;
 *   3. the old segments' files are renamed with `.deleted` appended (the loader unlinks those);
 *   4. the `.swap` files are renamed to the live names `<b1>.log` ...;
 *   5. the `.deleted` files are unlinked.
 *
 * On open (`recoverInterruptedCompaction`, before anything else reads the directory):
 *  - no `.log.swap`: the compaction had not committed. Every `.cleaned` file and any stray
 *    index `.swap` file is unlinked: the log is as before.
 *  - a `<b1>.<E>.log.swap`: it had committed. Every live segment file with a base in [b1, E)
 *    is unlinked (whichever of steps 3-4 were done), the index `.swap` files are renamed into
 *    place (a missing one, already renamed or never made durable, is unlinked: the loader
 *    rebuilds it from the `.log`), then the `.log.swap`: the log is as after.
 * Recovery is itself idempotent: a crash during it is recovered by the next open the same way.
 */
import { join } from 'node:path';
import type { FileSystem } from '@tributary/common';
import { isFileMissing } from './log-errors.js';
import { parseSegmentFileName, segmentFileName, type SegmentFileKind } from './segment-files.js';

export type CompactionStage = 'cleaned' | 'swap';

/** The order files move from `.cleaned` to `.swap` and from `.swap` to live: the `.log` last. */
export const SWAP_ORDER: readonly SegmentFileKind[] = ['index', 'timeindex', 'log'];

const COMPACTION_NAME = /^(\d{20})\.(\d{20})\.(log|index|timeindex)\.(cleaned|swap)$/;

export interface CompactionFileName {
  readonly baseOffset: number;
  /** The base offset of the segment after the replaced run: the new segment covers [baseOffset, endOffset). */
  readonly endOffset: number;
  readonly kind: SegmentFileKind;
  readonly stage: CompactionStage;
}

export function compactionFileName(baseOffset: number, endOffset: number, kind: SegmentFileKind, stage: CompactionStage): string {
  const end = segmentFileName(endOffset, kind).slice(0, 20);
  return `${segmentFileName(baseOffset, kind).slice(0, 20)}.${end}.${kind}.${stage}`;
}

export function parseCompactionFileName(name: string): CompactionFileName | null {
  const match = COMPACTION_NAME.exec(name);
  if (!match) return null;
  const baseOffset = Number(match[1]);
  const endOffset = Number(match[2]);
  if (!Number.isSafeInteger(baseOffset) || !Number.isSafeInteger(endOffset) || endOffset <= baseOffset) return null;
  return { baseOffset, endOffset, kind: match[3] as SegmentFileKind, stage: match[4] as CompactionStage };
}

/** Finishes committed swaps and removes uncommitted compaction files; returns whether it changed anything. */
export async function recoverInterruptedCompaction(fs: FileSystem, dir: string, names: readonly string[]): Promise<boolean> {
  const parsed = names.map((name) => ({ name, file: parseCompactionFileName(name) })).filter((n) => n.file !== null);
  if (parsed.length === 0) return false;
  const committed = parsed.filter((n) => n.file!.stage === 'swap' && n.file!.kind === 'log').map((n) => n.file!);
  // Uncommitted leftovers first: cleaned files, and index swaps whose log swap never became durable.
  for (const { name, file } of parsed) {
    const isCommitted = committed.some((c) => c.baseOffset === file!.baseOffset && c.endOffset === file!.endOffset);
    if (file!.stage === 'cleaned' || !isCommitted) await unlinkIfPresent(fs, join(dir, name));
  }
  for (const swap of committed.sort((a, b) => a.baseOffset - b.baseOffset)) await finishSwap(fs, dir, names, swap);
  await fs.syncDirectory(dir);
  return true;
}

async function finishSwap(fs: FileSystem, dir: string, names: readonly string[], swap: CompactionFileName): Promise<void> {
  for (const name of names) {
    const live = parseSegmentFileName(name);
    if (live && live.baseOffset >= swap.baseOffset && live.baseOffset < swap.endOffset) await unlinkIfPresent(fs, join(dir, name));
  }
  // Indexes before the log: while the `.log.swap` exists, the swap is still to be finished.
  for (const kind of SWAP_ORDER) {
    const from = join(dir, compactionFileName(swap.baseOffset, swap.endOffset, kind, 'swap'));
    const to = join(dir, segmentFileName(swap.baseOffset, kind));
    if (names.includes(compactionFileName(swap.baseOffset, swap.endOffset, kind, 'swap'))) await fs.rename(from, to);
    else if (kind !== 'log') await unlinkIfPresent(fs, to);
  }
}

async function unlinkIfPresent(fs: FileSystem, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (!isFileMissing(error)) throw error;
  }
}
