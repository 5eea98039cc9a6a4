import type { NodeId } from '../types.js';

/** For a stretch of steps, a node gets `ticks` ticks on every `every`-th step (and none on the others). */
interface ClockRate {
  readonly ticks: number;
  readonly every: number;
  readonly fromStep: number;
  readonly untilStep: number;
}

/**
 * Each node's local clock. The Raft core sees time only as tick() calls, so a clock fault is a
 * change in how many ticks a node gets per simulation step; messages reach it as usual.
 * - forward jump (a VM resumes, NTP steps the clock forward): a burst of ticks within one step;
 * - stall (the clock steps back and timers wait, or the timer thread is paused): no ticks for a while;
 * - rate skew: a faster or slower clock for a while, e.g. 2 ticks per step or 1 every 3rd step.
 */
export class ClockFaults {
  private readonly rates = new Map<NodeId, ClockRate>();
  private readonly bursts = new Map<NodeId, number>();

  /** The node gets `ticks` extra ticks at the next step. */
  jump(id: NodeId, ticks: number): void {
    this.bursts.set(id, (this.bursts.get(id) ?? 0) + ticks);
  }

  /** From the next step, the node gets no ticks for `steps` steps. Replaces any skew. */
  stall(id: NodeId, now: number, steps: number): void {
    this.rates.set(id, { ticks: 0, every: 1, fromStep: now + 1, untilStep: now + steps });
  }

  /** From the next step, the node gets `ticks` ticks every `every` steps, for `steps` steps. Replaces any stall. */
  skew(id: NodeId, now: number, ticks: number, every: number, steps: number): void {
    this.rates.set(id, { ticks, every, fromStep: now + 1, untilStep: now + steps });
  }

  /** How many ticks the node gets at step `step`; takes up its pending jump. Call once per node per step. */
  ticksAt(id: NodeId, step: number): number {
    const burst = this.bursts.get(id) ?? 0;
    this.bursts.delete(id);
    const rate = this.rates.get(id);
    if (rate !== undefined && step > rate.untilStep) this.rates.delete(id);
    if (rate === undefined || step < rate.fromStep || step > rate.untilStep) return 1 + burst;
    return ((step - rate.fromStep) % rate.every === 0 ? rate.ticks : 0) + burst;
  }

  /** Every clock runs true again. Returns whether any fault was still in force. */
  clear(): boolean {
    const any = this.rates.size > 0 || this.bursts.size > 0;
    this.rates.clear();
    this.bursts.clear();
    return any;
  }
}
