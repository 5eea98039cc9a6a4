/**
 * A segment's two indexes together: how a batch is entered into them (the same rule for appends,
 * recovery and rebuilds, so a rebuilt index equals the one appends built), and loading a sealed
 * segment's indexes from disk, rebuilding them from the `.log` when missing, partial or
 * implausible.
 */
import { join } from 'node:path';
import type { FileHandle, FileSystem } from '@tributary/common';
import { readFully, scanBatches } from './batch-scanner.js';
import { IndexFile } from './index-file.js';
import { LogStorageError, isFileMissing } from './log-errors.js';
import { OffsetIndex } from './offset-index.js';
import { segmentFileName } from './segment-files.js';
import { NO_TIMESTAMP, TIME_INDEX_ENTRY_BYTES, TimeIndex } from './time-index.js';

export interface SegmentIndexes {
  readonly offset: OffsetIndex;
  readonly time: TimeIndex;
}

/** What entering the next batch depends on: the running max timestamp and bytes since the last entry. */
export interface IndexingState {
  maxTimestamp: number;
  /** Base offset of the first batch that reached `maxTimestamp`. */
  offsetOfMaxTimestamp: number;
  bytesSinceIndexEntry: number;
}

/** A batch's place in its segment, as the indexes need it. */
export interface IndexedBatch {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly maxTimestamp: number;
}

export function freshIndexingState(baseOffset: number): IndexingState {
  return { maxTimestamp: NO_TIMESTAMP, offsetOfMaxTimestamp: baseOffset, bytesSinceIndexEntry: 0 };
}

/**
 * Enters one batch, Kafka's rule: the running max timestamp includes the batch; once more than
 * `indexIntervalBytes` have gone by since the last entry, the batch gets an offset-index entry and
 * the max so far a time-index entry (when it grew).
 */
export function indexBatch(indexes: SegmentIndexes, state: IndexingState, batch: IndexedBatch, indexIntervalBytes: number): void {
  if (batch.maxTimestamp > state.maxTimestamp) {
    state.maxTimestamp = batch.maxTimestamp;
    state.offsetOfMaxTimestamp = batch.baseOffset;
  }
  // A full index takes no more entries (only a rebuild under a smaller segmentIndexBytes meets
  // one; appends roll first): a sparser index is still a correct one.
  if (state.bytesSinceIndexEntry > indexIntervalBytes && !indexes.offset.isFull && !indexes.time.isFull) {
    indexes.offset.append(batch.baseOffset, batch.position);
    indexes.time.maybeAppend(state.maxTimestamp, state.offsetOfMaxTimestamp);
    state.bytesSinceIndexEntry = 0;
  }
  state.bytesSinceIndexEntry += batch.size;
}

/**
 * The indexing state right after the last offset-index entry's batch was entered, from which a
 * forward scan (re-entering that batch) reproduces the state after every later batch. The max
 * timestamp so far is then the last time-index entry's: entries are written beside offset entries
 * whenever the max grew, and the seal/close entry only raises it, which the scan re-derives.
 */
export function stateAtLastEntry(indexes: SegmentIndexes, baseOffset: number): { state: IndexingState; position: number; offset: number } {
  const entry = indexes.offset.lastEntry() ?? { offset: baseOffset, position: 0 };
  const time = indexes.time.lastEntry();
  const state = freshIndexingState(baseOffset);
  if (time) {
    state.maxTimestamp = time.timestamp;
    state.offsetOfMaxTimestamp = time.offset;
  }
  return { state, position: entry.position, offset: entry.offset };
}

export interface IndexPaths {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly baseOffset: number;
  readonly segmentIndexBytes: number;
}

export function emptyIndexes(paths: IndexPaths): SegmentIndexes {
  const { fs, dir, baseOffset, segmentIndexBytes } = paths;
  return {
    offset: new OffsetIndex(join(dir, segmentFileName(baseOffset, 'index')), fs, baseOffset, segmentIndexBytes),
    time: new TimeIndex(join(dir, segmentFileName(baseOffset, 'timeindex')), fs, baseOffset, segmentIndexBytes),
  };
}

