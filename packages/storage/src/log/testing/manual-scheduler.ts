/** Test support: a Scheduler whose timers fire only when the test says. */
import type { Scheduler } from '../scheduler.js';

export class ManualScheduler implements Scheduler {
  private next = 0;
  private readonly timers = new Map<number, { run: () => void; delayMs: number }>();

  setTimeout(run: () => void, delayMs: number): unknown {
    const id = this.next++;
    this.timers.set(id, { run, delayMs });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  setInterval(run: () => void, intervalMs: number): unknown {
    return this.setTimeout(run, intervalMs);
  }

  clearInterval(handle: unknown): void {
    this.clearTimeout(handle);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Fires every pending timer. */
  fireAll(): void {
    const due = [...this.timers.values()];
    this.timers.clear();
    for (const timer of due) timer.run();
  }
}
