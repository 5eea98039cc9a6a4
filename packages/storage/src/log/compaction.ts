/**
 * Log compaction (cleanup.policy=compact), Kafka's log cleaner for one partition: keeps the latest
 * record of every key, and drops tombstones once deleteRetentionMs has passed.
 *
 * One compaction:
 *  1. Plan: the cleanable segments are the oldest sealed ones (the active segment never is) whose
 *     newest batch is at least minCompactionLagMs old (compaction-plan.ts).
 *  2. Map: from the first dirty offset (where the last compaction stopped; the log start after an
 *     open or a truncation) over the rest of the log, the active segment included, each key's
 *     latest offset goes into a map bounded by compactionMapBytesMax (compaction-map.ts). When a
 *     key does not fit, the map ends there and only the segments it covers are cleaned.
 *  3. Clean: the cleaned segments, from the log start, are rewritten into `.cleaned` files, several
 *     small ones merged into one up to segmentBytes, each batch keeping only the records the rules
 *     of compaction-filter.ts keep, at their original offsets. A batch left with no record is
 *     dropped, unless it ends the log (it is then kept as it was: its producer's last batch).
 *  4. Swap, in the append queue, crash-safely (compaction-files.ts, compaction-swap.ts).
 *
 * Steps 2 and 3 run beside appends and reads: each chunk is read under the read lock (shared), so
 * a truncation or deletion never closes a file under it. Any change to the set of segments meanwhile
 * (a truncation, retention, DeleteRecords) makes the compaction stop, its files removed
 * ('interrupted'); the next one starts over. Failing to write the cleaned files (ENOSPC) is returned
 * without taking the log offline: the log itself is untouched. One compaction runs at a time.
 *
 * Offsets removed leave gaps: a read at an offset in a gap returns the batches after it, as Kafka's
 * fetch does (consumers skip gaps).
 */
import { err, ok, type Result } from '@tributary/common';
import { decodeRecordBatch, readBatchHeader, splitBatches, type Record, type RecordBatchHeader } from '@tributary/protocol';
import { cleanBatch, type CleaningRules } from './compaction-filter.js';
import { CompactionMap } from './compaction-map.js';
import { cleanableCount, cleanedCount, dirtyRatio, groupSegments, type PlannedSegment } from './compaction-plan.js';
import { swapInCleanedRuns, type CleanedRun } from './compaction-swap.js';
import { CleanedSegmentWriter } from './compaction-writer.js';
import { policyCompacts } from './log-config.js';
import { LogBusyError, LogStorageError, storageErrorFrom, type LogUnavailableError } from './log-errors.js';
import type { LogGate } from './log-gate.js';
import type { LogSegment, SegmentContext } from './log-segment.js';
import type { LoadedIndexCache } from './loaded-index-cache.js';
import type { SegmentSet } from './segment-set.js';

export interface CompactionStats {
  /** 'nothing-to-clean': no sealed segment was old enough. 'interrupted': the log changed meanwhile; nothing was replaced. */
  readonly outcome: 'compacted' | 'nothing-to-clean' | 'interrupted';
  readonly segmentsCleaned: number;
  /** The segments that replaced them. */
  readonly segmentsWritten: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Records dropped: superseded ones and tombstones. */
  readonly recordsRemoved: number;
  readonly tombstonesRemoved: number;
  readonly batchesRemoved: number;
  /** Records from the log start up to this offset were cleaned. */
  readonly cleanedEndOffset: number;
  /** Below this offset every keyed record's key was in the map; above it, tombstones are never dropped. */
  readonly mapEndOffset: number;
  readonly mapKeys: number;
}

export type CompactionError = LogUnavailableError | LogBusyError | LogStorageError;

export interface CompactionHost {
  readonly ctx: SegmentContext;
  readonly segments: SegmentSet;
  readonly gate: LogGate;
  readonly indexCache: LoadedIndexCache<LogSegment>;
}

interface Plan {
  readonly nowMs: number;
  readonly generation: number;
  readonly truncations: number;
  readonly logEndOffset: number;
  readonly dirtyStart: number;
  readonly cleanable: readonly LogSegment[];
  readonly summaries: readonly PlannedSegment[];
}

