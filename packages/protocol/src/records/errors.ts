import { TributaryError } from '@tributary/common';
import { ErrorCode } from '../errors/error-codes.js';

const { CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, UNSUPPORTED_FOR_MESSAGE_FORMAT, UNSUPPORTED_COMPRESSION_TYPE } = ErrorCode;

/** Why a compression or decompression failed. */
export type CompressionErrorKind =
  /** The compressed bytes are not a valid stream for the codec. */
  | 'corrupt'
  /** The stream would inflate beyond the caller's bound (a compression bomb or an over-limit batch). */
  | 'too-large'
  /** The codec id is not one Kafka defines (attribute bits 0–2 hold 5, 6 or 7). */
  | 'unsupported-codec'
  /** The compressor itself failed (not input-dependent; reported rather than thrown raw). */
  | 'failed';

/** A typed failure from `compress`/`decompress`; library errors are wrapped as `cause`. */
export class CompressionError extends TributaryError {
  override readonly name = 'CompressionError';
  override readonly code: number;

  constructor(
    readonly kind: CompressionErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = compressionErrorCode(kind);
  }
}

function compressionErrorCode(kind: CompressionErrorKind): number {
  switch (kind) {
    case 'too-large':
      return MESSAGE_TOO_LARGE;
    case 'unsupported-codec':
      return UNSUPPORTED_COMPRESSION_TYPE;
    default:
      return CORRUPT_MESSAGE;
  }
}

/** Why bytes could not be decoded as a record batch (or a varint inside one). */
export type RecordDecodeErrorKind =
  /** The input ends before a field it declares (also: a length pointing past the end). */
  | 'truncated'
  /** A field holds an impossible value (negative count, over-long varint, length mismatch). */
  | 'malformed'
  /** The stored CRC-32C does not match the bytes. */
  | 'crc-mismatch'
  /** Magic byte other than 2: message formats v0/v1 are not spoken here. */
  | 'unsupported-magic'
  /** Decompressing the records failed; the `CompressionError` is the `cause`. */
  | 'compression';

/** A typed decode failure. Never a RangeError: every read is bounds-checked first. */
export class RecordDecodeError extends TributaryError {
  override readonly name = 'RecordDecodeError';
  override readonly code: number;

  constructor(
    readonly kind: RecordDecodeErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = recordDecodeErrorCode(kind, options?.cause);
  }
}

function recordDecodeErrorCode(kind: RecordDecodeErrorKind, cause: unknown): number {
  if (kind === 'unsupported-magic') return UNSUPPORTED_FOR_MESSAGE_FORMAT;
  // A bomb or an unknown codec keeps its more specific code when it surfaces through a batch.
  if (kind === 'compression' && cause instanceof CompressionError) return cause.code;
  return CORRUPT_MESSAGE;
}
