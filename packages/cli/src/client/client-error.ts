/**
 * Why a call from our Kafka client failed. Errors travel as values (`Result`); the CLI maps the
 * kind to an exit code and a message, so the kind, not the text, is what callers branch on.
 */
import { TributaryError } from '@tributary/common';
import { kafkaError } from '@tributary/protocol';

export type ClientErrorKind =
  /** No TCP connection could be made (refused, DNS, connect timeout). */
  | 'unreachable'
  /** Connected, but a request got no answer in time. */
  | 'timeout'
  /** The connection closed or failed while a request was in flight. */
  | 'disconnected'
  /** The broker's bytes made no sense to us, or ours could not be encoded. */
  | 'protocol'
  /** The broker does not serve an API (or any version of it we speak). */
  | 'unsupported'
  /** The broker answered with a Kafka error code (see `code`). */
  | 'kafka';

export class ClientError extends TributaryError {
  override readonly name = 'ClientError';
  override readonly code: number;

  constructor(
    readonly kind: ClientErrorKind,
    message: string,
    code = -1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }

  /** A broker-side error code turned into an error, named as Kafka names it. */
  static fromCode(code: number, context: string, brokerMessage?: string | null): ClientError {
    const info = kafkaError(code);
    const detail = brokerMessage ? `${brokerMessage}` : info.message;
    return new ClientError('kafka', `${context}: ${info.name} (${code}): ${detail}`, code);
  }
}
