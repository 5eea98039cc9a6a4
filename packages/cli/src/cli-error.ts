/**
 * A command's failure as the operator sees it: a message for stderr and an exit code.
 * Client errors map to codes by kind: unreachable → 4, unknown topic → 3, the rest → 1.
 */
import { ErrorCode } from '@tributary/protocol';
import type { ClientError } from './client/client-error.js';
import { ExitCode } from './exit-codes.js';

export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export function usageError(message: string): CliFailure {
  return new CliFailure(message, ExitCode.usage);
}

export function fromClientError(error: ClientError): CliFailure {
  if (error.kind === 'unreachable') return new CliFailure(error.message, ExitCode.unreachable);
  if (error.kind === 'kafka' && error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return new CliFailure(error.message, ExitCode.unknownTopic);
  return new CliFailure(error.message, ExitCode.failure);
}

export function unknownTopic(topic: string): CliFailure {
  return new CliFailure(`topic ${topic} does not exist`, ExitCode.unknownTopic);
}
