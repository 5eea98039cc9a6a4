/**
 * Bounds for everything that waits: a promise raced against a timer (the timer is always
 * cleared; the loser's late rejection is swallowed), deadlines, and sleeps that a stop signal
 * cuts short.
 */

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** `promise`, or a TimeoutError after `ms`. The timer never outlives the race. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `fn` under withTimeout; never throws: resolves to the error instead. */
export async function attempt<T>(fn: () => Promise<T>, ms: number, what: string): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await withTimeout(Promise.resolve().then(fn), ms, what) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A point in time (Date.now based) that phases must finish by. */
export class Deadline {
  readonly at: number;

  constructor(ms: number) {
    this.at = Date.now() + ms;
  }

  get remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  get passed(): boolean {
    return Date.now() >= this.at;
  }

  /** `ms`, capped by the time left (at least 1 ms so timers still fire). */
  cap(ms: number): number {
    return Math.max(1, Math.min(ms, this.remainingMs));
  }
}

/** Polls `condition` every `intervalMs` until it holds (true) or the deadline passes (false). */
export async function waitUntil(condition: () => boolean | Promise<boolean>, deadline: Deadline, intervalMs = 200, signal?: AbortSignal): Promise<boolean> {
  while (!deadline.passed && !signal?.aborted) {
    if (await condition()) return true;
    await sleep(deadline.cap(intervalMs), signal);
  }
  return condition();
}

export const errorText = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const type = (error as { type?: unknown }).type;
  return typeof type === 'string' && !error.message.includes(type) ? `${error.name}: ${error.message} (${type})` : `${error.name}: ${error.message}`;
};
