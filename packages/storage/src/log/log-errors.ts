/**
 * The typed errors a partition log returns. Nothing throws out of `PartitionLog`'s methods except
 * a broken invariant (a bug); operating failures come back as one of these values.
 */
import { FileSystemError, TributaryError } from '@tributary/common';
import { ErrorCode, type RecordDecodeError } from '@tributary/protocol';

const { KAFKA_STORAGE_ERROR, OFFSET_OUT_OF_RANGE, CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, UNKNOWN_SERVER_ERROR } =
  ErrorCode;

export type StorageErrorKind =
  /** ENOSPC / EDQUOT. */
  | 'disk-full'
  /** EACCES / EPERM / EROFS. */
  | 'permission-denied'
  /** Bytes on disk that cannot be what this log wrote (a bad CRC in a sealed segment, a corrupt checkpoint). */
  | 'corrupt'
  /** Any other I/O failure (EIO, a failed datasync, ...). */
  | 'io';

/**
 * A disk failure: the log that met it is offline from then on (every later call returns this
 * error) until it is reopened, which runs recovery. Kafka's KAFKA_STORAGE_ERROR (56): clients
 * retry, and the partition's leadership moves to a replica with a working disk.
 */
export class LogStorageError extends TributaryError {
  override readonly name = 'LogStorageError';
  override readonly code = KAFKA_STORAGE_ERROR;

  /** The errno-style code of the failed call ('ENOSPC', 'EIO', ...), when an I/O call failed. */
  readonly fsCode: string | null;

  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.fsCode = options?.cause instanceof FileSystemError ? options.cause.code : null;
  }
}

/** The storage error an I/O failure means; null when `error` is not an I/O failure (a bug: rethrow it). */
export function storageErrorFrom(error: unknown, context: string): LogStorageError | null {
  if (error instanceof LogStorageError) return error;
  if (!(error instanceof FileSystemError)) return null;
  return new LogStorageError(kindOfErrno(error.code), `${context}: ${error.code}: ${error.message}`, { cause: error });
}

/** Whether a file-system call failed because the file is not there (often an expected answer, not a failure). */
export function isFileMissing(error: unknown): boolean {
  return error instanceof FileSystemError && error.code === 'ENOENT';
}

function kindOfErrno(code: string): StorageErrorKind {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'disk-full';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'permission-denied';
    default:
      return 'io';
  }
}

/** A fetch or lookup outside [logStartOffset, logEndOffset]. */
export class OffsetOutOfRangeError extends TributaryError {
  override readonly name = 'OffsetOutOfRangeError';
  override readonly code = OFFSET_OUT_OF_RANGE;

  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${offset} is outside the log's range [${logStartOffset}, ${logEndOffset}]`);
  }
}

export type InvalidBatchKind =
  /** Not a whole number of well-formed v2 batches, or a CRC mismatch (CORRUPT_MESSAGE). */
  | 'corrupt'
  /** A batch with no records, or header fields that contradict each other (INVALID_RECORD). */
  | 'invalid'
  /** A batch larger than maxBatchBytes or than a segment (MESSAGE_TOO_LARGE). */
  | 'too-large';

/** An append refused because of what it carries; the log is unaffected. */
export class InvalidBatchError extends TributaryError {
  override readonly name = 'InvalidBatchError';
  override readonly code: number;

  constructor(
    readonly kind: InvalidBatchKind,
    message: string,
    options?: { cause?: RecordDecodeError },
  ) {
    super(message, options);
    this.code = kind === 'corrupt' ? CORRUPT_MESSAGE : kind === 'too-large' ? MESSAGE_TOO_LARGE : INVALID_RECORD;
  }
}

/**
 * A follower append whose offsets do not continue the log exactly (Kafka's internal
 * UnexpectedAppendOffsetException): the replica fetcher must truncate or refetch.
 */
export class UnexpectedAppendOffsetError extends TributaryError {
  override readonly name = 'UnexpectedAppendOffsetError';
  override readonly code = UNKNOWN_SERVER_ERROR;

  constructor(
    readonly expectedOffset: number,
    readonly firstOffset: number,
    message: string,
  ) {
    super(message);
  }
}

/** The log was closed (the partition is moving away from this broker); clients should refresh metadata. */
export class LogClosedError extends TributaryError {
  override readonly name = 'LogClosedError';
  override readonly code = NOT_LEADER_OR_FOLLOWER;
}

/** More operations waiting than the configured bound; refused rather than queued without limit. */
export class LogBusyError extends TributaryError {
  override readonly name = 'LogBusyError';
  // Kafka has no closer code; the request can be retried (the produce path maps it to a timeout).
  override readonly code = REQUEST_TIMED_OUT;
}

/** What can stop any call: the log is offline or closed. */
export type LogUnavailableError = LogStorageError | LogClosedError;
export type AppendError = LogUnavailableError | InvalidBatchError | UnexpectedAppendOffsetError | LogBusyError;
export type ReadError = LogUnavailableError | OffsetOutOfRangeError | LogBusyError;
