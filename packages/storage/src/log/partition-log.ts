/**
 * One partition's log on disk, the way Kafka keeps it: segments of record batches named by base
 * offset, each with a sparse offset index and a time index (see log-segment.ts), through an
 * injected FileSystem and Clock.
 *
 * - Appends are serialised (offsets are assigned in order) and written; with the default flush
 *   policy ('every-append') an append's promise resolves only after a datasync covering its bytes
 *   has completed, shared by every append written meanwhile (group-commit.ts). With 'interval' or
 *   'never' it resolves once written, and `durableEndOffset` says how far the disk has caught up.
 * - Reads return whole stored batches, CRC-checked, as Fetch sends them.
 * - Failures are values. An I/O error (ENOSPC, EACCES, EIO, a failed datasync) or corruption
 *   takes this log offline: that call and every later one return the same LogStorageError
 *   (Kafka's KAFKA_STORAGE_ERROR) until the log is reopened, which runs recovery. Other logs on
 *   the same FileSystem are unaffected.
 *
 * Offsets are JS numbers, asserted to be safe integers: 2^53 offsets is centuries of appends at a
 * million records a second.
 */
import { err, invariant, ok, type Clock, type FileSystem, type Result } from '@tributary/common';
import { TimestampType } from '@tributary/protocol';
import { placeFollowerBatches, stampAsLeader, validateIncoming, type AppendRole, type IncomingBatch } from './append-validation.js';
import { LogCompactor, type CompactionError, type CompactionStats } from './compaction.js';
import { GroupCommit } from './group-commit.js';
import { policyDeletes, resolveLogConfig, type LogConfig } from './log-config.js';
import {
  InvalidBatchError,
  LogBusyError,
  LogStorageError,
  OffsetOutOfRangeError,
  UnexpectedAppendOffsetError,
  storageErrorFrom,
  type AppendError,
  type LogUnavailableError,
  type ReadError,
} from './log-errors.js';
import { loadLog, writeCleanShutdownMarker } from './log-loader.js';
import { writeLogStartOffset } from './log-start-offset-checkpoint.js';
import { LogSegment, type SegmentBatch, type SegmentContext } from './log-segment.js';
import { LoadedIndexCache } from './loaded-index-cache.js';
import { LogGate } from './log-gate.js';
import { unrefScheduler, type Scheduler } from './scheduler.js';
import { SegmentSet } from './segment-set.js';
import { firstRecordAtOrAfter, type OffsetAndTimestamp } from './timestamp-search.js';
import type { AppendInfo, PartitionLogOptions, ReadOptions, ReadResult } from './partition-log-types.js';

export class PartitionLog {
  private readonly gate: LogGate;
  private readonly groupCommit: GroupCommit;
  private readonly compactor: LogCompactor;
  private flushTimer: unknown = null;

  private constructor(
    readonly dir: string,
    private readonly fs: FileSystem,
    private readonly clock: Clock,
    readonly config: LogConfig,
    private readonly scheduler: Scheduler,
    private readonly ctx: SegmentContext,
    private readonly segments: SegmentSet,
    private readonly indexCache: LoadedIndexCache<LogSegment>,
  ) {
    this.gate = new LogGate(dir, config, (error) => {
      this.disarmFlushTimer();
      this.groupCommit.fail(error);
    });
    this.groupCommit = new GroupCommit(
      { writtenEndOffset: () => this.logEndOffset, sync: () => this.segments.active.datasync() },
      // After a clean shutdown or a recovery, what is on disk is what was synced or re-read.
      segments.logEndOffset,
      (error) => this.gate.goOffline(error, 'datasync'),
    );
    this.compactor = new LogCompactor({ ctx, segments, gate: this.gate, indexCache });
  }

