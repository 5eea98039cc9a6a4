// The partition log (log/): one partition's segments, indexes, durability and recovery.
export { PartitionLog } from './log/partition-log.js';
export type { AppendInfo, PartitionLogOptions, ReadOptions, ReadResult } from './log/partition-log-types.js';
export type { OffsetAndTimestamp } from './log/timestamp-search.js';
export { SEGMENT_BYTES_MAX, defaultLogConfig, resolveLogConfig } from './log/log-config.js';
export type { CleanupPolicy, FlushPolicy, LogConfig } from './log/log-config.js';
export { CLEANUP_POLICIES } from './log/log-config.js';
export type { CompactionError, CompactionStats } from './log/compaction.js';
export {
  InvalidBatchError,
  LogBusyError,
  LogClosedError,
  LogStorageError,
  OffsetOutOfRangeError,
  UnexpectedAppendOffsetError,
} from './log/log-errors.js';
export type { AppendError, InvalidBatchKind, LogUnavailableError, ReadError, StorageErrorKind } from './log/log-errors.js';
export { unrefScheduler } from './log/scheduler.js';
export type { Scheduler } from './log/scheduler.js';
export { parseSegmentFileName, segmentFileName } from './log/segment-files.js';
export type { SegmentFileKind, SegmentFileName } from './log/segment-files.js';
export { LeaderEpochCache, LeaderEpochAssignError, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './leader-epoch/leader-epoch-cache.js';
export type { EpochEndOffset, LeaderEpochAssignErrorKind } from './leader-epoch/leader-epoch-cache.js';
export { LEADER_EPOCH_CHECKPOINT_FILE } from './leader-epoch/leader-epoch-checkpoint.js';
export type { EpochEntry } from './leader-epoch/leader-epoch-checkpoint.js';
export { CorruptCheckpointError } from './storage-errors.js';
export { CheckpointFile } from './checkpoint/checkpoint-file.js';
export type { CheckpointFormat } from './checkpoint/checkpoint-file.js';
