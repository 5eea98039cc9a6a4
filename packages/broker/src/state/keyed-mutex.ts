/**
 * Runs async operations one at a time per key (admin operations on one topic), in arrival order.
 * At most `waitersPerKeyMax` operations may wait on a key; more are refused rather than queued.
 */
export class KeyedMutex {
  private readonly queues = new Map<string, { tail: Promise<unknown>; pending: number }>();

  constructor(readonly waitersPerKeyMax: number) {}

  /** The operation's result, or null when too many already wait on `key`. */
  run<T>(key: string, operation: () => Promise<T>): Promise<T> | null {
    const queue = this.queues.get(key) ?? { tail: Promise.resolve(), pending: 0 };
    if (queue.pending >= this.waitersPerKeyMax) return null;
    queue.pending++;
    this.queues.set(key, queue);
    const result = queue.tail.then(operation);
    queue.tail = result.then(
      () => this.release(key),
      () => this.release(key),
    );
    return result;
  }

  private release(key: string): void {
    const queue = this.queues.get(key);
    if (queue === undefined) return;
    queue.pending--;
    if (queue.pending === 0) this.queues.delete(key);
  }
}
