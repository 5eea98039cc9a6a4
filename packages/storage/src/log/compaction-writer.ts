/**
 * Writes one cleaned segment as `.cleaned` files (compaction-files.ts): the kept batches in order,
 * buffered up to `scanChunkBytes` per write, and its offset and time indexes built by the same
 * rule appends use (segment-indexes.ts), so the result is what a sealed segment would be.
 * `finish` makes every file durable; `discard` removes them.
 */
import { join } from 'node:path';
import type { FileHandle } from '@tributary/common';
import { compactionFileName } from './compaction-files.js';
import type { SegmentContext } from './log-segment.js';
import { OffsetIndex } from './offset-index.js';
import { SEGMENT_FILE_KINDS } from './segment-files.js';
import { freshIndexingState, indexBatch, type IndexingState, type SegmentIndexes } from './segment-indexes.js';
import { TimeIndex } from './time-index.js';

export interface WrittenBatch {
  readonly bytes: Buffer;
  readonly baseOffset: number;
  readonly maxTimestamp: number;
}

export class CleanedSegmentWriter {
  private position = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly state: IndexingState;

  private constructor(
    private readonly ctx: SegmentContext,
    readonly baseOffset: number,
    readonly endOffset: number,
    private readonly log: FileHandle,
    private readonly indexes: SegmentIndexes,
  ) {
    this.state = freshIndexingState(baseOffset);
  }

  static async create(ctx: SegmentContext, baseOffset: number, endOffset: number): Promise<CleanedSegmentWriter> {
    const path = (kind: 'log' | 'index' | 'timeindex'): string => join(ctx.dir, compactionFileName(baseOffset, endOffset, kind, 'cleaned'));
    const log = await ctx.fs.open(path('log'), 'rw');
    // A leftover of an earlier attempt is overwritten, never appended to.
    if ((await log.size()) > 0) await log.truncate(0);
    const { segmentIndexBytes } = ctx.config;
    const indexes = {
      offset: new OffsetIndex(path('index'), ctx.fs, baseOffset, segmentIndexBytes),
      time: new TimeIndex(path('timeindex'), ctx.fs, baseOffset, segmentIndexBytes),
    };
    return new CleanedSegmentWriter(ctx, baseOffset, endOffset, log, indexes);
  }

  /** Bytes of batches written so far. */
  get size(): number {
    return this.position + this.pendingBytes;
  }

  async append(batch: WrittenBatch): Promise<void> {
    const position = this.size;
    indexBatch(this.indexes, this.state, { position, size: batch.bytes.length, baseOffset: batch.baseOffset, maxTimestamp: batch.maxTimestamp }, this.ctx.config.indexIntervalBytes);
    this.pending.push(batch.bytes);
    this.pendingBytes += batch.bytes.length;
    if (this.pendingBytes >= this.ctx.config.scanChunkBytes) await this.flushPending();
    if (this.indexes.offset.wantsPersist) await this.indexes.offset.persist();
    if (this.indexes.time.wantsPersist) await this.indexes.time.persist();
  }

  /** Writes the rest and the final time-index entry (as sealing does), syncs every file and closes them. */
  async finish(): Promise<void> {
    await this.flushPending();
    this.indexes.time.maybeAppend(this.state.maxTimestamp, this.state.offsetOfMaxTimestamp);
    await this.log.datasync();
    await Promise.all([this.indexes.offset.sync(), this.indexes.time.sync()]);
    await this.close();
  }

  /** Closes and unlinks the files (best effort: a leftover is removed on the next open). */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    for (const kind of SEGMENT_FILE_KINDS) {
      await this.ctx.fs.unlink(join(this.ctx.dir, compactionFileName(this.baseOffset, this.endOffset, kind, 'cleaned'))).catch(() => undefined);
    }
  }

  private async close(): Promise<void> {
    await Promise.all([this.indexes.offset.closeHandle(), this.indexes.time.closeHandle()]);
    await this.log.close();
  }

  private async flushPending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    await this.log.write(bytes, this.position);
    this.position += bytes.length;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
