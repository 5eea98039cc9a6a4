/**
 * Base of every operating error in Tributary. Errors travel as values; `code` is the Kafka
 * error code to use when the error reaches a client (see protocol's error table).
 */
export abstract class TributaryError extends Error {
  abstract override readonly name: string;
  /** Kafka error code reported at the edge; -1 (UNKNOWN_SERVER_ERROR) unless overridden. */
  readonly code: number = -1;
}

export type Result<T, E extends Error = TributaryError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E extends Error>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
