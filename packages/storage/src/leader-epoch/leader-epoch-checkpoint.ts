/**
 * The leader-epoch checkpoint on disk, in Kafka's format so the files read the same:
 *
 *     0            <- version
 *     2            <- entry count
 *     3 0          <- epoch, start offset
 *     5 1200
 *
 * Entries are in order: epochs and start offsets both strictly increasing (the cache keeps them
 * so, see LeaderEpochCache.assign), and a file that breaks this is corrupt.
 */
import { leaderEpoch, type FileSystem, type LeaderEpoch } from '@tributary/common';
import { CheckpointFile, type CheckpointFormat } from '../checkpoint/checkpoint-file.js';

/** Kafka's name for the file in a partition's directory. */
export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';

/** The first offset written in `epoch`. */
export interface EpochEntry {
  readonly epoch: LeaderEpoch;
  readonly startOffset: number;
}

export const EPOCH_MAX = 2 ** 31 - 1;

export function isValidEpoch(epoch: number): boolean {
  return Number.isInteger(epoch) && epoch >= 0 && epoch <= EPOCH_MAX;
}

/** Offsets are safe integers here, as in the log (2^53 records is beyond any partition's life). */
export function isValidOffset(offset: number): boolean {
  return Number.isSafeInteger(offset) && offset >= 0;
}

/** Why the entries are out of order, or null. */
export function epochEntriesOrderProblem(entries: readonly EpochEntry[]): string | null {
  for (let i = 1; i < entries.length; i++) {
    const [before, after] = [entries[i - 1]!, entries[i]!];
    if (after.epoch <= before.epoch) return `epoch ${after.epoch} follows epoch ${before.epoch}`;
    if (after.startOffset <= before.startOffset) return `epoch ${after.epoch} starts at ${after.startOffset}, not after ${before.startOffset}`;
  }
  return null;
}

const ENTRY = /^(0|[1-9][0-9]{0,9}) (0|[1-9][0-9]{0,15})$/;

export const leaderEpochCheckpointFormat: CheckpointFormat<EpochEntry> = {
  version: 0,
  format: (entry) => `${entry.epoch} ${entry.startOffset}`,
  parse: (line) => {
    const match = ENTRY.exec(line);
    if (match === null) return undefined;
    const epoch = Number(match[1]);
    const startOffset = Number(match[2]);
    return isValidEpoch(epoch) && isValidOffset(startOffset) ? { epoch: leaderEpoch(epoch), startOffset } : undefined;
  },
  validate: epochEntriesOrderProblem,
};

export function leaderEpochCheckpointFile(fs: FileSystem, path: string): CheckpointFile<EpochEntry> {
  return new CheckpointFile(fs, path, leaderEpochCheckpointFormat);
}
