/**
 * The leader-epoch cache of one partition replica: for each leader epoch whose records the log
 * holds, the offset of its first record (Kafka's LeaderEpochFileCache). Replication uses it to
 * answer OffsetsForLeaderEpoch (KIP-101) and so to find where a follower's log diverges from the
 * leader's, truncating there instead of at the high watermark (KIP-279).
 *
 * Invariant: epochs and start offsets are both strictly increasing. In memory only until
 * `flush()`, which writes the checkpoint atomically; the caller decides when durability is owed.
 */
import { TributaryError, err, leaderEpoch, ok, type FileSystem, type LeaderEpoch, type Result } from '@tributary/common';
import type { CheckpointFile } from '../checkpoint/checkpoint-file.js';
import type { LogStorageError } from '../log/log-errors.js';
import type { CorruptCheckpointError } from '../storage-errors.js';
import { isValidEpoch, isValidOffset, leaderEpochCheckpointFile, type EpochEntry } from './leader-epoch-checkpoint.js';

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET: "no answer" in OffsetsForLeaderEpoch. */
export const UNDEFINED_EPOCH: LeaderEpoch = leaderEpoch(-1);
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEndOffset {
  readonly epoch: LeaderEpoch;
  readonly endOffset: number;
}

const UNDEFINED: EpochEndOffset = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };

export type LeaderEpochAssignErrorKind =
  /** A negative or out-of-range epoch or offset. */
  | 'invalid-entry'
  /** An epoch below the latest one: the log must be truncated (truncateFromEnd) before it. */
  | 'epoch-regression';

export class LeaderEpochAssignError extends TributaryError {
  override readonly name = 'LeaderEpochAssignError';

