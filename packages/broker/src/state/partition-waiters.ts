/**
 * Fetch long polls wait for new data here; Produce wakes them (owned by the data-path handlers).
 * The implementation is state/partition-waiters-impl.ts (`createPartitionWaiters`).
 *
 * A fetch subscribes (`watch`) BEFORE it reads its partitions, then waits: a notify that lands
 * between the read and the wait is not lost, since the subscription already saw it.
 */

export interface PartitionKey {
  readonly topic: string;
  readonly partition: number;
}

/** Why a wait ended. */
export type WaitOutcome = 'notified' | 'timeout' | 'aborted';

/** One fetch's subscription to a set of partitions; used once (wait or cancel), then gone. */
export interface PartitionWatch {
  /**
   * Resolves on the first notify of a watched partition since `watch` (at once if one already
   * came), after `timeoutMs`, or when `signal` aborts. Unregisters itself in every case.
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome>;
  /** Unregisters without waiting (the fetch had enough data). Idempotent. */
  cancel(): void;
}

export interface PartitionWaiters {
  /** Wakes the waiters on a partition whose visible data (high watermark) advanced. */
  notify(topic: string, partition: number): void;
  /**
   * Subscribes to notifies on `partitions`. Null when the broker-wide cap on waiting fetches is
   * reached: the fetch then answers at once with what it has (as if maxWaitMs were 0).
   */
  watch(partitions: readonly PartitionKey[]): PartitionWatch | null;
  /** Subscriptions currently registered (for metrics and leak tests). */
  readonly watchCount: number;
}
