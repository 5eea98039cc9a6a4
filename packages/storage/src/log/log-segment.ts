/**
 * One segment of a partition log: a `.log` file of record batches starting at `baseOffset`, with
 * its offset and time indexes. The last segment of a log is active (appends go to it); the
 * others are sealed: immutable, synced, their indexes on disk and loaded only when needed.
 *
 * Offsets are JS numbers, checked to be safe integers where they enter: 2^53 offsets would take
 * centuries at a million records a second. Positions fit int32 (segmentBytes is at most 2^31 - 1).
 */
import { join } from 'node:path';
import { invariant, type Clock, type FileHandle, type FileSystem } from '@tributary/common';
import { isFileMissing } from './log-errors.js';
import { BATCH_HEADER_BYTES, readBatchHeader } from '@tributary/protocol';
import { readFully, scanBatches, type ScanStop } from './batch-scanner.js';
import type { LogConfig } from './log-config.js';
import { DELETED_SUFFIX, SEGMENT_FILE_KINDS, segmentFileName } from './segment-files.js';
import {
  emptyIndexes,
  freshIndexingState,
  indexBatch,
  loadIndexes,
  readLargestTimestamp,
  rebuildSealedIndexes,
  stateAtLastEntry,
  type IndexPaths,
  type IndexingState,
  type SegmentIndexes,
} from './segment-indexes.js';
import { findBatch, readBatch, readBatches, type LocatedBatch, type SegmentFile } from './segment-reader.js';
import { NO_TIMESTAMP } from './time-index.js';

export interface SegmentContext {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly config: LogConfig;
  readonly clock: Clock;
  /** Told when a sealed segment has loaded its indexes, so the log can bound how many stay loaded. */
  readonly indexesLoaded: (segment: LogSegment) => void;
}

/** One batch of an append: where it sits in the appended blob and the offsets it was given. */
export interface SegmentBatch {
  readonly start: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
}

export interface SegmentRecovery {
  /** Bytes cut from the end of the `.log` (a torn or corrupt tail). */
  readonly truncatedBytes: number;
  readonly stop: ScanStop;
}

interface ActiveState extends IndexingState {
  /** When the segment counts as started for segmentMs: its first batch's max timestamp. */
  rollingTimestampMs: number | null;
}

const INT32_MAX = 0x7fff_ffff;
const EMPTY = Buffer.alloc(0);

export class LogSegment {
  private indexes: SegmentIndexes | null = null;
  private loadingIndexes: Promise<SegmentIndexes> | null = null;
  /** Present while this is the active segment. */
  private active: ActiveState | null = null;
  private largestTimestampCache: number | null = null;

  private constructor(
    private readonly ctx: SegmentContext,
    readonly baseOffset: number,
    private readonly log: FileHandle,
    /** Bytes of whole batches whose writes have completed: readers never look past this. */
    private sizeBytes: number,
    /** The offset after the last batch. */
    private next: number,
  ) {}

  /** A new, empty, active segment (its files created; the caller syncs the directory). */
  static async create(ctx: SegmentContext, baseOffset: number): Promise<LogSegment> {
    const log = await ctx.fs.open(join(ctx.dir, segmentFileName(baseOffset, 'log')), 'rw');
    const size = await log.size();
    invariant(size === 0, () => `a new segment at ${baseOffset} found a ${size}-byte .log in ${ctx.dir}`);
    const segment = new LogSegment(ctx, baseOffset, log, 0, baseOffset);
    segment.indexes = emptyIndexes(segment.indexPaths);
    await Promise.all([segment.indexes.offset.persist(), segment.indexes.time.persist()]);
    segment.active = { ...freshIndexingState(baseOffset), rollingTimestampMs: null };
    return segment;
  }

  /** An existing segment, sealed until the loader activates or recovers it; `nextOffset` is set by `setSealedEnd`. */
  static async open(ctx: SegmentContext, baseOffset: number): Promise<LogSegment> {
    const log = await ctx.fs.open(join(ctx.dir, segmentFileName(baseOffset, 'log')), 'rw');
    return new LogSegment(ctx, baseOffset, log, await log.size(), baseOffset);
  }

  get size(): number {
    return this.sizeBytes;
  }

  get nextOffset(): number {
    return this.next;
  }

