/**
 * The inodes behind MemoryFileSystem. A file keeps its current bytes, the bytes that are
 * durable (as of its last datasync) and the writes in between, in order, so a crash can keep
 * any prefix of them, the last one possibly torn. A directory keeps its current entries and
 * the entries that are durable (as of its last syncDirectory).
 */
import type { Random } from './random.js';

/** Unsynced changes since the last datasync, oldest first. `image` is several older ones folded. */
type PendingChange =
  | { readonly kind: 'write'; readonly position: number; readonly chunks: Buffer[]; length: number }
  | { readonly kind: 'truncate'; readonly length: number }
  | { readonly kind: 'image'; readonly bytes: Buffer };

/** Past this many unsynced changes the oldest half is folded into one (bounds the memory). */
const PENDING_CHANGES_MAX = 4096;

/** Where a node's entry is durable: at most one place, so a crash never duplicates a node. */
export interface DurableLocation {
  readonly directory: MemoryDirectory;
  readonly name: string;
}

export class MemoryFile {
  readonly kind = 'file';
  /** Whether a current directory entry names this file (its bytes count towards usedBytes). */
  linked = true;
  durableLocation: DurableLocation | null = null;
  /** Bytes [0, length) are the content; bytes beyond are kept zero so growth reads zeros. */
  private data: Buffer = Buffer.alloc(0);
  private length = 0;
  private durable: Buffer = Buffer.alloc(0);
  private pending: PendingChange[] = [];

  get size(): number {
    return this.length;
  }

  /** Bytes written or truncated since the last datasync, as a count of changes (test visibility). */
  get unsyncedChanges(): number {
    return this.pending.length;
  }

  contents(): Buffer {
    return Buffer.from(this.data.subarray(0, this.length));
  }

  read(target: Buffer, offset: number, length: number, position: number): number {
    if (position >= this.length) return 0;
    const end = Math.min(this.length, position + length);
    return this.data.copy(target, offset, position, end);
  }

  write(bytes: Buffer, position: number): void {
    if (bytes.length === 0) return;
    const copy = Buffer.from(bytes);
    this.applyWrite(copy, position);
    const last = this.pending[this.pending.length - 1];
    // Sequential appends merge into one change, so a torn crash keeps a prefix of the whole tail.
    if (last?.kind === 'write' && last.position + last.length === position) {
      last.chunks.push(copy);
      last.length += copy.length;
    } else {
      this.pending.push({ kind: 'write', position, chunks: [copy], length: copy.length });
      if (this.pending.length > PENDING_CHANGES_MAX) this.foldOldestChanges();
    }
  }

  truncate(length: number): void {
    this.applyTruncate(length);
    this.pending.push({ kind: 'truncate', length });
    if (this.pending.length > PENDING_CHANGES_MAX) this.foldOldestChanges();
  }

  datasync(): void {
    this.durable = this.contents();
    this.pending = [];
  }

  /**
   * Power loss: back to the durable bytes. With `random`, a random number of the unsynced
   * changes survive in order, and the first lost one may survive as a prefix (a torn write).
   */
  crash(random?: Random): void {
    const changes = this.pending;
    this.pending = [];
    this.restore(this.durable);
    if (random !== undefined && changes.length > 0) {
      const kept = random.int(changes.length + 1);
      for (let i = 0; i < kept; i++) this.apply(changes[i]!);
      const torn = changes[kept];
      if (torn?.kind === 'write') this.applyWrite(concatPrefix(torn.chunks, random.int(torn.length + 1)), torn.position);
    }
    // What survived the crash is on the platter: it is the new durable content.
    this.durable = this.contents();
  }

  private apply(change: PendingChange): void {
    if (change.kind === 'write') this.applyWrite(Buffer.concat(change.chunks), change.position);
    else if (change.kind === 'truncate') this.applyTruncate(change.length);
    else this.restore(change.bytes);
  }

  private applyWrite(bytes: Buffer, position: number): void {
    if (bytes.length === 0) return; // as pwrite: writing nothing does not extend the file
    const end = position + bytes.length;
    this.reserve(end);
    bytes.copy(this.data, position);
    this.length = Math.max(this.length, end);
  }

  private applyTruncate(length: number): void {
    if (length < this.length) this.data.fill(0, length, this.length);
    else this.reserve(length);
    this.length = length;
  }

  private restore(bytes: Buffer): void {
    this.data = Buffer.alloc(bytes.length);
    bytes.copy(this.data);
    this.length = bytes.length;
  }

  private reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const grown = Buffer.alloc(Math.max(capacity, this.data.length * 2, 64));
    this.data.copy(grown, 0, 0, this.length);
    this.data = grown;
  }

  /** Replaces the oldest half of the changes by the content they produce (they then survive or not together). */
  private foldOldestChanges(): void {
    const fold = this.pending.length >> 1;
    const current = { data: this.data, length: this.length };
    this.restore(this.durable);
    const older = this.pending.slice(0, fold);
    const foldedPending = this.pending.slice(fold);
    for (const change of older) this.apply(change);
    const image: PendingChange = { kind: 'image', bytes: this.contents() };
    this.data = current.data;
    this.length = current.length;
    this.pending = [image, ...foldedPending];
  }
}

export class MemoryDirectory {
  readonly kind = 'directory';
  linked = true;
  durableLocation: DurableLocation | null = null;
  children = new Map<string, MemoryNode>();
  durableChildren = new Map<string, MemoryNode>();

  /** syncDirectory: the current entries become the durable ones. */
  sync(): void {
    for (const [name, node] of this.durableChildren) {
      if (node.durableLocation?.directory === this && node.durableLocation.name === name) node.durableLocation = null;
    }
    this.durableChildren = new Map(this.children);
    for (const [name, node] of this.children) {
      // A node moved here from another directory: its old durable entry goes, as one journaled rename would.
      const old = node.durableLocation;
      if (old !== null && old.directory.durableChildren.get(old.name) === node) old.directory.durableChildren.delete(old.name);
      node.durableLocation = { directory: this, name };
    }
  }
}

export type MemoryNode = MemoryFile | MemoryDirectory;

function concatPrefix(chunks: readonly Buffer[], length: number): Buffer {
  const out = Buffer.alloc(length);
  let at = 0;
  for (const chunk of chunks) {
    if (at >= length) break;
    at += chunk.copy(out, at, 0, Math.min(chunk.length, length - at));
  }
  return out;
}
