/**
 * Storage failures of checkpoint files as values. Both an I/O failure (LogStorageError, shared
 * with the log) and a corrupt file surface to clients as KAFKA_STORAGE_ERROR (56), which is what
 * Kafka reports for a partition whose log directory failed.
 */
import { TributaryError, err, ok, type Result } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';
import { LogStorageError, storageErrorFrom } from './log/log-errors.js';

const KAFKA_STORAGE_ERROR = ErrorCode['KAFKA_STORAGE_ERROR']!;

/** A checkpoint file exists but does not hold what its format promises. */
export class CorruptCheckpointError extends TributaryError {
  override readonly name = 'CorruptCheckpointError';
  override readonly code = KAFKA_STORAGE_ERROR;

  constructor(
    readonly path: string,
    /** 1-based line of the problem; 0 for the file as a whole. */
    readonly line: number,
    readonly reason: string,
  ) {
    super(`corrupt checkpoint ${path}${line > 0 ? ` at line ${line}` : ''}: ${reason}`);
  }
}

/**
 * Runs file-system calls, turning a thrown FileSystemError into a LogStorageError value.
 * Anything else thrown is a programmer error and keeps propagating.
 */
export async function storageCall<T>(what: string, run: () => Promise<T>): Promise<Result<T, LogStorageError>> {
  try {
    return ok(await run());
  } catch (error) {
    const storageError = storageErrorFrom(error, what);
    if (storageError !== null) return err(storageError);
    throw error;
  }
}