  /** Opens (or creates) the log in `options.dir`, recovering it after an unclean shutdown. */
  static async open(options: PartitionLogOptions): Promise<Result<PartitionLog, LogStorageError>> {
    const config = resolveLogConfig(options.config);
    const indexCache = new LoadedIndexCache<LogSegment>(config.loadedIndexesMax);
    const ctx: SegmentContext = { fs: options.fs, dir: options.dir, config, clock: options.clock, indexesLoaded: (s) => indexCache.loadedBy(s) };
    try {
      const loaded = await loadLog(ctx);
      const segments = new SegmentSet(loaded.segments, loaded.logStartOffset);
      return ok(new PartitionLog(options.dir, options.fs, options.clock, config, options.scheduler ?? unrefScheduler, ctx, segments, indexCache));
    } catch (error) {
      const storage = storageErrorFrom(error, `opening the log in ${options.dir}`);
      if (!storage) throw error;
      return err(storage);
    }
  }

  get logStartOffset(): number {
    return this.segments.logStartOffset;
  }

  /** The offset the next append gets: one past the last written batch. */
  get logEndOffset(): number {
    return this.segments.logEndOffset;
  }

  /** Everything below this offset has been datasynced. */
  get durableEndOffset(): number {
    return this.groupCommit.durableEndOffset;
  }

  /** Bytes of batches across every segment. */
  get sizeBytes(): number {
    return this.segments.sizeBytes;
  }

  get segmentCount(): number {
    return this.segments.count;
  }

  /** The error that took the log offline, if one did. */
  get offlineError(): LogStorageError | null {
    return this.gate.offlineError;
  }

  /**
   * Appends producer batches as the leader: validates each (magic 2, CRC, lengths, records > 0),
   * assigns offsets from the log end and stamps `leaderEpoch` (and, with LogAppendTime, the
   * time) into `records` in place. Resolves per the flush policy (see the file comment).
   */
  async appendAsLeader(records: Buffer, options: { readonly leaderEpoch: number }): Promise<Result<AppendInfo, AppendError>> {
    const { leaderEpoch } = options;
    invariant(Number.isInteger(leaderEpoch) && leaderEpoch >= -1 && leaderEpoch <= 0x7fff_ffff, () => `bad leader epoch ${leaderEpoch}`);
    const batches = this.validate(records, 'leader');
    if (!batches.ok) return batches;
    return this.append('append', async () => {
      const nowMs = this.clock.nowMs();
      const logAppendTimeMs = this.config.timestampType === TimestampType.LogAppendTime ? nowMs : null;
      const baseOffset = this.logEndOffset;
      const stamped = stampAsLeader(records, batches.value, baseOffset, leaderEpoch, logAppendTimeMs);
      await this.write(records, stamped.batches, nowMs);
      return ok({ baseOffset, lastOffset: stamped.lastOffset, logAppendTimeMs: logAppendTimeMs ?? -1, maxTimestamp: stamped.maxTimestamp });
    });
  }

  /** Appends a leader's batches as they are (offsets and epochs kept); they must start at the log end. */
  async appendAsFollower(records: Buffer): Promise<Result<AppendInfo, AppendError>> {
    const batches = this.validate(records, 'follower');
    if (!batches.ok) return batches;
    return this.append('follower append', async () => {
      const placed = placeFollowerBatches(batches.value);
      const baseOffset = placed[0].baseOffset;
      const expected = this.logEndOffset;
      if (baseOffset !== expected) {
        return err(new UnexpectedAppendOffsetError(expected, baseOffset, `follower append starts at ${baseOffset}, the log ends at ${expected}`));
      }
      await this.write(records, placed, this.clock.nowMs());
      const maxTimestamp = Math.max(...placed.map((b) => b.maxTimestamp));
      return ok({ baseOffset, lastOffset: placed[placed.length - 1].lastOffset, logAppendTimeMs: -1, maxTimestamp });
    });
  }

  private validate(records: Buffer, role: AppendRole): Result<IncomingBatch[], InvalidBatchError> {
    if (records.length > this.config.segmentBytes) {
      return err(new InvalidBatchError('too-large', `${records.length} bytes of batches exceed segmentBytes ${this.config.segmentBytes}`));
    }
    return validateIncoming(records, role, this.config.maxBatchBytes);
  }

  /** Queues an append's offset assignment and write, then waits for durability as the policy says. */
  private async append(context: string, assignAndWrite: () => Promise<Result<AppendInfo, AppendError>>): Promise<Result<AppendInfo, AppendError>> {
    const written = await this.gate.queued(context, assignAndWrite);
    if (!written.ok || this.config.flush.kind !== 'every-append') return written;
    const durable = await this.groupCommit.waitFor(written.value.lastOffset + 1);
    return durable.ok ? written : err(durable.error);
  }

