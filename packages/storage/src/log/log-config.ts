/**
 * A partition log's settings, named after Kafka's topic configs where one exists (`segment.bytes`
 * → `segmentBytes`, ...). Every bound the log keeps is here with its default.
 */
import { invariant } from '@tributary/common';
import { TimestampType } from '@tributary/protocol';

/** When appended bytes are made durable (datasync). */
export type FlushPolicy =
  /** Default. An append resolves only once a datasync covering it has completed (group commit). */
  | { readonly kind: 'every-append' }
  /** An append resolves once written; a timer syncs every `intervalMs` while there is unsynced data. */
  | { readonly kind: 'interval'; readonly intervalMs: number }
  /** An append resolves once written; only a roll, `flush()` or `close()` syncs (Kafka's default). */
  | { readonly kind: 'never' };

/** cleanup.policy: what removes old data. Retention (time, size) applies only with 'delete'. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export const CLEANUP_POLICIES: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete'];

export interface LogConfig {
  /** segment.bytes: a segment is rolled before an append would take it past this. */
  readonly segmentBytes: number;
  /** segment.ms: a segment whose first batch is older than this is rolled on the next append. */
  readonly segmentMs: number;
  /** segment.index.bytes: the largest each index file may grow; a full index rolls the segment. */
  readonly segmentIndexBytes: number;
  /** index.interval.bytes: an index entry at least every this many bytes of batches. */
  readonly indexIntervalBytes: number;
  /** retention.ms: segments whose newest timestamp is older are deleted; -1 keeps them forever. */
  readonly retentionMs: number;
  /** retention.bytes: oldest segments are deleted while the log stays at least this big; -1 = no limit. */
  readonly retentionBytes: number;
  /** max.message.bytes: the largest batch an append accepts. */
  readonly maxBatchBytes: number;
  /** message.timestamp.type: LogAppendTime makes the leader stamp each batch's max timestamp. */
  readonly timestampType: TimestampType;
  readonly flush: FlushPolicy;
  /** Appends waiting for their turn beyond this are refused (LogBusyError) rather than queued. */
  readonly appendQueueMax: number;
  /** Reads waiting behind a truncation or deletion beyond this are refused (LogBusyError). */
  readonly readQueueMax: number;
  /** Size of each read when scanning a segment (recovery, index rebuilds, timestamp search). */
  readonly scanChunkBytes: number;
  /** Sealed segments whose indexes stay in memory at once (see loaded-index-cache.ts). */
  readonly loadedIndexesMax: number;
  /** cleanup.policy. Default 'delete'. With 'compact', `enforceRetention` deletes nothing. */
  readonly cleanupPolicy: CleanupPolicy;
  /** delete.retention.ms: a tombstone (null value) stays this long after its batch's max timestamp before compaction drops it. */
  readonly deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio: `needsCompaction()` once dirty bytes are at least this share of the cleanable bytes. */
  readonly minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms: a segment whose largest timestamp is younger than this is not compacted (nor any after it). */
  readonly minCompactionLagMs: number;
  /**
   * Kafka's log.cleaner.dedupe.buffer.size, per compaction: the key → offset map may use this many
   * bytes (each key's length plus COMPACTION_MAP_ENTRY_OVERHEAD_BYTES). When full, a compaction
   * cleans only the prefix of the log whose keys fit; the next one goes on from there.
   */
  readonly compactionMapBytesMax: number;
}

const GiB = 1024 * 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export const defaultLogConfig: LogConfig = {
  segmentBytes: GiB,
  segmentMs: 7 * DAY_MS,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * DAY_MS,
  retentionBytes: -1,
  // Kafka's default max.message.bytes (1 MiB + its record-batch overhead).
  maxBatchBytes: 1024 * 1024 + 12,
  timestampType: TimestampType.CreateTime,
  flush: { kind: 'every-append' },
  appendQueueMax: 4096,
  readQueueMax: 4096,
  scanChunkBytes: 1024 * 1024,
  loadedIndexesMax: 8,
  cleanupPolicy: 'delete',
  deleteRetentionMs: DAY_MS,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  compactionMapBytesMax: 64 * 1024 * 1024,
};

/** Positions in a segment are int32 (the offset index stores them so), as in Kafka. */
export const SEGMENT_BYTES_MAX = 0x7fff_ffff;

/** Fills defaults and checks the values; a bad config is a programmer error. */
export function resolveLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const config: LogConfig = { ...defaultLogConfig, ...overrides };
  const positive = (name: keyof LogConfig): void => {
    const value = config[name];
    invariant(typeof value === 'number' && Number.isSafeInteger(value) && value > 0, () => `${name} must be a positive integer, got ${String(value)}`);
  };
  (['segmentBytes', 'segmentMs', 'segmentIndexBytes', 'indexIntervalBytes', 'maxBatchBytes', 'appendQueueMax', 'readQueueMax', 'scanChunkBytes', 'loadedIndexesMax', 'compactionMapBytesMax'] as const).forEach(positive);
  invariant(config.segmentBytes <= SEGMENT_BYTES_MAX, () => `segmentBytes ${config.segmentBytes} exceeds ${SEGMENT_BYTES_MAX}`);
  // Room for at least a couple of entries in each index (a time index entry is 12 bytes).
  invariant(config.segmentIndexBytes >= 24, () => `segmentIndexBytes ${config.segmentIndexBytes} is below 24`);
  invariant(config.retentionMs === -1 || (Number.isSafeInteger(config.retentionMs) && config.retentionMs >= 0), 'retentionMs must be -1 or >= 0');
  invariant(config.retentionBytes === -1 || (Number.isSafeInteger(config.retentionBytes) && config.retentionBytes >= 0), 'retentionBytes must be -1 or >= 0');
  invariant(config.timestampType === TimestampType.CreateTime || config.timestampType === TimestampType.LogAppendTime, 'bad timestampType');
  invariant(CLEANUP_POLICIES.includes(config.cleanupPolicy), () => `cleanupPolicy must be one of ${CLEANUP_POLICIES.join(' | ')}, got ${String(config.cleanupPolicy)}`);
  invariant(Number.isSafeInteger(config.deleteRetentionMs) && config.deleteRetentionMs >= 0, 'deleteRetentionMs must be an integer >= 0');
  invariant(Number.isSafeInteger(config.minCompactionLagMs) && config.minCompactionLagMs >= 0, 'minCompactionLagMs must be an integer >= 0');
  const ratio = config.minCleanableDirtyRatio;
  invariant(typeof ratio === 'number' && ratio >= 0 && ratio <= 1, () => `minCleanableDirtyRatio must be in [0, 1], got ${String(ratio)}`);
  if (config.flush.kind === 'interval') {
    const { intervalMs } = config.flush;
    invariant(Number.isSafeInteger(intervalMs) && intervalMs > 0, () => `flush intervalMs must be a positive integer, got ${intervalMs}`);
  }
  return config;
}

export function policyCompacts(config: LogConfig): boolean {
  return config.cleanupPolicy !== 'delete';
}

export function policyDeletes(config: LogConfig): boolean {
  return config.cleanupPolicy !== 'compact';
}
