/**
 * One partition of a local topic: its handle (what handlers see) and how its log is opened with
 * the topic's resolved config. The handle keeps its identity while its log is swapped (a config
 * change reopens the log), so `handle.log` is always the current one.
 */
import type { Clock, FileSystem } from '@tributary/common';
import { TimestampType } from '@tributary/protocol';
import { LogClosedError, PartitionLog, type LogConfig, type Scheduler } from '@tributary/storage';
import type pino from 'pino';
import { offlinePartitionLog } from './offline-partition-log.js';
import type { PartitionHandle, TopicConfig } from './topic-manager.js';

export class LocalPartitionHandle implements PartitionHandle {
  /** Leadership never moves on a single broker. */
  readonly leaderEpoch = 0;
  readonly replicas: readonly number[];

  constructor(
    readonly topic: string,
    readonly index: number,
    public log: PartitionLog,
    private readonly nodeId: number,
  ) {
    this.replicas = [nodeId];
  }

  /** A partition whose log is offline has no leader and an empty ISR. */
  get leaderId(): number {
    return this.log.offlineError === null ? this.nodeId : -1;
  }

  get isr(): readonly number[] {
    return this.log.offlineError === null ? this.replicas : [];
  }

  get offlineReplicas(): readonly number[] {
    return this.log.offlineError === null ? [] : this.replicas;
  }

  /** The log's flush policy is 'every-append', so what is durable is what consumers may see. */
  get highWatermark(): number {
    return this.log.durableEndOffset;
  }
}

/** The part of a topic's config each partition log applies. */
export function logConfigOf(config: TopicConfig): Partial<LogConfig> {
  return {
    segmentBytes: config.segmentBytes,
    segmentMs: config.segmentMs,
    retentionMs: config.retentionMs,
    retentionBytes: config.retentionBytes,
    // max.message.bytes 0 is legal in Kafka (nothing fits); the log wants a positive bound.
    maxBatchBytes: Math.max(1, config.maxMessageBytes),
    timestampType: config.messageTimestampType === 'LogAppendTime' ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    flush: { kind: 'every-append' },
    cleanupPolicy: config.cleanupPolicy,
    deleteRetentionMs: config.deleteRetentionMs,
    minCleanableDirtyRatio: config.minCleanableDirtyRatio,
    minCompactionLagMs: config.minCompactionLagMs,
  };
}

export interface PartitionOpenContext {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly scheduler?: Scheduler;
  readonly logger: pino.Logger;
}

/** Opens the log; a storage failure gives an offline stand-in instead, so the other partitions still serve. */
export async function openPartitionLog(ctx: PartitionOpenContext, dir: string, config: TopicConfig, where: { topic: string; partition: number }): Promise<PartitionLog> {
  const logConfig = logConfigOf(config);
  const opened = await PartitionLog.open({ dir, fs: ctx.fs, clock: ctx.clock, config: logConfig, ...(ctx.scheduler ? { scheduler: ctx.scheduler } : {}) });
  if (opened.ok) return opened.value;
  ctx.logger.error({ ...where, err: opened.error, kind: opened.error.kind }, 'partition offline: its log could not be opened');
  return offlinePartitionLog(dir, logConfig, opened.error);
}

/**
 * One retention round for one partition: retention below its high watermark, then compaction
 * when the cleanup policy asks and enough is dirty. Failures are logged and retried next round.
 */
export async function maintainPartition(ctx: Pick<PartitionOpenContext, 'clock' | 'logger'>, handle: { readonly topic: string; readonly index: number; readonly log: PartitionLog; readonly highWatermark: number }): Promise<void> {
  const { log } = handle;
  const where = { topic: handle.topic, partition: handle.index };
  if (log.offlineError !== null) return;
  const retained = await log.enforceRetention({ maxOffset: handle.highWatermark });
  if (!retained.ok && !(retained.error instanceof LogClosedError)) ctx.logger.warn({ ...where, err: retained.error }, 'retention failed');
  else if (retained.ok && retained.value > 0) ctx.logger.debug({ ...where, segments: retained.value }, 'retention deleted segments');
  if (log.offlineError !== null || !log.needsCompaction()) return;
  const compacted = await log.compact({ nowMs: ctx.clock.nowMs() });
  if (!compacted.ok) {
    if (!(compacted.error instanceof LogClosedError)) ctx.logger.warn({ ...where, err: compacted.error }, 'compaction failed; will retry');
    return;
  }
  ctx.logger.debug({ ...where, stats: compacted.value }, 'compacted');
}
