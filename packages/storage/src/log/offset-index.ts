/**
 * The sparse offset index of a segment (`.index`): entries of (relative offset int32, file
 * position int32), big-endian, one for the batch that starts after every `indexIntervalBytes`
 * of batches. An entry names the base offset of a batch and where that batch starts, so a
 * lookup gives a position at or before the batch holding any offset; a short forward scan of
 * batch headers finds it. (Kafka indexes a batch's last offset; indexing the base offset makes
 * "the batch at this position starts at this offset" checkable when the index is loaded.)
 */
import { invariant, type FileSystem } from '@tributary/common';
import { IndexFile } from './index-file.js';

export const OFFSET_INDEX_ENTRY_BYTES = 8;

export interface OffsetPosition {
  readonly offset: number;
  readonly position: number;
}

export class OffsetIndex extends IndexFile {
  constructor(
    path: string,
    fs: FileSystem,
    readonly baseOffset: number,
    segmentIndexBytes: number,
    loaded: Buffer | null = null,
  ) {
    super(path, fs, OFFSET_INDEX_ENTRY_BYTES, Math.floor(segmentIndexBytes / OFFSET_INDEX_ENTRY_BYTES), loaded);
  }

  entry(i: number): OffsetPosition {
    const at = this.at(i);
    return { offset: this.baseOffset + this.bytes.readInt32BE(at), position: this.bytes.readInt32BE(at + 4) };
  }

  lastEntry(): OffsetPosition | null {
    return this.entryCount === 0 ? null : this.entry(this.entryCount - 1);
  }

  append(offset: number, position: number): void {
    const last = this.lastEntry();
    invariant(!last || (offset > last.offset && position > last.position), () => `offset index entry (${offset}, ${position}) does not follow ${JSON.stringify(last)}`);
    const relative = offset - this.baseOffset;
    invariant(relative >= 0 && relative <= 0x7fff_ffff, () => `offset ${offset} is not relative to ${this.baseOffset} in int32`);
    const at = this.pushEntry();
    this.bytes.writeInt32BE(relative, at);
    this.bytes.writeInt32BE(position, at + 4);
  }

  /** The last entry at or below `offset`; the segment's start when there is none. */
  lookup(offset: number): OffsetPosition {
    const relative = offset - this.baseOffset;
    const after = this.upperBound((at) => this.bytes.readInt32BE(at) > relative);
    return after === 0 ? { offset: this.baseOffset, position: 0 } : this.entry(after - 1);
  }

  /** Drops the entries for batches at or after `offset` (the segment is being cut there). */
  truncateTo(offset: number): void {
    const relative = offset - this.baseOffset;
    this.keepEntries(this.upperBound((at) => this.bytes.readInt32BE(at) >= relative));
  }

  /**
   * Whether the entries can be those of a log of `logBytes` bytes ending before `nextOffset`:
   * increasing offsets and positions inside the log. (Whether each position starts the batch the
   * entry names is checked by a scan: recovery, or the reader meeting a bad header.)
   */
  isPlausible(logBytes: number, nextOffset: number): boolean {
    let previous: OffsetPosition | null = null;
    for (let i = 0; i < this.entryCount; i++) {
      const entry = this.entry(i);
      if (entry.offset < this.baseOffset || entry.offset >= nextOffset) return false;
      if (entry.position < 0 || entry.position >= logBytes) return false;
      if (previous && (entry.offset <= previous.offset || entry.position <= previous.position)) return false;
      previous = entry;
    }
    return true;
  }
}
