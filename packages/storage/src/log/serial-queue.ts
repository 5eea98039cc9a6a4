/**
 * Runs async tasks one at a time in arrival order: what keeps offset assignment, writes, rolls
 * and truncations of one log in order. The number waiting (running included) is bounded.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly pendingMax: number) {}

  /** Tasks queued or running. */
  get length(): number {
    return this.pending;
  }

  /** Runs `task` after every earlier task has settled; null (and nothing queued) when `pendingMax` are already pending. */
  run<T>(task: () => Promise<T>): Promise<T> | null {
    if (this.pending >= this.pendingMax) return null;
    return this.runAlways(task);
  }

  /** As `run`, past the bound: for the log's own bounded work (closing), never for callers' requests. */
  runAlways<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task).finally(() => {
      this.pending--;
    });
    // The chain continues whatever the task's outcome; the caller sees the outcome through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
