/**
 * The time index of a segment (`.timeindex`): entries of (timestamp int64, relative offset int32),
 * big-endian. An entry (T, O) says: the largest batch max-timestamp so far in the segment is T,
 * first reached by the batch with base offset O, so every batch before O has timestamps below T.
 * Entries are added beside offset-index entries when the maximum has grown, and once more when the
 * segment is sealed or closed, so the last entry of a sealed segment is its largest timestamp.
 * Timestamps are JS numbers: milliseconds since the epoch are far inside 2^53.
 */
import { invariant, type FileSystem } from '@tributary/common';
import { IndexFile } from './index-file.js';

export const TIME_INDEX_ENTRY_BYTES = 12;
/** Kafka's NO_TIMESTAMP: the max timestamp of a segment without any timestamped batch. */
export const NO_TIMESTAMP = -1;

export interface TimestampOffset {
  readonly timestamp: number;
  readonly offset: number;
}

export class TimeIndex extends IndexFile {
  constructor(
    path: string,
    fs: FileSystem,
    readonly baseOffset: number,
    segmentIndexBytes: number,
    loaded: Buffer | null = null,
  ) {
    super(path, fs, TIME_INDEX_ENTRY_BYTES, Math.floor(segmentIndexBytes / TIME_INDEX_ENTRY_BYTES), loaded);
  }

  entry(i: number): TimestampOffset {
    const at = this.at(i);
    return { timestamp: Number(this.bytes.readBigInt64BE(at)), offset: this.baseOffset + this.bytes.readInt32BE(at + 8) };
  }

  lastEntry(): TimestampOffset | null {
    return this.entryCount === 0 ? null : this.entry(this.entryCount - 1);
  }

  /** Adds (timestamp, offset) when the timestamp is above the last entry's; a no-op otherwise. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastEntry();
    if (timestamp <= (last?.timestamp ?? NO_TIMESTAMP)) return;
    invariant(!last || offset > last.offset, () => `time index offset ${offset} does not follow ${last?.offset}`);
    const relative = offset - this.baseOffset;
    invariant(relative >= 0 && relative <= 0x7fff_ffff, () => `offset ${offset} is not relative to ${this.baseOffset} in int32`);
    const at = this.pushEntry();
    this.bytes.writeBigInt64BE(BigInt(timestamp), at);
    this.bytes.writeInt32BE(relative, at + 8);
  }

  /**
   * Where to start scanning for the first batch with a timestamp >= `timestamp`: the offset of the
   * last entry whose timestamp is <= it (every earlier batch is below the target), else the base.
   */
  lookup(timestamp: number): number {
    const after = this.upperBound((at) => Number(this.bytes.readBigInt64BE(at)) > timestamp);
    return after === 0 ? this.baseOffset : this.entry(after - 1).offset;
  }

  truncateTo(offset: number): void {
    const relative = offset - this.baseOffset;
    this.keepEntries(this.upperBound((at) => this.bytes.readInt32BE(at + 8) >= relative));
  }

  /** Increasing timestamps, non-decreasing offsets inside [baseOffset, nextOffset). */
  isPlausible(nextOffset: number): boolean {
    let previous: TimestampOffset | null = null;
    for (let i = 0; i < this.entryCount; i++) {
      const entry = this.entry(i);
      if (entry.offset < this.baseOffset || entry.offset >= nextOffset) return false;
      if (previous && (entry.timestamp <= previous.timestamp || entry.offset <= previous.offset)) return false;
      previous = entry;
    }
    return true;
  }
}
