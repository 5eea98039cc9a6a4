/**
 * Names of the files in a partition's directory, Kafka's scheme:
 *
 *   00000000000000000000.log        record batches as received (offsets assigned by the log)
 *   00000000000000000000.index      sparse offset index: relative offset int32 → file position int32
 *   00000000000000000000.timeindex  time index: max timestamp int64 → relative offset int32
 *
 * The number is the segment's base offset, 20 digits zero-padded so that names sort as offsets.
 * A segment being deleted is first renamed with `.deleted` appended (`…0.log.deleted`), then
 * unlinked, so a crash mid-deletion leaves a name that recovery finishes deleting; a checkpoint
 * being replaced is written to `<name>.tmp` first and renamed over the old one.
 */
import { invariant } from '@tributary/common';

export type SegmentFileKind = 'log' | 'index' | 'timeindex';

export const SEGMENT_FILE_KINDS: readonly SegmentFileKind[] = ['log', 'index', 'timeindex'];

/** Appended to a segment file renamed for deletion. */
export const DELETED_SUFFIX = '.deleted';
/** Appended to a checkpoint being written before it atomically replaces the old one (checkpoint-file.ts). */
export const TEMP_SUFFIX = '.tmp';
/** Present only between a clean `close()` and the next open: no recovery needed. */
export const CLEAN_SHUTDOWN_FILE = 'clean-shutdown';
/** The log start offset when DeleteRecords moved it inside a segment (see log-start-offset-checkpoint.ts). */
export const LOG_START_OFFSET_FILE = 'log-start-offset';

const OFFSET_DIGITS = 20;
const SEGMENT_NAME = /^(\d{20})\.(log|index|timeindex)$/;

export function segmentFileName(baseOffset: number, kind: SegmentFileKind): string {
  invariant(Number.isSafeInteger(baseOffset) && baseOffset >= 0, () => `bad segment base offset ${baseOffset}`);
  return `${String(baseOffset).padStart(OFFSET_DIGITS, '0')}.${kind}`;
}

export interface SegmentFileName {
  readonly baseOffset: number;
  readonly kind: SegmentFileKind;
}

/** Parses a live segment file name; null for anything else (temp files, checkpoints, foreign files). */
export function parseSegmentFileName(name: string): SegmentFileName | null {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return null;
  const baseOffset = Number(match[1]);
  // 20 digits can exceed 2^53; such a name was not written by this log.
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, kind: match[2] as SegmentFileKind };
}

/**
 * A leftover of this log's own interrupted work, safe to unlink on open: a segment file renamed
 * for deletion, or the log start checkpoint's temp file. Other files in the directory (the
 * leader-epoch checkpoint and its temp file, say) belong to others and are left alone.
 */
export function isLeftoverFileName(name: string): boolean {
  if (name === LOG_START_OFFSET_FILE + TEMP_SUFFIX) return true;
  return name.endsWith(DELETED_SUFFIX) && parseSegmentFileName(name.slice(0, -DELETED_SUFFIX.length)) !== null;
}