  /** In the append queue: rolls when the active segment cannot take the batches, then writes them. */
  private async write(records: Buffer, batches: readonly SegmentBatch[], nowMs: number): Promise<void> {
    const lastOffset = batches[batches.length - 1].lastOffset;
    invariant(Number.isSafeInteger(lastOffset), () => `offset ${lastOffset} is not a safe integer`);
    if (this.segments.active.shouldRoll(records.length, batches.length, lastOffset, nowMs)) await this.rollActive();
    await this.segments.active.append(records, batches);
    this.armFlushTimer();
  }

  /** In the append queue: seals the active segment (synced) and starts a new one at the log end. */
  private async rollActive(): Promise<void> {
    const sealed = this.segments.active;
    await sealed.seal();
    this.groupCommit.markDurable(sealed.nextOffset);
    const next = await LogSegment.create(this.ctx, sealed.nextOffset);
    await this.fs.syncDirectory(this.dir);
    this.segments.push(next);
  }

  /** Starts a new segment now (when the active one holds anything). */
  async roll(): Promise<Result<void, LogUnavailableError | LogBusyError>> {
    return this.gate.queued('roll', async () => {
      if (this.segments.active.size > 0) await this.rollActive();
      return ok(undefined);
    });
  }

  /**
   * Whole batches from the one holding `offset`, up to `options.maxBytes`. `offset` must lie in
   * [logStartOffset, logEndOffset] (OffsetOutOfRangeError otherwise); at the end the result is empty.
   * One segment per call, as in Kafka: a reader at a segment's end gets the next on its next read.
   */
  async read(offset: number, options: ReadOptions): Promise<Result<ReadResult, ReadError>> {
    invariant(Number.isSafeInteger(offset), () => `offset ${offset} is not a safe integer`);
    invariant(Number.isSafeInteger(options.maxBytes) && options.maxBytes >= 0, () => `bad maxBytes ${options.maxBytes}`);
    return this.gate.shared('read', async () => {
      const logStartOffset = this.logStartOffset;
      const logEndOffset = this.logEndOffset;
      if (offset < logStartOffset || offset > logEndOffset) return err(new OffsetOutOfRangeError(offset, logStartOffset, logEndOffset));
      const maxOffset = Math.min(options.maxOffset ?? logEndOffset, logEndOffset);
      const empty = ok({ records: Buffer.alloc(0), logStartOffset, logEndOffset });
      if (offset >= maxOffset) return empty;
      const minOneBatch = options.minOneBatch ?? true;
      let segment = this.segments.holding(offset);
      let records = await segment.read(offset, options.maxBytes, maxOffset, minOneBatch);
      // Compaction can leave a sealed segment ending before the next begins: an offset in that gap
      // is read from the next segment (bounded by the segment count).
      while (records.length === 0 && !segment.isActive && (await segment.locate(offset)) === null) {
        segment = this.segments.after(segment)!;
        records = await segment.read(offset, options.maxBytes, maxOffset, minOneBatch);
      }
      return ok({ records, logStartOffset, logEndOffset });
    });
  }

  /**
   * The earliest offset at or after the log start whose record timestamp is >= `timestamp`, with
   * that timestamp (ListOffsets); null when no record is that recent. Segments are skipped by their
   * largest timestamp, then the time index and a scan find the batch, then its records are read.
   */
  async offsetForTimestamp(timestamp: number): Promise<Result<OffsetAndTimestamp | null, LogUnavailableError | LogBusyError>> {
    return this.gate.shared('timestamp lookup', async () => {
      const logStartOffset = this.logStartOffset;
      for (const segment of this.segments.all) {
        if (segment.nextOffset <= logStartOffset || (await segment.largestTimestamp()) < timestamp) continue;
        const batch = await segment.firstBatchAtOrAfter(timestamp, logStartOffset);
        if (batch) return ok(await firstRecordAtOrAfter(batch, timestamp, logStartOffset));
      }
      return ok(null);
    });
  }

