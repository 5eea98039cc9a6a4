/**
 * Group commit: appends that want durability wait here, and one datasync serves every append
 * written before it started. While a sync runs, later appends queue; when it completes, the next
 * sync covers all of them at once. N concurrent appends thus cost about two syncs, not N.
 *
 * The rule that makes it safe: a sync covers exactly the bytes written before it was issued, so
 * its target (the log end offset) is read just before the datasync call, and a waiter is
 * released only by a sync whose target reaches its end offset.
 */
import { err, invariant, ok, type Result } from '@tributary/common';
import type { LogStorageError } from './log-errors.js';

export interface SyncTarget {
  /** The end offset of everything written so far (writes completed). */
  writtenEndOffset(): number;
  /** Makes everything written so far durable (datasync of the files holding unsynced writes). */
  sync(): Promise<void>;
}

interface Waiter {
  readonly endOffset: number;
  readonly resolve: (result: Result<void, LogStorageError>) => void;
}

const DONE: Result<void, LogStorageError> = ok(undefined);

export class GroupCommit {
  private durable: number;
  private syncing = false;
  private failure: LogStorageError | null = null;
  private waiters: Waiter[] = [];
  private syncs = 0;

  constructor(
    private readonly target: SyncTarget,
    durableEndOffset: number,
    /** Turns a failed sync into the log's storage error (taking the log offline). Rethrows bugs. */
    private readonly onFailure: (error: unknown) => LogStorageError,
  ) {
    this.durable = durableEndOffset;
  }

  /** Everything below this offset is on stable storage. */
  get durableEndOffset(): number {
    return this.durable;
  }

  /** Datasyncs issued so far (for metrics and tests). */
  get syncCount(): number {
    return this.syncs;
  }

  /** Resolves once everything below `endOffset` (already written) is durable, starting a sync if none runs. */
  waitFor(endOffset: number): Promise<Result<void, LogStorageError>> {
    if (this.failure) return Promise.resolve(err(this.failure));
    // Beyond the written end, the bytes were cut by a truncation since they were written; every
    // truncation first syncs all that was written, so they were durable before they were cut.
    if (endOffset <= this.durable || endOffset > this.target.writtenEndOffset()) return Promise.resolve(DONE);
    const waiting = new Promise<Result<void, LogStorageError>>((resolve) => this.waiters.push({ endOffset, resolve }));
    if (!this.syncing) void this.runSyncs();
    return waiting;
  }

  /** A sync covering everything written so far. */
  syncNow(): Promise<Result<void, LogStorageError>> {
    return this.waitFor(this.target.writtenEndOffset());
  }

  /** Bytes made durable outside this loop (a sealed segment is synced as it rolls). */
  markDurable(endOffset: number): void {
    this.durable = Math.max(this.durable, endOffset);
    this.release();
  }

  /** After a truncation (which syncs what it keeps), the durable end is the new end. */
  resetTo(endOffset: number): void {
    invariant(this.waiters.length === 0, 'truncating while appends wait for durability');
    this.durable = endOffset;
  }

  /** The log went offline: every waiter, now and later, gets the error. */
  fail(error: LogStorageError): void {
    this.failure ??= error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(err(this.failure));
  }

  private async runSyncs(): Promise<void> {
    this.syncing = true;
    try {
      // Each round releases every waiter present when it began (each waited after its write), so
      // the loop ends once no new append waits.
      while (this.waiters.length > 0 && !this.failure) {
        const target = this.target.writtenEndOffset();
        this.syncs++;
        try {
          await this.target.sync();
        } catch (error) {
          this.fail(this.onFailure(error));
          return;
        }
        this.durable = Math.max(this.durable, target);
        this.release();
      }
    } finally {
      this.syncing = false;
    }
  }

  private release(): void {
    const done = this.waiters.filter((waiter) => waiter.endOffset <= this.durable);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.endOffset > this.durable);
    for (const waiter of done) waiter.resolve(DONE);
  }
}
