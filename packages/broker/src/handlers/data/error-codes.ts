/** The Kafka error codes the data-path handlers use: protocol's table, by name. */
import { ErrorCode } from '@tributary/protocol';

export const Errors = ErrorCode;

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