  constructor(
    readonly kind: LeaderEpochAssignErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  /** Mutations so far, and how many of them the checkpoint file holds. */
  private changes = 0;
  private flushedChanges = 0;

  private constructor(private readonly checkpoint: CheckpointFile<EpochEntry> | null) {}

  /** A cache with no file behind it: `flush()` does nothing. */
  static inMemory(): LeaderEpochCache {
    return new LeaderEpochCache(null);
  }

  /** The cache kept in the checkpoint at `path`: empty when the file does not exist. */
  static async load(fs: FileSystem, path: string): Promise<Result<LeaderEpochCache, LogStorageError | CorruptCheckpointError>> {
    const checkpoint = leaderEpochCheckpointFile(fs, path);
    const read = await checkpoint.read();
    if (!read.ok) return read;
    const cache = new LeaderEpochCache(checkpoint);
    cache.entries = read.value; // validated in order by the checkpoint format
    return ok(cache);
  }

  /** The entries, oldest first. */
  epochEntries(): readonly EpochEntry[] {
    return [...this.entries];
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  earliestEntry(): EpochEntry | undefined {
    return this.entries[0];
  }

  latestEntry(): EpochEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  get latestEpoch(): LeaderEpoch | undefined {
    return this.latestEntry()?.epoch;
  }

  /** Whether some change is not in the checkpoint file yet. */
  get hasUnflushedChanges(): boolean {
    return this.checkpoint !== null && this.changes !== this.flushedChanges;
  }

  /**
   * Records that `epoch` starts at `startOffset`; ok(true) when that changed the cache.
   * - the latest epoch again, at or after its start: nothing to do;
   * - the latest epoch again but earlier (Kafka does this too): its start moves back;
   * - a new epoch: entries starting at or after `startOffset` are dropped first (their epochs
   *   hold no records any more), then it is appended;
   * - an epoch below the latest: an error; Kafka would silently drop the later epochs, we make the
   *   caller truncate explicitly.
   */
  assign(epoch: LeaderEpoch, startOffset: number): Result<boolean, LeaderEpochAssignError> {
    if (!isValidEpoch(epoch) || !isValidOffset(startOffset)) {
      return err(new LeaderEpochAssignError('invalid-entry', `invalid leader epoch entry: epoch ${epoch} at offset ${startOffset}`));
    }
    const latest = this.latestEntry();
    if (latest !== undefined) {
      if (epoch < latest.epoch) {
        return err(new LeaderEpochAssignError('epoch-regression', `epoch ${epoch} at offset ${startOffset} is below the latest epoch ${latest.epoch}`));
      }
      if (epoch === latest.epoch && startOffset >= latest.startOffset) return ok(false);
    }
    // Only the tail can conflict: epochs and offsets before it are below the new ones.
    while (this.entries.length > 0) {
      const last = this.entries[this.entries.length - 1]!;
      if (last.epoch < epoch && last.startOffset < startOffset) break;
      this.entries.pop();
    }
    this.entries.push({ epoch, startOffset });
    this.changes++;
    return ok(true);
  }

  /**
   * OffsetsForLeaderEpoch: the largest epoch <= `requestedEpoch` and where it ends, which is the
   * start of the next epoch, or `logEndOffset` for the latest epoch. A request below the first
   * epoch gets the requested epoch and the first epoch's start (KIP-279: the older records are
   * gone, so the follower truncates to where this log begins). Undefined (-1, -1) for
   * UNDEFINED_EPOCH, an empty cache, or an epoch above the latest.
   */
  endOffsetFor(requestedEpoch: LeaderEpoch, logEndOffset: number): EpochEndOffset {
    if (requestedEpoch < 0) return UNDEFINED;
    const latest = this.latestEntry();
    if (latest !== undefined && latest.epoch === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const floor = this.lastIndexWhere((entry) => entry.epoch <= requestedEpoch);
    const next = this.entries[floor + 1];
    if (next === undefined) return UNDEFINED;
    if (floor < 0) return { epoch: requestedEpoch, endOffset: next.startOffset };
    return { epoch: this.entries[floor]!.epoch, endOffset: next.startOffset };
  }

  /** The epoch the record at `offset` was written in; undefined before the first entry. */
  epochForOffset(offset: number): LeaderEpoch | undefined {
    const index = this.lastIndexWhere((entry) => entry.startOffset <= offset);
    return index < 0 ? undefined : this.entries[index]!.epoch;
  }

  /** The log was truncated to end at `endOffset`: drops the epochs starting at or after it. Returns them. */
  truncateFromEnd(endOffset: number): readonly EpochEntry[] {
    if (endOffset < 0) return [];
    const keep = this.lastIndexWhere((entry) => entry.startOffset < endOffset) + 1;
    const removed = this.entries.splice(keep);
    if (removed.length > 0) this.changes++;
    return removed;
  }

  /**
   * The log now starts at `startOffset`: drops the epochs that end at or before it, and the
   * epoch in force there now starts there. Returns the entries dropped or rewritten.
   */
  truncateFromStart(startOffset: number): readonly EpochEntry[] {
    const covered = this.lastIndexWhere((entry) => entry.startOffset <= startOffset) + 1;
    if (covered === 0) return [];
    const last = this.entries[covered - 1]!;
    if (covered === 1 && last.startOffset === startOffset) return [];
    const removed = this.entries.splice(0, covered, { epoch: last.epoch, startOffset });
    this.changes++;
    return removed;
  }

  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.changes++;
  }

  /** Writes the entries to the checkpoint (atomically, durably) if they changed since the last flush. */
  async flush(): Promise<Result<void, LogStorageError>> {
    if (this.checkpoint === null || this.changes === this.flushedChanges) return ok(undefined);
    const version = this.changes;
    const written = await this.checkpoint.write(this.entries.slice());
    if (written.ok) this.flushedChanges = Math.max(this.flushedChanges, version);
    return written;
  }

  /** Index of the last entry matching a predicate that holds for a prefix of the entries; -1 if none. */
  private lastIndexWhere(inPrefix: (entry: EpochEntry) => boolean): number {
    let [low, high] = [0, this.entries.length]; // answer + 1 lies in [low, high]
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (inPrefix(this.entries[mid]!)) low = mid + 1;
      else high = mid;
    }
    return low - 1;
  }
}