type Visit = (bytes: Buffer, header: RecordBatchHeader) => Promise<'stop' | void>;

/** Returned by a step when the segment set changed under it. */
const CHANGED = 'changed';

class Counters {
  recordsRemoved = 0;
  tombstonesRemoved = 0;
  batchesRemoved = 0;
}

export class LogCompactor {
  private running = false;
  private firstDirty = 0;
  /** The truncation count `firstDirty` was set at; a truncation since then voids it. */
  private firstDirtyTruncations = -1;

  constructor(private readonly host: CompactionHost) {}

  /** Where the uncleaned part of the log starts. */
  get firstDirtyOffset(): number {
    const { segments } = this.host;
    if (this.firstDirtyTruncations !== segments.truncationCount) return segments.logStartOffset;
    return Math.min(Math.max(this.firstDirty, segments.logStartOffset), segments.logEndOffset);
  }

  /** The share of the sealed segments' bytes not yet cleaned. */
  get dirtyRatio(): number {
    return dirtyRatio(this.sealedSizes(), this.firstDirtyOffset).ratio;
  }

  /** Whether the policy compacts and the dirty ratio has reached minCleanableDirtyRatio (with something dirty). */
  needsCompaction(): boolean {
    if (!policyCompacts(this.host.ctx.config)) return false;
    const { ratio, dirtyBytes } = dirtyRatio(this.sealedSizes(), this.firstDirtyOffset);
    return dirtyBytes > 0 && ratio >= this.host.ctx.config.minCleanableDirtyRatio;
  }

  private sealedSizes(): PlannedSegment[] {
    const all = this.host.segments.all;
    return all.slice(0, -1).map((s, i) => ({ baseOffset: s.baseOffset, endOffset: all[i + 1].baseOffset, size: s.size, largestTimestamp: -1 }));
  }

  async compact(nowMs: number): Promise<Result<CompactionStats, CompactionError>> {
    const unavailable = this.host.gate.unavailable();
    if (unavailable) return err(unavailable);
    if (this.running) return err(new LogBusyError(`a compaction of ${this.host.ctx.dir} is already running`));
    this.running = true;
    try {
      const planned = await this.host.gate.shared<Plan, never>('compaction plan', () => this.plan(nowMs));
      if (!planned.ok) return planned;
      const plan = planned.value;
      if (plan.cleanable.length === 0) return ok(this.stats('nothing-to-clean', plan.dirtyStart, plan.dirtyStart, 0));
      return await this.run(plan);
    } catch (error) {
      // A batch that will not decode, or a failed write of the cleaned files: this compaction
      // stops, the log itself stays as it was and online (what reads it is unaffected).
      const storage = storageErrorFrom(error, `compacting ${this.host.ctx.dir}`);
      if (!storage) throw error;
      return err(storage);
    } finally {
      this.running = false;
    }
  }

  private async plan(nowMs: number): Promise<Result<Plan, never>> {
    const { segments, ctx } = this.host;
    const sealed = segments.all.slice(0, -1);
    const summaries: PlannedSegment[] = [];
    for (const [i, segment] of sealed.entries()) {
      const endOffset = segments.all[i + 1].baseOffset;
      summaries.push({ baseOffset: segment.baseOffset, endOffset, size: segment.size, largestTimestamp: await segment.largestTimestamp() });
    }
    const count = cleanableCount(summaries, nowMs, ctx.config.minCompactionLagMs);
    return ok({
      nowMs,
      generation: segments.generation,
      truncations: segments.truncationCount,
      logEndOffset: segments.logEndOffset,
      dirtyStart: this.firstDirtyOffset,
      cleanable: sealed.slice(0, count),
      summaries: summaries.slice(0, count),
    });
  }

