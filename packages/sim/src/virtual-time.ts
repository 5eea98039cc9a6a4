/**
 * Virtual time: one event queue for the whole simulated cluster, ordered by due time and then by
 * scheduling order, so a seed replays exactly. Each owner (a node incarnation, the network, the
 * workload) gets a Scheduler whose timers die with it: `kill(owner)` drops every event it has
 * queued, as a crash takes a process's timers along.
 */
import type { Scheduler } from '@tributary/common';

interface TimedEvent {
  readonly id: number;
  readonly at: number;
  readonly owner: string;
  readonly run: () => void;
  /** For intervals: the period to requeue with (same id). */
  readonly everyMs?: number;
}

export class VirtualTime {
  private nowMs = 0;
  private nextId = 1;
  private readonly queue: TimedEvent[] = [];
  private readonly cancelled = new Set<number>();
  private readonly deadOwners = new Set<string>();
  private readonly pausedOwners = new Map<string, TimedEvent[]>();

  get now(): number {
    return this.nowMs;
  }

  get pending(): number {
    return this.queue.length;
  }

  schedule(owner: string, delayMs: number, run: () => void, everyMs?: number, id = this.nextId++): number {
    if (this.deadOwners.has(owner)) return id;
    const event: TimedEvent = { id, at: this.nowMs + Math.max(0, Math.floor(delayMs)), owner, run, ...(everyMs === undefined ? {} : { everyMs }) };
    const held = this.pausedOwners.get(owner);
    if (held !== undefined) {
      held.push(event);
      return id;
    }
    this.insert(event);
    return id;
  }

  cancel(id: number): void {
    this.cancelled.add(id);
  }

  /** Every timer `owner` holds is gone, and it can schedule no more. */
  kill(owner: string): void {
    this.deadOwners.add(owner);
    this.pausedOwners.delete(owner);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.owner === owner) this.queue.splice(i, 1);
  }

  /** A paused owner's timers wait (SIGSTOP); on resume the overdue ones fire at once, in order. */
  pause(owner: string): void {
    if (this.pausedOwners.has(owner) || this.deadOwners.has(owner)) return;
    const held: TimedEvent[] = [];
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.owner === owner) held.unshift(...this.queue.splice(i, 1));
    }
    this.pausedOwners.set(owner, held);
  }

  resume(owner: string): void {
    const held = this.pausedOwners.get(owner);
    if (held === undefined) return;
    this.pausedOwners.delete(owner);
    for (const event of held) this.insert({ ...event, at: Math.max(event.at, this.nowMs) });
  }

  isPaused(owner: string): boolean {
    return this.pausedOwners.has(owner);
  }

  /** Runs the next event (advancing time to it); false when none is left. */
  runNext(): boolean {
    for (;;) {
      const event = this.queue.shift();
      if (event === undefined) return false;
      if (this.cancelled.has(event.id)) {
        this.cancelled.delete(event.id);
        continue;
      }
      this.nowMs = Math.max(this.nowMs, event.at);
      if (event.everyMs !== undefined) this.schedule(event.owner, event.everyMs, event.run, event.everyMs, event.id);
      event.run();
      return true;
    }
  }

  /** When the next event is due (undefined with none). */
  nextDue(): number | undefined {
    return this.queue[0]?.at;
  }

  scheduler(owner: string): Scheduler {
    return {
      setTimeout: (run, delayMs) => this.schedule(owner, delayMs, run),
      clearTimeout: (handle) => this.cancel(handle as number),
      setInterval: (run, intervalMs) => this.schedule(owner, intervalMs, run, Math.max(1, intervalMs)),
      clearInterval: (handle) => this.cancel(handle as number),
    };
  }

  private insert(event: TimedEvent): void {
    // Binary search for the first event due later: equal times keep scheduling order.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid]!.at <= event.at) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, event);
  }
}