  /**
   * Cuts the log so it ends at `offset` or, when `offset` falls inside a batch, at that batch's
   * start (follower divergence): later segments are deleted, the one holding `offset` is cut, its
   * indexes with it. Below the log start it empties the log and restarts it at `offset`.
   * Returns the new log end offset.
   */
  async truncateTo(offset: number): Promise<Result<number, LogUnavailableError | LogBusyError>> {
    invariant(Number.isSafeInteger(offset) && offset >= 0, () => `bad truncation offset ${offset}`);
    return this.gate.queued('truncate', async () => {
      if (offset >= this.logEndOffset) return ok(this.logEndOffset);
      if (offset < this.logStartOffset) return ok(await this.restartAt(offset));
      await this.flushForTruncation();
      const doomed = await this.gate.readLock.exclusive(async () => {
        const later = this.segments.removeAfter(offset);
        await this.renameForDeletion(later, 'suffix');
        await this.segments.active.truncateTo(offset);
        this.segments.clampLogStartOffset();
        return later;
      });
      this.groupCommit.resetTo(this.logEndOffset);
      await this.unlinkDeleted(doomed);
      return ok(this.logEndOffset);
    });
  }

  /** Empties the log and restarts it at `offset` (a follower whose fetch offset the leader no longer has). */
  async truncateFullyAndStartAt(offset: number): Promise<Result<number, LogUnavailableError | LogBusyError>> {
    invariant(Number.isSafeInteger(offset) && offset >= 0, () => `bad restart offset ${offset}`);
    return this.gate.queued('truncate fully', async () => ok(await this.restartAt(offset)));
  }

  private async restartAt(offset: number): Promise<number> {
    await this.flushForTruncation();
    const doomed = await this.gate.readLock.exclusive(async () => {
      const all = this.segments.all.slice();
      await this.renameForDeletion(all, 'suffix');
      const fresh = await LogSegment.create(this.ctx, offset);
      await this.fs.syncDirectory(this.dir);
      this.segments.replaceAll(fresh, offset);
      return all;
    });
    await writeLogStartOffset(this.fs, this.dir, this.logStartOffset);
    this.groupCommit.resetTo(offset);
    await this.unlinkDeleted(doomed);
    return offset;
  }

  private async flushForTruncation(): Promise<void> {
    // Every append still waiting for durability completes first, so none can refer to cut bytes.
    const flushed = await this.groupCommit.syncNow();
    if (!flushed.ok) throw flushed.error;
  }

  /**
   * DeleteRecords: moves the log start to `offset` (at most the log end) durably, then deletes the
   * sealed segments wholly below it. Returns the log start offset.
   */
  async deleteRecordsBefore(offset: number): Promise<Result<number, LogUnavailableError | LogBusyError | OffsetOutOfRangeError>> {
    invariant(Number.isSafeInteger(offset), () => `offset ${offset} is not a safe integer`);
    return this.gate.queued('delete records', async () => {
      if (offset > this.logEndOffset) return err(new OffsetOutOfRangeError(offset, this.logStartOffset, this.logEndOffset));
      if (offset <= this.logStartOffset) return ok(this.logStartOffset);
      this.segments.advanceLogStartOffset(offset);
      await writeLogStartOffset(this.fs, this.dir, this.logStartOffset);
      await this.deleteSegments(this.segments.removeSealedBelow(offset));
      return ok(this.logStartOffset);
    });
  }

  /**
   * Deletes the oldest segments that retention (retentionMs, retentionBytes) no longer keeps, never
   * past `maxOffset` (default the log end: pass the high watermark). An expired active segment is
   * rolled first. Returns how many segments went; always 0 when cleanupPolicy is 'compact'.
   */
  async enforceRetention(options: { readonly maxOffset?: number } = {}): Promise<Result<number, LogUnavailableError | LogBusyError>> {
    return this.gate.queued('retention', async () => {
      if (!policyDeletes(this.config)) return ok(0);
      const policy = {
        nowMs: this.clock.nowMs(),
        retentionMs: this.config.retentionMs,
        retentionBytes: this.config.retentionBytes,
        maxOffset: Math.min(options.maxOffset ?? this.logEndOffset, this.logEndOffset),
      };
      const count = await this.segments.countToDelete(policy);
      if (count === 0) return ok(0);
      if (count === this.segments.count) await this.rollActive();
      const doomed = this.segments.removeOldest(count);
      await writeLogStartOffset(this.fs, this.dir, this.logStartOffset);
      await this.deleteSegments(doomed);
      return ok(count);
    });
  }