  private async run(plan: Plan): Promise<Result<CompactionStats, CompactionError>> {
    const mapped = await this.buildMap(plan);
    if (!mapped.ok) return mapped;
    if (mapped.value === CHANGED) return ok(this.stats('interrupted', plan.dirtyStart, plan.dirtyStart, 0));
    const { map, mapEndOffset } = mapped.value;
    const count = cleanedCount(plan.summaries, plan.dirtyStart, mapEndOffset);
    const cleaned = plan.summaries.slice(0, count);
    const cleanedEndOffset = cleaned[count - 1].endOffset;
    const rules: CleaningRules = { map, mapEndOffset, tombstoneHorizonMs: plan.nowMs - this.host.ctx.config.deleteRetentionMs };
    const runs = groupSegments(cleaned, this.host.ctx.config.segmentBytes).map(({ from, to }) => ({
      old: plan.cleanable.slice(from, to),
      baseOffset: cleaned[from].baseOffset,
      endOffset: cleaned[to - 1].endOffset,
    }));
    const counters = new Counters();
    const written = await this.writeRuns(plan, runs, rules, counters);
    if (!written.ok) return written;
    if (written.value === CHANGED) return ok(this.stats('interrupted', plan.dirtyStart, mapEndOffset, map.size));
    const swapped = await this.host.gate.queued<'swapped' | typeof CHANGED, never>('compaction swap', async () => {
      if (this.host.segments.generation !== plan.generation) return ok(CHANGED);
      const { segments, gate, ctx, indexCache } = this.host;
      await swapInCleanedRuns({ ctx, segments, readLock: gate.readLock, indexCache }, runs);
      this.firstDirty = Math.min(cleanedEndOffset, mapEndOffset);
      this.firstDirtyTruncations = plan.truncations;
      return ok('swapped' as const);
    });
    if (!swapped.ok || swapped.value === CHANGED) {
      await this.discard(written.value);
      return swapped.ok ? ok(this.stats('interrupted', plan.dirtyStart, mapEndOffset, map.size)) : swapped;
    }
    const bytesBefore = cleaned.reduce((n, s) => n + s.size, 0);
    const bytesAfter = written.value.reduce((n, w) => n + w.size, 0);
    return ok({ ...this.stats('compacted', cleanedEndOffset, mapEndOffset, map.size), ...counters, segmentsCleaned: count, segmentsWritten: runs.length, bytesBefore, bytesAfter });
  }

  /** The latest offset of each key from the first dirty offset on, until the map is full. */
  private async buildMap(plan: Plan): Promise<Result<{ map: CompactionMap; mapEndOffset: number } | typeof CHANGED, CompactionError>> {
    const map = new CompactionMap(this.host.ctx.config.compactionMapBytesMax);
    let mapEndOffset = plan.logEndOffset;
    const visit: Visit = async (bytes, header) => {
      if (header.isControl) return;
      const records = await this.decode(bytes);
      const baseOffset = Number(header.baseOffset);
      for (const record of records) {
        const offset = baseOffset + record.offsetDelta;
        if (offset < plan.dirtyStart || record.key === null) continue;
        if (!map.put(record.key, offset)) {
          mapEndOffset = offset;
          return 'stop';
        }
      }
    };
    // Retention may have removed the segment holding the dirty start since the plan.
    if (this.host.segments.generation !== plan.generation) return ok(CHANGED);
    let segment: LogSegment | null = this.host.segments.holding(plan.dirtyStart);
    // Bounded by the segment count: each round moves to the next segment.
    while (segment) {
      const to = segment.isActive ? plan.logEndOffset : (this.host.segments.after(segment)?.baseOffset ?? plan.logEndOffset);
      const visited = await this.visitBatches(plan, segment, Math.max(plan.dirtyStart, segment.baseOffset), Math.min(to, plan.logEndOffset), visit);
      if (!visited.ok || visited.value === CHANGED) return visited as Result<typeof CHANGED, CompactionError>;
      if (visited.value === 'stopped' || segment.isActive) break;
      segment = this.host.segments.after(segment);
    }
    return ok({ map, mapEndOffset });
  }

  /** Writes each run's cleaned segment; on any failure or change, what was written is removed. */
  private async writeRuns(plan: Plan, runs: readonly CleanedRun[], rules: CleaningRules, counters: Counters): Promise<Result<CleanedSegmentWriter[] | typeof CHANGED, CompactionError>> {
    const writers: CleanedSegmentWriter[] = [];
    try {
      for (const run of runs) {
        const writer = await CleanedSegmentWriter.create(this.host.ctx, run.baseOffset, run.endOffset);
        writers.push(writer);
        for (const [i, segment] of run.old.entries()) {
          const end = i + 1 < run.old.length ? run.old[i + 1].baseOffset : run.endOffset;
          const visited = await this.visitBatches(plan, segment, segment.baseOffset, end, (bytes, header) => this.cleanInto(writer, plan, bytes, header, rules, counters));
          if (!visited.ok || visited.value === CHANGED) {
            await this.discard(writers);
            return visited as Result<typeof CHANGED, CompactionError>;
          }
        }
        await writer.finish();
      }
      return ok(writers);
    } catch (error) {
      await this.discard(writers);
      const storage = storageErrorFrom(error, `compacting ${this.host.ctx.dir}`);
      if (!storage) throw error;
      return err(storage);
    }
  }

