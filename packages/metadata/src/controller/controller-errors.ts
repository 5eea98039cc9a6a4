// Typed refusals of the quorum controller. Each carries the Kafka error code the broker reports
// to the requester (a registering broker, a partition leader, an admin client).
import { TributaryError, err, type Result } from '@tributary/common';

/** Kafka's codes (org.apache.kafka.common.protocol.Errors); checked against protocol's table in tests. */
export const controllerErrorCodes = {
  'unknown-topic-or-partition': 3,
  'invalid-topic': 17,
  'topic-already-exists': 36,
  'invalid-partitions': 37,
  'invalid-replication-factor': 38,
  'invalid-config': 40,
  'invalid-request': 42,
  'fenced-leader-epoch': 74,
  'stale-broker-epoch': 77,
  'invalid-update-version': 95,
  'unknown-topic-id': 100,
  'duplicate-broker-registration': 101,
  'broker-id-not-registered': 102,
  'ineligible-replica': 107,
} as const;

export type ControllerErrorKind = keyof typeof controllerErrorCodes;

export class ControllerError extends TributaryError {
  override readonly name = 'ControllerError';
  override readonly code: number;
  constructor(
    readonly kind: ControllerErrorKind,
    message: string,
  ) {
    super(message);
    this.code = controllerErrorCodes[kind];
  }
}

export type ControllerResult<T> = Result<T, ControllerError>;

export function controllerError(kind: ControllerErrorKind, message: string): { readonly ok: false; readonly error: ControllerError } {
  return err(new ControllerError(kind, message));
}
