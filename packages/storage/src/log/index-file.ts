/**
 * An index file of fixed-size entries, kept whole in memory and written to its file lazily.
 *
 * Why lazily: an index can always be rebuilt from its `.log` (recovery does so after an unclean
 * shutdown), so entries need not reach the disk with each append. They are written when enough
 * have piled up, and written and synced when the segment is sealed (rolled) or closed, so a
 * sealed segment's indexes are durable and need no rescan. Kafka preallocates and mmaps its
 * index files; without mmap, appending whole entries and never preallocating is simpler: the
 * file's size is always its entry count times the entry size (a torn write leaves a partial
 * entry, which loading drops).
 */
import { invariant, type FileHandle, type FileSystem } from '@tributary/common';
import { isFileMissing } from './log-errors.js';

/** Unwritten entries are written once they fill this many bytes (one small write per ~512 entries). */
const PERSIST_BATCH_BYTES = 4096;
const INITIAL_CAPACITY_ENTRIES = 64;
const UNKNOWN_FILE_BYTES = Number.MAX_SAFE_INTEGER;

export abstract class IndexFile {
  private entries: Buffer;
  private count = 0;
  /** Leading entries known to be in the file as they are in memory. */
  private persistedCount = 0;
  /** The file's length as last known (may end in a partial or stale entry until the next persist). */
  private fileBytes: number;
  private handle: FileHandle | null = null;
  /** One more than the limit: room for the final time-index entry written when a full segment is sealed. */
  private readonly capacityMax: number;

  protected constructor(
    readonly path: string,
    private readonly fs: FileSystem,
    readonly entryBytes: number,
    /** The most entries the index holds before its segment must roll (segmentIndexBytes / entryBytes). */
    readonly maxEntries: number,
    /** The file's bytes when loaded from disk; a trailing partial entry is dropped. */
    loaded: Buffer | null,
  ) {
    invariant(maxEntries >= 2, () => `index ${path} must hold at least 2 entries`);
    this.capacityMax = maxEntries + 1;
    const loadedEntries = loaded ? Math.min(Math.floor(loaded.length / entryBytes), this.capacityMax) : 0;
    const capacity = Math.min(this.capacityMax, Math.max(INITIAL_CAPACITY_ENTRIES, loadedEntries));
    this.entries = Buffer.alloc(capacity * entryBytes);
    if (loaded) loaded.copy(this.entries, 0, 0, loadedEntries * entryBytes);
    this.count = loadedEntries;
    this.persistedCount = loadedEntries;
    // A fresh index may be replacing a stale file: until the first persist cuts it, its length is unknown.
    this.fileBytes = loaded ? loaded.length : UNKNOWN_FILE_BYTES;
  }

  /** The file's bytes, or null when it does not exist. */
  static async readIfExists(fs: FileSystem, path: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(path);
    } catch (error) {
      if (isFileMissing(error)) return null;
      throw error;
    }
  }

  get entryCount(): number {
    return this.count;
  }

  /** Full: the segment must roll before another entry is needed (one slot stays for the seal). */
  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** True when the file holds exactly the entries in memory (nothing partial, nothing stale). */
  get fileMatchesMemory(): boolean {
    return this.persistedCount === this.count && this.fileBytes === this.count * this.entryBytes;
  }

  /** Byte position of entry `i` in `bytes`. */
  protected at(i: number): number {
    invariant(i >= 0 && i < this.count, () => `index entry ${i} out of range (count ${this.count}) in ${this.path}`);
    return i * this.entryBytes;
  }

  protected get bytes(): Buffer {
    return this.entries;
  }

  /** Reserves the next entry and returns its byte position for the subclass to fill. */
  protected pushEntry(): number {
    invariant(this.count < this.capacityMax, () => `index ${this.path} is full (${this.count} entries)`);
    if ((this.count + 1) * this.entryBytes > this.entries.length) {
      const capacity = Math.min(this.capacityMax, (this.entries.length / this.entryBytes) * 2);
      const grown = Buffer.alloc(capacity * this.entryBytes);
      this.entries.copy(grown, 0, 0, this.count * this.entryBytes);
      this.entries = grown;
    }
    return this.count++ * this.entryBytes;
  }

  /** Keeps the first `count` entries. */
  protected keepEntries(count: number): void {
    invariant(count >= 0 && count <= this.count, () => `cannot keep ${count} of ${this.count} entries`);
    this.count = count;
    this.persistedCount = Math.min(this.persistedCount, count);
  }

  /** The first entry index for which `isAfter` holds (entries are sorted, so it holds for all later ones), or count. */
  protected upperBound(isAfter: (entryPosition: number) => boolean): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (isAfter(mid * this.entryBytes)) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  clear(): void {
    this.keepEntries(0);
  }

  /** Whether enough entries wait to be written that the append path should write them now. */
  get wantsPersist(): boolean {
    return (this.count - this.persistedCount) * this.entryBytes >= PERSIST_BATCH_BYTES;
  }

  /** Writes unwritten entries and cuts anything stale or partial after them. */
  async persist(): Promise<void> {
    if (this.fileMatchesMemory) return;
    const handle = await this.openHandle();
    const from = this.persistedCount * this.entryBytes;
    const to = this.count * this.entryBytes;
    if (to > from) await handle.write(this.entries.subarray(from, to), from);
    if (this.fileBytes > to) await handle.truncate(to);
    this.fileBytes = to;
    this.persistedCount = this.count;
  }

  /** Writes everything and makes it durable. */
  async sync(): Promise<void> {
    await this.persist();
    const handle = await this.openHandle();
    await handle.datasync();
  }

  /** Releases the file handle; a later persist reopens it. */
  async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle) await handle.close();
  }

  private async openHandle(): Promise<FileHandle> {
    this.handle ??= await this.fs.open(this.path, 'rw');
    return this.handle;
  }
}