  get isActive(): boolean {
    return this.active !== null;
  }

  private get indexPaths(): IndexPaths {
    return { fs: this.ctx.fs, dir: this.ctx.dir, baseOffset: this.baseOffset, segmentIndexBytes: this.ctx.config.segmentIndexBytes };
  }

  /** A sealed segment ends where the next begins (its last batch may end earlier: compaction leaves gaps). */
  setSealedEnd(nextOffset: number): void {
    invariant(!this.active && nextOffset >= this.baseOffset, () => `bad end ${nextOffset} for segment ${this.baseOffset}`);
    this.next = nextOffset;
  }

  /**
   * After an unclean shutdown: reads every batch from the start, checking framing, CRC and offset
   * continuity, rebuilds both indexes, and cuts the `.log` after the last good batch.
   */
  async recover(): Promise<SegmentRecovery> {
    await this.releaseIndexes();
    const fileSize = await this.log.size();
    const indexes = emptyIndexes(this.indexPaths);
    const state: ActiveState = { ...freshIndexingState(this.baseOffset), rollingTimestampMs: null };
    const scan = await this.scanInto(indexes, state, 0, this.baseOffset, fileSize);
    if (scan.end < fileSize) {
      await this.log.truncate(scan.end);
      await this.log.datasync();
    }
    this.sizeBytes = scan.end;
    this.next = scan.nextOffset;
    this.indexes = indexes;
    this.active = state;
    await Promise.all([indexes.offset.persist(), indexes.time.persist()]);
    return { truncatedBytes: fileSize - scan.end, stop: scan.stop };
  }

  /**
   * Makes this the active segment after a clean shutdown (or a truncation): trusts the indexes on
   * disk and checks only the batches after the last offset-index entry, re-deriving what the next
   * append needs. Anything that does not add up falls back to a full `recover()`.
   */
  async activate(): Promise<SegmentRecovery | null> {
    await this.releaseIndexes();
    const fileSize = await this.log.size();
    const indexes = await loadIndexes(this.indexPaths, fileSize, Number.MAX_SAFE_INTEGER);
    if (!indexes) return this.recover();
    const resume = stateAtLastEntry(indexes, this.baseOffset);
    const state: ActiveState = { ...resume.state, rollingTimestampMs: await this.firstBatchTimestamp(fileSize) };
    const scan = await this.scanInto(indexes, state, resume.position, resume.offset, fileSize);
    const lastTime = indexes.time.lastEntry();
    if (scan.stop.kind !== 'end' || (lastTime && lastTime.offset >= scan.nextOffset)) return this.recover();
    this.sizeBytes = fileSize;
    this.next = scan.nextOffset;
    this.indexes = indexes;
    this.active = state;
    return null;
  }

  /** Scans [from, to) with CRC checks, entering each batch into `indexes`; stops at the first bad one. */
  private async scanInto(indexes: SegmentIndexes, state: ActiveState, from: number, firstOffset: number, to: number): Promise<{ end: number; nextOffset: number; stop: ScanStop }> {
    const interval = this.ctx.config.indexIntervalBytes;
    let expected = firstOffset;
    const scan = await scanBatches(this.log, {
      from,
      to,
      chunkBytes: this.ctx.config.scanChunkBytes,
      verify: true,
      visit: (batch) => {
        // Offsets increase from batch to batch; compaction (compaction.ts) leaves gaps between them.
        if (batch.baseOffset < expected) return `batch at offset ${batch.baseOffset} where ${expected} or later was expected`;
        if (batch.lastOffset - this.baseOffset > INT32_MAX) return `offset ${batch.lastOffset} is beyond the segment's int32 range`;
        indexBatch(indexes, state, batch, interval);
        state.rollingTimestampMs ??= this.rollingTimestampOf(batch.maxTimestamp);
        expected = batch.lastOffset + 1;
      },
    });
    return { end: scan.end, nextOffset: expected, stop: scan.stop };
  }

  private rollingTimestampOf(maxTimestamp: number): number {
    // Without a timestamp, the segment's age counts from when this log first saw the batch.
    return maxTimestamp >= 0 ? maxTimestamp : this.ctx.clock.nowMs();
  }

