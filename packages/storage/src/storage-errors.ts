/**
 * Storage failures as values. Both surface to clients as KAFKA_STORAGE_ERROR (56), which is what
 * Kafka reports for a partition whose log directory failed.
 */
import { FileSystemError, TributaryError, err, ok, type Result } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';

const KAFKA_STORAGE_ERROR = ErrorCode['KAFKA_STORAGE_ERROR']!;

/** An I/O call failed (ENOSPC, EIO, EACCES, ...); the FileSystemError is the `cause`. */
export class KafkaStorageError extends TributaryError {
  override readonly name = 'KafkaStorageError';
  override readonly code = KAFKA_STORAGE_ERROR;
  /** The errno-style code of the failed call ('ENOSPC', 'EIO', ...). */
  readonly fsCode: string;

  constructor(message: string, cause: FileSystemError) {
    super(`${message}: ${cause.message}`, { cause });
    this.fsCode = cause.code;
  }
}

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
 * Runs file-system calls, turning a thrown FileSystemError into a KafkaStorageError value.
 * Anything else thrown is a programmer error and keeps propagating.
 */
export async function storageCall<T>(what: string, run: () => Promise<T>): Promise<Result<T, KafkaStorageError>> {
  try {
    return ok(await run());
  } catch (error) {
    if (error instanceof FileSystemError) return err(new KafkaStorageError(what, error));
    throw error;
  }
}
