/**
 * Timers as the log sees them: injected, so tests (and the simulator) decide when a flush
 * interval elapses. The real one unrefs its timers so a pending flush never keeps a process alive.
 */
export interface Scheduler {
  setTimeout(run: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (run, delayMs) => setTimeout(run, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