  private async firstBatchTimestamp(fileSize: number): Promise<number | null> {
    if (fileSize < BATCH_HEADER_BYTES) return null;
    const header = Buffer.alloc(BATCH_HEADER_BYTES);
    await readFully(this.log, header, BATCH_HEADER_BYTES, 0);
    const parsed = readBatchHeader(header, 0);
    return parsed.ok ? this.rollingTimestampOf(Number(parsed.value.maxTimestamp)) : null;
  }

  /** Whether an append of `bytes` in `batchCount` batches ending at `lastOffset` must go to a new segment. */
  shouldRoll(bytes: number, batchCount: number, lastOffset: number, nowMs: number): boolean {
    const active = this.requireActive();
    const indexes = this.indexes!;
    if (this.sizeBytes === 0) return false;
    return (
      this.sizeBytes + bytes > this.ctx.config.segmentBytes ||
      (active.rollingTimestampMs !== null && nowMs - active.rollingTimestampMs > this.ctx.config.segmentMs) ||
      indexes.offset.entryCount + batchCount > indexes.offset.maxEntries ||
      indexes.time.entryCount + batchCount > indexes.time.maxEntries ||
      lastOffset - this.baseOffset > INT32_MAX
    );
  }

  /** Writes `records` (whole batches, offsets assigned) at the end and indexes them. */
  async append(records: Buffer, batches: readonly SegmentBatch[]): Promise<void> {
    const active = this.requireActive();
    const indexes = this.indexes!;
    const position = this.sizeBytes;
    invariant(batches.length > 0 && batches[0].baseOffset === this.next, () => `append at ${batches[0]?.baseOffset} to a segment ending at ${this.next}`);
    await this.log.write(records, position);
    for (const batch of batches) {
      indexBatch(indexes, active, { ...batch, position: position + batch.start }, this.ctx.config.indexIntervalBytes);
      active.rollingTimestampMs ??= this.rollingTimestampOf(batch.maxTimestamp);
    }
    this.sizeBytes = position + records.length;
    this.next = batches[batches.length - 1].lastOffset + 1;
    if (indexes.offset.wantsPersist) await indexes.offset.persist();
    if (indexes.time.wantsPersist) await indexes.time.persist();
  }

  /** Flushes the `.log` (appended batches) to stable storage. */
  datasync(): Promise<void> {
    return this.log.datasync();
  }

  /**
   * Stops being active: the final time-index entry (so the last entry is the segment's largest
   * timestamp), then the `.log` and both indexes synced, so recovery never needs to rescan it.
   */
  async seal(): Promise<void> {
    const active = this.requireActive();
    const indexes = this.indexes!;
    indexes.time.maybeAppend(active.maxTimestamp, active.offsetOfMaxTimestamp);
    await this.log.datasync();
    await Promise.all([indexes.offset.sync(), indexes.time.sync()]);
    await Promise.all([indexes.offset.closeHandle(), indexes.time.closeHandle()]);
    this.largestTimestampCache = active.maxTimestamp;
    this.active = null;
    this.ctx.indexesLoaded(this);
  }

  /** The largest batch timestamp in the segment (NO_TIMESTAMP when it has none). */
  async largestTimestamp(): Promise<number> {
    if (this.active) return this.active.maxTimestamp;
    if (this.largestTimestampCache === null) {
      const fromIndex = this.indexes ? (this.indexes.time.lastEntry()?.timestamp ?? NO_TIMESTAMP) : await readLargestTimestamp(this.indexPaths, this.next);
      this.largestTimestampCache = fromIndex ?? ((await this.loadIndexes()).time.lastEntry()?.timestamp ?? NO_TIMESTAMP);
    }
    return this.largestTimestampCache;
  }

  /** The batch holding `offset` (the first whose last offset is >= it) among the bytes below `end`; null when none. */
  async locate(offset: number, end = this.sizeBytes): Promise<LocatedBatch | null> {
    const indexes = await this.loadIndexes();
    return findBatch(this.file, indexes.offset.lookup(offset).position, end, (batch) => batch.lastOffset >= offset);
  }

