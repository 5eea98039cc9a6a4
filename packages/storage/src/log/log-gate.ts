/**
 * Where every call into a partition log passes: the offline and closed states, the append queue
 * (appends, rolls, truncations and deletions, one at a time) and the read lock (reads shared).
 * An I/O failure or corruption met inside a call takes the log offline; that call and every
 * later one get the same LogStorageError. Anything else thrown is a bug and propagates.
 */
import { err, type Result, type TributaryError } from '@tributary/common';
import type { LogConfig } from './log-config.js';
import { LogBusyError, LogClosedError, storageErrorFrom, type LogStorageError, type LogUnavailableError } from './log-errors.js';
import { ReadWriteLock } from './read-write-lock.js';
import { SerialQueue } from './serial-queue.js';

export class LogGate {
  readonly appendQueue: SerialQueue;
  readonly readLock: ReadWriteLock;
  private offline: LogStorageError | null = null;
  private closing = false;

  constructor(
    private readonly dir: string,
    config: LogConfig,
    /** Told once, when the log goes offline. */
    private readonly onOffline: (error: LogStorageError) => void,
  ) {
    this.appendQueue = new SerialQueue(config.appendQueueMax);
    this.readLock = new ReadWriteLock(config.readQueueMax);
  }

  get offlineError(): LogStorageError | null {
    return this.offline;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** From now on new calls get LogClosedError; returns false when already closing. */
  startClosing(): boolean {
    if (this.closing) return false;
    this.closing = true;
    return true;
  }

  unavailable(): LogUnavailableError | null {
    if (this.offline) return this.offline;
    if (this.closing) return new LogClosedError(`the log in ${this.dir} is closed`);
    return null;
  }

  /** Runs `run` in the append queue, after every operation queued before it. */
  queued<T, E extends TributaryError>(context: string, run: () => Promise<Result<T, E>>): Promise<Result<T, E | LogUnavailableError | LogBusyError>> {
    const unavailable = this.unavailable();
    if (unavailable) return Promise.resolve(err(unavailable));
    const queued = this.appendQueue.run(() => this.guard(context, run));
    return queued ?? Promise.resolve(err(new LogBusyError(`${this.appendQueue.length} operations already wait on ${this.dir}`)));
  }

  /** Runs `run` holding the read lock shared. */
  async shared<T, E extends TributaryError>(context: string, run: () => Promise<Result<T, E>>): Promise<Result<T, E | LogUnavailableError | LogBusyError>> {
    const unavailable = this.unavailable();
    if (unavailable) return err(unavailable);
    const acquiring = this.readLock.acquireShared();
    if (!acquiring) return err(new LogBusyError(`too many reads wait on ${this.dir}`));
    const release = await acquiring;
    try {
      return await this.guard(context, run);
    } finally {
      release();
    }
  }

  /**
   * Runs `run`, turning an I/O failure or corruption into the offline error. Only offline stops a
   * call here: work queued before `close()` still runs (close waits for it).
   */
  async guard<T, E extends TributaryError>(context: string, run: () => Promise<Result<T, E>>): Promise<Result<T, E | LogStorageError>> {
    if (this.offline) return err(this.offline);
    try {
      return await run();
    } catch (error) {
      return err(this.goOffline(error, context));
    }
  }

  /** Takes the log offline for an I/O failure or corruption (the first is kept); rethrows anything else. */
  goOffline(error: unknown, context: string): LogStorageError {
    const storage = storageErrorFrom(error, `${context} in ${this.dir}`);
    if (!storage) throw error;
    if (!this.offline) {
      this.offline = storage;
      this.onOffline(storage);
    }
    return storage;
  }
}
