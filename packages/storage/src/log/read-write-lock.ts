/**
 * Readers share, a writer excludes: reads of segment files hold it shared, and truncation and
 * segment deletion take it exclusively, so a reader never sees a file cut or closed under it.
 * Writer-preferring (a waiting writer holds back new readers), so a stream of reads cannot starve
 * a deletion. Readers waiting are bounded; writers are the log's own rare operations.
 */
export type Release = () => void;

interface Waiter {
  readonly exclusive: boolean;
  readonly grant: (release: Release) => void;
}

export class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly queue: Waiter[] = [];
  private sharedWaiting = 0;

  constructor(private readonly sharedWaitingMax: number) {}

  /** Resolves with a release once no writer holds or awaits the lock; null when too many readers already wait. */
  acquireShared(): Promise<Release> | null {
    if (!this.writer && this.queue.length === 0) {
      this.readers++;
      return Promise.resolve(this.sharedRelease());
    }
    if (this.sharedWaiting >= this.sharedWaitingMax) return null;
    this.sharedWaiting++;
    return new Promise((grant) => this.queue.push({ exclusive: false, grant }));
  }

  acquireExclusive(): Promise<Release> {
    if (!this.writer && this.readers === 0 && this.queue.length === 0) {
      this.writer = true;
      return Promise.resolve(this.exclusiveRelease());
    }
    return new Promise((grant) => this.queue.push({ exclusive: true, grant }));
  }

  /** Runs `task` holding the lock exclusively. */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquireExclusive();
    try {
      return await task();
    } finally {
      release();
    }
  }

  private sharedRelease(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.readers--;
      this.dispatch();
    };
  }

  private exclusiveRelease(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.writer = false;
      this.dispatch();
    };
  }

  private dispatch(): void {
    if (this.writer) return;
    const head = this.queue[0];
    if (!head) return;
    if (head.exclusive) {
      if (this.readers > 0) return;
      this.queue.shift();
      this.writer = true;
      head.grant(this.exclusiveRelease());
      return;
    }
    // Every reader at the head of the queue goes together, up to the next writer.
    while (this.queue.length > 0 && !this.queue[0].exclusive) {
      const reader = this.queue.shift()!;
      this.sharedWaiting--;
      this.readers++;
      reader.grant(this.sharedRelease());
    }
  }
}