/**
 * Loads the indexes of a segment holding `logBytes` bytes of batches below `nextOffset`; null when
 * either file is missing, ends in a partial entry or holds entries that cannot be this log's
 * (the caller rebuilds them).
 */
export async function loadIndexes(paths: IndexPaths, logBytes: number, nextOffset: number): Promise<SegmentIndexes | null> {
  const { fs, dir, baseOffset, segmentIndexBytes } = paths;
  const offsetPath = join(dir, segmentFileName(baseOffset, 'index'));
  const timePath = join(dir, segmentFileName(baseOffset, 'timeindex'));
  const [offsetBytes, timeBytes] = await Promise.all([IndexFile.readIfExists(fs, offsetPath), IndexFile.readIfExists(fs, timePath)]);
  if (!offsetBytes || !timeBytes) return null;
  const indexes = {
    offset: new OffsetIndex(offsetPath, fs, baseOffset, segmentIndexBytes, offsetBytes),
    time: new TimeIndex(timePath, fs, baseOffset, segmentIndexBytes, timeBytes),
  };
  const whole = indexes.offset.fileMatchesMemory && indexes.time.fileMatchesMemory;
  return whole && indexes.offset.isPlausible(logBytes, nextOffset) && indexes.time.isPlausible(nextOffset) ? indexes : null;
}

/**
 * Rebuilds the indexes of a sealed segment from its `.log` (every batch CRC-checked) and writes
 * them durably. A sealed segment must be whole: a torn or corrupt batch, or offsets that do not
 * increase from its base to at most `nextOffset`, is corruption (LogStorageError), never silently cut.
 */
export async function rebuildSealedIndexes(paths: IndexPaths, log: FileHandle, logBytes: number, nextOffset: number, config: { indexIntervalBytes: number; scanChunkBytes: number }): Promise<SegmentIndexes> {
  const indexes = emptyIndexes(paths);
  const state = freshIndexingState(paths.baseOffset);
  let expected = paths.baseOffset;
  const scan = await scanBatches(log, {
    from: 0,
    to: logBytes,
    chunkBytes: config.scanChunkBytes,
    verify: true,
    visit: (batch) => {
      // Increasing, with gaps where compaction removed batches.
      if (batch.baseOffset < expected) return `batch at offset ${batch.baseOffset} where ${expected} or later was expected`;
      indexBatch(indexes, state, batch, config.indexIntervalBytes);
      expected = batch.lastOffset + 1;
    },
  });
  if (scan.stop.kind !== 'end' || expected > nextOffset) {
    const why = scan.stop.kind === 'end' ? `offsets end at ${expected}, beyond ${nextOffset}` : scan.stop.reason;
    throw new LogStorageError('corrupt', `sealed segment ${segmentFileName(paths.baseOffset, 'log')} in ${paths.dir} is damaged: ${why}`);
  }
  indexes.time.maybeAppend(state.maxTimestamp, state.offsetOfMaxTimestamp);
  await Promise.all([indexes.offset.sync(), indexes.time.sync()]);
  await Promise.all([indexes.offset.closeHandle(), indexes.time.closeHandle()]);
  return indexes;
}

/** The last time-index entry's timestamp, read from the file's last 12 bytes; null when the file cannot say. */
export async function readLargestTimestamp(paths: IndexPaths, nextOffset: number): Promise<number | null> {
  const path = join(paths.dir, segmentFileName(paths.baseOffset, 'timeindex'));
  let handle: FileHandle;
  try {
    handle = await paths.fs.open(path, 'r');
  } catch (error) {
    if (isFileMissing(error)) return null;
    throw error;
  }
  try {
    const size = await handle.size();
    if (size % TIME_INDEX_ENTRY_BYTES !== 0) return null;
    if (size === 0) return NO_TIMESTAMP;
    const last = Buffer.alloc(TIME_INDEX_ENTRY_BYTES);
    if ((await readFully(handle, last, TIME_INDEX_ENTRY_BYTES, size - TIME_INDEX_ENTRY_BYTES)) < TIME_INDEX_ENTRY_BYTES) return null;
    const relative = last.readInt32BE(8);
    if (relative < 0 || paths.baseOffset + relative >= nextOffset) return null;
    return Number(last.readBigInt64BE(0));
  } finally {
    await handle.close();
  }
}
