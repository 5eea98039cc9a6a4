/** The Kafka error codes the data-path handlers use, as plain numbers (ErrorCode is a string-keyed table). */
import { ErrorCode } from '@tributary/protocol';

function code(name: string): number {
  const value = ErrorCode[name];
  if (value === undefined) throw new Error(`no Kafka error code named ${name}`);
  return value;
}

export const Errors = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: code('OFFSET_OUT_OF_RANGE'),
  CORRUPT_MESSAGE: code('CORRUPT_MESSAGE'),
  UNKNOWN_TOPIC_OR_PARTITION: code('UNKNOWN_TOPIC_OR_PARTITION'),
  MESSAGE_TOO_LARGE: code('MESSAGE_TOO_LARGE'),
  INVALID_REQUIRED_ACKS: code('INVALID_REQUIRED_ACKS'),
  INVALID_REQUEST: code('INVALID_REQUEST'),
  UNSUPPORTED_FOR_MESSAGE_FORMAT: code('UNSUPPORTED_FOR_MESSAGE_FORMAT'),
  OUT_OF_ORDER_SEQUENCE_NUMBER: code('OUT_OF_ORDER_SEQUENCE_NUMBER'),
  INVALID_PRODUCER_EPOCH: code('INVALID_PRODUCER_EPOCH'),
  INVALID_TXN_STATE: code('INVALID_TXN_STATE'),
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: code('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'),
  KAFKA_STORAGE_ERROR: code('KAFKA_STORAGE_ERROR'),
  FENCED_LEADER_EPOCH: code('FENCED_LEADER_EPOCH'),
  UNKNOWN_LEADER_EPOCH: code('UNKNOWN_LEADER_EPOCH'),
  INVALID_RECORD: code('INVALID_RECORD'),
  INVALID_TOPIC_EXCEPTION: code('INVALID_TOPIC_EXCEPTION'),
} as const;

/** A Kafka error code carried by an error value, UNKNOWN_SERVER_ERROR when it has none. */
export function errorCodeOf(error: unknown): number {
  const value = (error as { code?: unknown } | null)?.code;
  return typeof value === 'number' ? value : Errors.UNKNOWN_SERVER_ERROR;
}

/**
 * The leader-epoch check of Fetch v9+ and ListOffsets v4+: -1 skips it; a newer epoch than ours
 * is UNKNOWN_LEADER_EPOCH (we may not have heard of it yet), an older one FENCED_LEADER_EPOCH.
 */
export function leaderEpochError(requested: number, ours: number): number {
  if (requested === -1 || requested === ours) return Errors.NONE;
  return requested > ours ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH;
}
