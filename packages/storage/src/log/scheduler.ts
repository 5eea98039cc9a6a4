import type { Scheduler } from '@tributary/common';

export type { Scheduler } from '@tributary/common';

/** The log's real timers (a flush interval) are unref'd: a pending flush never keeps a process alive. */
export const unrefScheduler: Scheduler = {
  setTimeout: (run, delayMs) => setTimeout(run, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (run, intervalMs) => setInterval(run, intervalMs).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};
