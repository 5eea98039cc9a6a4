import { TributaryError } from '@tributary/common';
import { ErrorCode } from '../errors/error-codes.js';

const { CORRUPT_MESSAGE, UNSUPPORTED_VERSION } = ErrorCode;

/** The bytes do not decode as the message they claim to be (truncated, overlong, malformed). */
export class KafkaDecodeError extends TributaryError {
  override readonly name = 'KafkaDecodeError';
  override readonly code = CORRUPT_MESSAGE;
  constructor(
    message: string,
    /** Byte offset in the buffer where decoding failed. */
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

/** A value cannot be written at the requested version (Kafka's UnsupportedVersionException). */
export class KafkaEncodeError extends TributaryError {
  override readonly name = 'KafkaEncodeError';
  override readonly code = UNSUPPORTED_VERSION;
}

/** A frame's size prefix exceeds the configured limit; nothing was allocated for it. */
export class FrameTooLargeError extends TributaryError {
  override readonly name = 'FrameTooLargeError';
  override readonly code = CORRUPT_MESSAGE;
  constructor(
    readonly frameBytes: number,
    readonly frameBytesMax: number,
  ) {
    super(`frame of ${frameBytes} bytes exceeds the limit of ${frameBytesMax} bytes`);
  }
}

/** An API key or version this build does not know. */
export class UnsupportedApiError extends TributaryError {
  override readonly name = 'UnsupportedApiError';
  override readonly code = UNSUPPORTED_VERSION;
  constructor(
    readonly apiKey: number,
    readonly apiVersion: number,
  ) {
    super(`unsupported API key ${apiKey} version ${apiVersion}`);
  }
}

export function unsupportedField(field: string, version: number): KafkaEncodeError {
  return new KafkaEncodeError(`field ${field} has a non-default value but does not exist at version ${version}`);
}

export function nullNotAllowed(field: string, version: number): KafkaEncodeError {
  return new KafkaEncodeError(`field ${field} is null but not nullable at version ${version}`);
}
