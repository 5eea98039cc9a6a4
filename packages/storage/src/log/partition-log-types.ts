/** The option and result shapes of PartitionLog's public API. */
import type { Clock, FileSystem } from '@tributary/common';
import type { LogConfig } from './log-config.js';
import type { Scheduler } from './scheduler.js';

export interface PartitionLogOptions {
  /** The partition's directory (created when missing; its parent must exist). */
  readonly dir: string;
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly config?: Partial<LogConfig>;
  /** Timers for the 'interval' flush policy; default: real, unref'd timers. */
  readonly scheduler?: Scheduler;
}

export interface AppendInfo {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** The broker time stamped on the batches with LogAppendTime; -1 with CreateTime (as ProduceResponse reports it). */
  readonly logAppendTimeMs: number;
  /** The largest batch max timestamp appended. */
  readonly maxTimestamp: number;
}

export interface ReadOptions {
  /** Bytes of batches to return at most (whole batches only)... */
  readonly maxBytes: number;
  /** ...except that the first batch is returned even when larger (Kafka's minOneMessage). Default true. */
  readonly minOneBatch?: boolean;
  /** Batches reaching this offset are not returned (the high watermark for consumers). Default: the log end. */
  readonly maxOffset?: number;
}

export interface ReadResult {
  /** Whole stored batches, starting with the one holding the requested offset; empty at the end. */
  readonly records: Buffer;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
}
