/**
 * The registry behind PartitionWaiters: per partition, the set of watches on it; a broker-wide
 * cap on live watches (`watchesMax`). Every watch leaves every set it joined when it resolves,
 * times out, is aborted or cancelled, so nothing outlives its fetch.
 */
import { invariant } from '@tributary/common';
import type { PartitionKey, PartitionWatch, PartitionWaiters, WaitOutcome } from './partition-waiters.js';

export interface PartitionWaitersOptions {
  /** Live watches (waiting fetches) across the broker at most; beyond it `watch` returns null. */
  readonly watchesMax: number;
  /** Timers; real ones by default (tests may inject). */
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (handle: unknown) => void;
}

export const defaultWatchesMax = 10_000;

function keyOf(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

class Watch implements PartitionWatch {
  private notified = false;
  private settled = false;
  private finish: ((outcome: WaitOutcome) => void) | null = null;
  private timer: unknown = null;
  private signal: AbortSignal | null = null;
  private readonly onAbort = (): void => this.settle('aborted');

  constructor(
    private readonly registry: PartitionWaitersImpl,
    readonly keys: readonly string[],
  ) {}

  /** Called by the registry on a notify of one of our partitions. */
  wake(): void {
    this.notified = true;
    if (this.finish) this.settle('notified');
  }

  wait(timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome> {
    invariant(!this.settled && this.finish === null, 'a partition watch is waited on once');
    if (this.notified) return Promise.resolve(this.settleNow('notified'));
    if (signal.aborted) return Promise.resolve(this.settleNow('aborted'));
    if (timeoutMs <= 0) return Promise.resolve(this.settleNow('timeout'));
    return new Promise<WaitOutcome>((resolve) => {
      this.finish = resolve;
      this.signal = signal;
      signal.addEventListener('abort', this.onAbort, { once: true });
      this.timer = this.registry.timers.setTimeout(() => this.settle('timeout'), timeoutMs);
    });
  }

  cancel(): void {
    // A wait in progress ends as a timeout would.
    this.settle('timeout');
  }

  private settle(outcome: WaitOutcome): void {
    if (this.settled) return;
    const finish = this.finish;
    this.settleNow(outcome);
    finish?.(outcome);
  }

  private settleNow(outcome: WaitOutcome): WaitOutcome {
    this.settled = true;
    this.finish = null;
    if (this.timer !== null) this.registry.timers.clearTimeout(this.timer);
    this.timer = null;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.signal = null;
    this.registry.remove(this);
    return outcome;
  }
}

export class PartitionWaitersImpl implements PartitionWaiters {
  private readonly byPartition = new Map<string, Set<Watch>>();
  private live = 0;
  readonly timers: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void };

  constructor(private readonly options: PartitionWaitersOptions) {
    invariant(Number.isSafeInteger(options.watchesMax) && options.watchesMax >= 0, 'watchesMax must be a non-negative integer');
    this.timers = {
      setTimeout: options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms)),
      clearTimeout: options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)),
    };
  }

  get watchCount(): number {
    return this.live;
  }

  /** Partitions with at least one watch (for leak tests). */
  get watchedPartitionCount(): number {
    return this.byPartition.size;
  }

  notify(topic: string, partition: number): void {
    const watches = this.byPartition.get(keyOf(topic, partition));
    if (!watches) return;
    // wake() removes the watch from this set; iterate over a copy.
    for (const watch of [...watches]) watch.wake();
  }

  watch(partitions: readonly PartitionKey[]): PartitionWatch | null {
    if (this.live >= this.options.watchesMax) return null;
    const keys = [...new Set(partitions.map((p) => keyOf(p.topic, p.partition)))];
    const watch = new Watch(this, keys);
    for (const key of keys) {
      let set = this.byPartition.get(key);
      if (!set) this.byPartition.set(key, (set = new Set()));
      set.add(watch);
    }
    this.live++;
    return watch;
  }

  /** Called once per watch, when it settles. */
  remove(watch: Watch): void {
    for (const key of watch.keys) {
      const set = this.byPartition.get(key);
      if (!set) continue;
      set.delete(watch);
      if (set.size === 0) this.byPartition.delete(key);
    }
    this.live--;
    invariant(this.live >= 0, 'partition watch count went negative');
  }
}

export function createPartitionWaiters(options: Partial<PartitionWaitersOptions> = {}): PartitionWaitersImpl {
  return new PartitionWaitersImpl({ watchesMax: defaultWatchesMax, ...options });
}