  /**
   * Compacts the sealed segments (see compaction.ts): the latest record of each key stays, at its
   * offset; tombstones go once deleteRetentionMs past `nowMs` (default: the clock). Runs whatever
   * the cleanup policy; `needsCompaction()` says when a periodic caller should.
   */
  compact(options: { readonly nowMs?: number } = {}): Promise<Result<CompactionStats, CompactionError>> {
    return this.compactor.compact(options.nowMs ?? this.clock.nowMs());
  }

  /** Whether cleanupPolicy compacts and the dirty ratio has reached minCleanableDirtyRatio. */
  needsCompaction(): boolean {
    return this.compactor.needsCompaction();
  }

  /** The share of the sealed segments' bytes written since the last compaction (all of it after an open). */
  get dirtyRatio(): number {
    return this.compactor.dirtyRatio;
  }

  /** Makes everything written durable now; returns the durable end offset. */
  async flush(): Promise<Result<number, LogUnavailableError>> {
    const unavailable = this.gate.unavailable();
    if (unavailable) return err(unavailable);
    const synced = await this.groupCommit.syncNow();
    return synced.ok ? ok(this.durableEndOffset) : err(synced.error);
  }

  /**
   * Waits for queued appends and reads, syncs everything, writes the indexes and the clean-shutdown
   * marker. Later calls return LogClosedError. An offline log closes its files without the marker,
   * so the next open recovers.
   */
  async close(): Promise<Result<void, LogStorageError>> {
    if (!this.gate.startClosing()) return ok(undefined);
    this.disarmFlushTimer();
    return this.gate.appendQueue.runAlways(async () => {
      const offline = this.gate.offlineError;
      if (offline) {
        await this.segments.closeAll().catch(() => undefined);
        return err(offline);
      }
      try {
        const synced = await this.groupCommit.syncNow();
        if (!synced.ok) throw synced.error;
        await this.gate.readLock.exclusive(() => this.segments.closeAll());
        await writeCleanShutdownMarker(this.fs, this.dir);
        return ok(undefined);
      } catch (error) {
        return err(this.gate.goOffline(error, 'close'));
      }
    });
  }

  private async deleteSegments(doomed: readonly LogSegment[]): Promise<void> {
    if (doomed.length === 0) return;
    // Readers that started before the segments left the set finish first (they hold the lock shared).
    await this.gate.readLock.exclusive(() => this.renameForDeletion(doomed, 'prefix'));
    await this.unlinkDeleted(doomed);
  }

  /**
   * The doomed segments are a prefix (retention, DeleteRecords) or a suffix (truncation) of the
   * log; they are renamed from the end away from what stays, so a crash part-way leaves a log
   * without a hole: a later start or an earlier end.
   */
  private async renameForDeletion(doomed: readonly LogSegment[], part: 'prefix' | 'suffix'): Promise<void> {
    for (const segment of part === 'prefix' ? doomed : [...doomed].reverse()) {
      this.indexCache.forget(segment);
      await segment.renameForDeletion();
    }
    if (doomed.length > 0) await this.fs.syncDirectory(this.dir);
  }

  private async unlinkDeleted(doomed: readonly LogSegment[]): Promise<void> {
    for (const segment of doomed) await segment.unlinkDeleted();
  }

  private armFlushTimer(): void {
    const flush = this.config.flush;
    if (flush.kind !== 'interval' || this.flushTimer !== null || this.gate.isClosing) return;
    this.flushTimer = this.scheduler.setTimeout(() => {
      this.flushTimer = null;
      // A failure takes the log offline through the group commit; nobody waits on this sync.
      if (this.gate.unavailable() === null) void this.groupCommit.syncNow();
    }, flush.intervalMs);
  }

  private disarmFlushTimer(): void {
    if (this.flushTimer === null) return;
    this.scheduler.clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }
}
