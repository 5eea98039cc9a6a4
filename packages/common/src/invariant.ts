/**
 * A broken invariant is a programmer error: it stops the process loudly rather than
 * letting a wrong state spread. Operating errors (bad input, disk full) are values instead.
 */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new InvariantError(typeof message === 'function' ? message() : message);
  }
}

/** Marks a code path that the type system proves unreachable. */
export function unreachable(value: never, message = 'unreachable'): never {
  throw new InvariantError(`${message}: ${String(value)}`);
}