  private async cleanInto(writer: CleanedSegmentWriter, plan: Plan, bytes: Buffer, header: RecordBatchHeader, rules: CleaningRules, counters: Counters): Promise<void> {
    const baseOffset = Number(header.baseOffset);
    const cleaned = await cleanBatch(bytes, header, rules);
    if (!cleaned.ok) throw new LogStorageError('corrupt', `compacting ${this.host.ctx.dir}: batch at offset ${baseOffset} does not decode: ${cleaned.error.message}`);
    const result = cleaned.value;
    // The log's last batch stays even when emptied: it carries its producer's last sequence.
    const endsLog = baseOffset + header.lastOffsetDelta + 1 === plan.logEndOffset;
    if (result.kind === 'unchanged' || (result.kind === 'emptied' && endsLog)) {
      await writer.append({ bytes, baseOffset, maxTimestamp: Number(header.maxTimestamp) });
      return;
    }
    counters.recordsRemoved += result.records;
    counters.tombstonesRemoved += result.tombstones;
    if (result.kind === 'emptied') {
      counters.batchesRemoved++;
      return;
    }
    const rewritten = readBatchHeader(result.bytes, 0);
    if (!rewritten.ok) throw rewritten.error;
    await writer.append({ bytes: result.bytes, baseOffset, maxTimestamp: Number(rewritten.value.maxTimestamp) });
  }

  /**
   * Visits the batches of `segment` holding offsets in [from, to), reading a chunk at a time under
   * the read lock. 'changed' when the segment set changed (the segment may be gone).
   */
  private async visitBatches(plan: Plan, segment: LogSegment, from: number, to: number, visit: Visit): Promise<Result<'done' | 'stopped' | typeof CHANGED, CompactionError>> {
    const { gate, segments, ctx } = this.host;
    let offset = from;
    // Bounded by the segment's batches: each round moves `offset` past at least one.
    while (offset < to) {
      const read = await gate.shared<Buffer | null, never>('compaction read', async () => {
        if (segments.generation !== plan.generation) return ok(null);
        return ok(await segment.read(offset, ctx.config.scanChunkBytes, to, true));
      });
      if (!read.ok) return read;
      if (read.value === null) return ok(CHANGED);
      if (read.value.length === 0) return ok('done');
      const split = splitBatches(read.value);
      if (!split.ok) throw new LogStorageError('corrupt', `compacting ${ctx.dir}: ${split.error.message}`);
      for (const { header, bytes } of split.value.batches) {
        if ((await visit(bytes, header)) === 'stop') return ok('stopped');
        offset = Number(header.baseOffset) + header.lastOffsetDelta + 1;
      }
    }
    return ok('done');
  }

  private async decode(bytes: Buffer): Promise<readonly Record[]> {
    const decoded = await decodeRecordBatch(bytes);
    if (!decoded.ok) throw new LogStorageError('corrupt', `compacting ${this.host.ctx.dir}: a stored batch does not decode: ${decoded.error.message}`);
    return decoded.value.records;
  }

  private async discard(writers: readonly CleanedSegmentWriter[]): Promise<void> {
    for (const writer of writers) await writer.discard();
  }

  private stats(outcome: CompactionStats['outcome'], cleanedEndOffset: number, mapEndOffset: number, mapKeys: number): CompactionStats {
    return { outcome, segmentsCleaned: 0, segmentsWritten: 0, bytesBefore: 0, bytesAfter: 0, recordsRemoved: 0, tombstonesRemoved: 0, batchesRemoved: 0, cleanedEndOffset, mapEndOffset, mapKeys };
  }
}
