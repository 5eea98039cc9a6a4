/**
 * Stands in for a partition whose log could not be opened (full disk, permission denied,
 * corruption): every call answers with the error the open met, as an offline PartitionLog does,
 * so handlers report KAFKA_STORAGE_ERROR (56) for this partition and serve the others. The
 * partition stays offline until the broker restarts (as Kafka treats a failed log directory).
 */
import { err, ok, type Result } from '@tributary/common';
import { resolveLogConfig, type LogConfig, type LogStorageError, type PartitionLog } from '@tributary/storage';

/** PartitionLog's public surface: the compiler checks the stand-in keeps up with it. */
type PartitionLogSurface = { [K in keyof PartitionLog]: PartitionLog[K] };

class OfflinePartitionLog implements PartitionLogSurface {
  readonly logStartOffset = 0;
  readonly logEndOffset = 0;
  readonly durableEndOffset = 0;
  readonly sizeBytes = 0;
  readonly segmentCount = 0;
  readonly dirtyRatio = 0;

  constructor(
    readonly dir: string,
    readonly config: LogConfig,
    readonly offlineError: LogStorageError,
  ) {}

  private fail(): Promise<{ readonly ok: false; readonly error: LogStorageError }> {
    return Promise.resolve(err(this.offlineError));
  }

  appendAsLeader = () => this.fail();
  appendAsFollower = () => this.fail();
  roll = () => this.fail();
  read = () => this.fail();
  offsetForTimestamp = () => this.fail();
  truncateTo = () => this.fail();
  truncateFullyAndStartAt = () => this.fail();
  deleteRecordsBefore = () => this.fail();
  enforceRetention = () => this.fail();
  compact = () => this.fail();
  needsCompaction = () => false;
  flush = () => this.fail();
  close = (): Promise<Result<void, LogStorageError>> => Promise.resolve(ok(undefined));
}

export function offlinePartitionLog(dir: string, config: Partial<LogConfig>, error: LogStorageError): PartitionLog {
  // PartitionLog has private members, so no other class is assignable to it; the stand-in
  // implements every public member (checked above), which is all callers can reach.
  return new OfflinePartitionLog(dir, resolveLogConfig(config), error) as unknown as PartitionLog;
}