  private get file(): SegmentFile {
    const { scanChunkBytes, indexIntervalBytes } = this.ctx.config;
    // Locating reads headers between two index entries: a couple of intervals' worth at a time.
    const chunkBytes = Math.min(scanChunkBytes, Math.max(8192, 2 * indexIntervalBytes));
    return { log: this.log, path: join(this.ctx.dir, segmentFileName(this.baseOffset, 'log')), chunkBytes };
  }

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` (the first batch even when larger,
   * with `minOneBatch`), stopping before any batch that reaches `maxOffset`. Each is CRC-checked.
   */
  async read(offset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Promise<Buffer> {
    const end = this.sizeBytes;
    const first = await this.locate(offset, end);
    return first ? readBatches(this.file, first, end, maxBytes, maxOffset, minOneBatch) : EMPTY;
  }

  /** The first batch holding offsets at or after `startOffset` whose max timestamp is >= `timestamp` (CRC-checked); null when none. */
  async firstBatchAtOrAfter(timestamp: number, startOffset: number): Promise<Buffer | null> {
    const indexes = await this.loadIndexes();
    // Every batch before the time index's answer is below the target (see time-index.ts).
    const first = await this.locate(Math.max(indexes.time.lookup(timestamp), startOffset));
    if (!first) return null;
    const match = await findBatch(this.file, first.position, this.sizeBytes, (batch) => batch.maxTimestamp >= timestamp);
    return match ? readBatch(this.file, match) : null;
  }

  /**
   * Removes the batch holding `offset` and everything after it, and makes this the active
   * segment. Returns the new end offset (below `offset` when it fell inside a batch).
   */
  async truncateTo(offset: number): Promise<number> {
    const found = await this.locate(offset);
    if (found) {
      const indexes = await this.loadIndexes();
      indexes.offset.truncateTo(found.baseOffset);
      indexes.time.truncateTo(found.baseOffset);
      await this.log.truncate(found.position);
      await this.log.datasync();
      await Promise.all([indexes.offset.sync(), indexes.time.sync()]);
    }
    await this.activate();
    return this.next;
  }

  /** Lets go of a sealed segment's loaded indexes (they are on disk); the next lookup loads them again. */
  dropIndexes(): void {
    if (!this.active) this.indexes = null;
  }

  /** Closes the files, first writing and syncing an active segment's indexes with the final time entry. */
  async close(): Promise<void> {
    if (this.active && this.indexes) {
      this.indexes.time.maybeAppend(this.active.maxTimestamp, this.active.offsetOfMaxTimestamp);
      await Promise.all([this.indexes.offset.sync(), this.indexes.time.sync()]);
    }
    await this.releaseIndexes();
    await this.log.close();
  }

  /** First step of deletion: close, then rename every file with `.deleted` appended (a crash after this is finished by the loader). */
  async renameForDeletion(): Promise<void> {
    await this.releaseIndexes();
    await this.log.close();
    for (const kind of SEGMENT_FILE_KINDS) {
      const path = join(this.ctx.dir, segmentFileName(this.baseOffset, kind));
      await ignoreMissing(() => this.ctx.fs.rename(path, path + DELETED_SUFFIX));
    }
  }

  /** Second step of deletion. */
  async unlinkDeleted(): Promise<void> {
    for (const kind of SEGMENT_FILE_KINDS) {
      await ignoreMissing(() => this.ctx.fs.unlink(join(this.ctx.dir, segmentFileName(this.baseOffset, kind)) + DELETED_SUFFIX));
    }
  }

  private loadIndexes(): Promise<SegmentIndexes> {
    if (this.indexes) return Promise.resolve(this.indexes);
    this.loadingIndexes ??= (async () => {
      try {
        const indexes =
          (await loadIndexes(this.indexPaths, this.sizeBytes, this.next)) ??
          (await rebuildSealedIndexes(this.indexPaths, this.log, this.sizeBytes, this.next, this.ctx.config));
        this.indexes = indexes;
        this.ctx.indexesLoaded(this);
        return indexes;
      } finally {
        this.loadingIndexes = null;
      }
    })();
    return this.loadingIndexes;
  }

  private async releaseIndexes(): Promise<void> {
    const indexes = this.indexes;
    this.indexes = null;
    this.active = null;
    if (indexes) await Promise.all([indexes.offset.closeHandle(), indexes.time.closeHandle()]);
  }

  private requireActive(): ActiveState {
    invariant(this.active && this.indexes, () => `segment ${this.baseOffset} is not active`);
    return this.active;
  }
}

async function ignoreMissing(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(isFileMissing(error))) throw error;
  }
}
