/**
 * The concrete TopicAdminError (see topic-manager.ts): a Kafka error code and a message meant
 * for the client, built by name so call sites read as Kafka's exceptions do.
 */
import { TributaryError } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';
import type { TopicAdminError } from './topic-manager.js';

export type AdminErrorName =
  | 'UNKNOWN_SERVER_ERROR'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'UNKNOWN_TOPIC_ID'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_REPLICA_ASSIGNMENT'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'
  | 'POLICY_VIOLATION'
  | 'KAFKA_STORAGE_ERROR'
  | 'REQUEST_TIMED_OUT'
  | 'TOPIC_DELETION_DISABLED';

export class TopicAdminFailure extends TributaryError implements TopicAdminError {
  override readonly name = 'TopicAdminError';
  override readonly code: number;

  constructor(
    readonly errorName: AdminErrorName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    const code = ErrorCode[errorName];
    if (code === undefined) throw new Error(`no Kafka error code named ${errorName}`);
    this.code = code;
  }
}

export function adminError(errorName: AdminErrorName, message: string, cause?: unknown): TopicAdminFailure {
  return new TopicAdminFailure(errorName, message, cause === undefined ? undefined : { cause });
}
