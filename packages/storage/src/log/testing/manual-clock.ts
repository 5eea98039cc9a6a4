/** Test support: a Clock that moves only when told. */
import type { Clock } from '@tributary/common';

export class ManualClock implements Clock {
  constructor(private now = 1_700_000_000_000) {}

  nowMs(): number {
    return this.now;
  }

  monotonicMs(): number {
    return this.now;
  }

  advance(ms: number): void {
    this.now += ms;
  }
}
