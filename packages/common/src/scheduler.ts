/**
 * Timers as the drivers see them: injected, so a simulation decides when they fire (virtual time)
 * and a crashed simulated node's timers die with it. The real one is node's own timers, with
 * intervals unref'd (a periodic tick never keeps a process alive on its own); components clear
 * theirs when they close.
 */
export interface Scheduler {
  setTimeout(run: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(run: () => void, intervalMs: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (run, intervalMs) => setInterval(run, intervalMs).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/** A promise that resolves after `delayMs` on `scheduler`'s time. */
export function sleep(scheduler: Scheduler, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    scheduler.setTimeout(resolve, delayMs);
  });
}
