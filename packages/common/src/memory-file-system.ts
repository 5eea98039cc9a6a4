/**
 * An in-memory FileSystem for tests and the deterministic simulator. It models what a careful
 * storage engine may rely on, and nothing more:
 * - a file's bytes survive a crash only once `datasync`ed; a directory's entries (creations,
 *   renames, unlinks) only once `syncDirectory`ed on that directory;
 * - `crash(random)` is power loss: unsynced changes are lost, except, with a seeded `Random`,
 *   an in-order prefix of a file's unsynced writes whose last write may be torn;
 * - handles opened before a crash fail with EBADF; injected faults and a capacity (ENOSPC).
 * Paths are POSIX; relative paths resolve from '/'. `mkdir` is idempotent and not recursive;
 * opening a directory is EISDIR.
 */
import { posix } from 'node:path';
import { invariant } from './invariant.js';
import type { FileHandle, FileSystem, OpenMode } from './file-system.js';
import { FileSystemError } from './file-system.js';
import { FaultSet, type FaultSpec, type FileSystemOp } from './file-system-faults.js';
import { MemoryDirectory, MemoryFile, type MemoryNode } from './memory-inodes.js';
import type { Random } from './random.js';

export type { FaultSpec, FileSystemOp, InjectedFaultCode } from './file-system-faults.js';

export interface MemoryFileSystemOptions {
  /** Writes that would take `usedBytes` above this fail with ENOSPC. Unlimited when absent. */
  readonly capacityBytes?: number;
}

function fsError(code: string, op: string, path: string): FileSystemError {
  return new FileSystemError(code, `${code}: ${op} '${path}'`);
}

/** What a handle needs from its file system; kept off the public class. */
interface HandleHost {
  /** Bumped by every crash; a handle from an older generation is dead. */
  generation: number;
  readonly faults: FaultSet;
  resize(file: MemoryFile, newSize: number, path: string): void;
}

class MemoryFileHandle implements FileHandle {
  private closed = false;

  constructor(
    private readonly host: HandleHost,
    private readonly file: MemoryFile,
    private readonly path: string,
    private readonly mode: OpenMode,
    private readonly generation: number,
  ) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    invariant(offset >= 0 && length >= 0 && offset + length <= buffer.length, 'read range outside the buffer');
    invariant(Number.isSafeInteger(position) && position >= 0, () => `bad read position ${position}`);
    this.enter('read');
    return this.file.read(buffer, offset, length, position);
  }

  async write(buffer: Buffer, position: number): Promise<void> {
    invariant(Number.isSafeInteger(position) && position >= 0, () => `bad write position ${position}`);
    this.enter('write', true);
    if (buffer.length === 0) return; // as pwrite: writing nothing does not extend the file
    this.host.resize(this.file, Math.max(this.file.size, position + buffer.length), this.path);
    this.file.write(buffer, position);
  }

  async datasync(): Promise<void> {
    this.enter('datasync');
    this.file.datasync();
  }

  async size(): Promise<number> {
    this.enter('size');
    return this.file.size;
  }

  async truncate(length: number): Promise<void> {
    invariant(Number.isSafeInteger(length) && length >= 0, () => `bad truncate length ${length}`);
    this.enter('truncate', true);
    this.host.resize(this.file, length, this.path);
    this.file.truncate(length);
  }

  async close(): Promise<void> {
    if (this.closed && this.generation === this.host.generation) return; // as node: a second close is harmless
    this.enter('close');
    this.closed = true;
  }

  private enter(op: FileSystemOp, writes = false): void {
    if (this.closed || this.generation !== this.host.generation) throw fsError('EBADF', op, this.path);
    // As Linux: pwrite on a read-only descriptor is EBADF, ftruncate is EINVAL.
    if (writes && this.mode === 'r') throw fsError(op === 'truncate' ? 'EINVAL' : 'EBADF', op, this.path);
    this.host.faults.check(op, [this.path]);
  }
}

export class MemoryFileSystem implements FileSystem {
  readonly capacityBytes: number | undefined;
  private root = new MemoryDirectory();
  private used = 0;
  private readonly host: HandleHost;

  constructor(options: MemoryFileSystemOptions = {}) {
    this.capacityBytes = options.capacityBytes;
    this.host = {
      generation: 0,
      faults: new FaultSet(),
      resize: (file, newSize, path) => this.resize(file, newSize, path),
    };
  }

  /** Bytes held by the files that directories currently name. */
  get usedBytes(): number {
    return this.used;
  }

  injectFault(fault: FaultSpec): void {
    const path = typeof fault.path === 'string' ? normalize(fault.path) : fault.path;
    this.host.faults.add({ ...fault, path });
  }

  clearFaults(): void {
    this.host.faults.clear();
  }

  /**
   * Power loss and restart: every directory reverts to its durable entries and every file to
   * its durable bytes (plus, with `random`, a torn prefix of its unsynced writes). Open handles
   * die (EBADF). Injected faults stay until cleared.
   */
  crash(random?: Random): void {
    this.host.generation++;
    this.used = 0;
    const visited = new Set<MemoryNode>();
    const pending: MemoryDirectory[] = [this.root];
    // Each directory is visited once (durable entries form a tree), so the walk is bounded by the node count.
    for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
      dir.children = new Map(dir.durableChildren);
      for (const node of dir.children.values()) {
        if (visited.has(node)) continue;
        visited.add(node);
        node.linked = true;
        if (node.kind === 'directory') pending.push(node);
        else {
          node.crash(random);
          this.used += node.size;
        }
      }
    }
  }

  async open(path: string, mode: OpenMode): Promise<FileHandle> {
    const at = normalize(path);
    this.host.faults.check('open', [at]);
    let node = this.lookupOrNull(at, 'open');
    if (node === null) {
      if (mode === 'r') throw fsError('ENOENT', 'open', at);
      const { directory, name } = this.parentOf(at, 'open');
      node = new MemoryFile();
      directory.children.set(name, node);
    }
    if (node.kind === 'directory') throw fsError('EISDIR', 'open', at);
    return new MemoryFileHandle(this.host, node, at, mode, this.host.generation);
  }

  async readFile(path: string): Promise<Buffer> {
    const at = normalize(path);
    this.host.faults.check('readFile', [at]);
    const node = this.lookup(at, 'readFile');
    if (node.kind === 'directory') throw fsError('EISDIR', 'readFile', at);
    return node.contents();
  }

  async readdir(path: string): Promise<string[]> {
    const at = normalize(path);
    this.host.faults.check('readdir', [at]);
    const node = this.lookup(at, 'readdir');
    if (node.kind === 'file') throw fsError('ENOTDIR', 'readdir', at);
    return [...node.children.keys()];
  }

  async mkdir(path: string): Promise<void> {
    const at = normalize(path);
    this.host.faults.check('mkdir', [at]);
    if (at === '/') return;
    const { directory, name } = this.parentOf(at, 'mkdir');
    const existing = directory.children.get(name);
    if (existing?.kind === 'directory') return;
    if (existing !== undefined) throw fsError('EEXIST', 'mkdir', at);
    directory.children.set(name, new MemoryDirectory());
  }

  async rename(from: string, to: string): Promise<void> {
    const [src, dst] = [normalize(from), normalize(to)];
    this.host.faults.check('rename', [src, dst]);
    if (src === '/' || dst === '/') throw fsError('EBUSY', 'rename', src);
    const source = this.parentOf(src, 'rename');
    const node = source.directory.children.get(source.name);
    if (node === undefined) throw fsError('ENOENT', 'rename', src);
    const target = this.parentOf(dst, 'rename');
    const replaced = target.directory.children.get(target.name);
    if (replaced === node) return;
    if (node.kind === 'directory' && dst.startsWith(`${src}/`)) throw fsError('EINVAL', 'rename', src);
    if (replaced !== undefined) {
      if (replaced.kind === 'directory' && node.kind === 'file') throw fsError('EISDIR', 'rename', dst);
      if (replaced.kind === 'file' && node.kind === 'directory') throw fsError('ENOTDIR', 'rename', dst);
      if (replaced.kind === 'directory' && replaced.children.size > 0) throw fsError('ENOTEMPTY', 'rename', dst);
      this.unlinkNode(replaced);
    }
    source.directory.children.delete(source.name);
    target.directory.children.set(target.name, node);
  }

  async unlink(path: string): Promise<void> {
    const at = normalize(path);
    this.host.faults.check('unlink', [at]);
    if (at === '/') throw fsError('EISDIR', 'unlink', at);
    const { directory, name } = this.parentOf(at, 'unlink');
    const node = directory.children.get(name);
    if (node === undefined) throw fsError('ENOENT', 'unlink', at);
    if (node.kind === 'directory') throw fsError('EISDIR', 'unlink', at);
    directory.children.delete(name);
    this.unlinkNode(node);
  }

  async exists(path: string): Promise<boolean> {
    const at = normalize(path);
    this.host.faults.check('exists', [at]);
    try {
      return this.lookupOrNull(at, 'exists') !== null;
    } catch (error) {
      if (error instanceof FileSystemError && (error.code === 'ENOTDIR' || error.code === 'ENOENT')) return false;
      throw error;
    }
  }

  async syncDirectory(path: string): Promise<void> {
    const at = normalize(path);
    this.host.faults.check('syncDirectory', [at]);
    const node = this.lookup(at, 'syncDirectory');
    if (node.kind === 'file') throw fsError('ENOTDIR', 'syncDirectory', at);
    node.sync();
  }

  private resize(file: MemoryFile, newSize: number, path: string): void {
    if (!file.linked) return; // an unlinked file's bytes are not counted
    const growth = newSize - file.size;
    if (growth > 0 && this.capacityBytes !== undefined && this.used + growth > this.capacityBytes) {
      throw fsError('ENOSPC', 'write', path);
    }
    this.used += growth;
  }

  private unlinkNode(node: MemoryNode): void {
    node.linked = false;
    if (node.kind === 'file') this.used -= node.size;
  }

  private lookup(path: string, op: string): MemoryNode {
    const node = this.lookupOrNull(path, op);
    if (node === null) throw fsError('ENOENT', op, path);
    return node;
  }

  /** null when the last component is missing; ENOENT/ENOTDIR when a parent is missing or a file. */
  private lookupOrNull(path: string, op: string): MemoryNode | null {
    const names = components(path);
    let node: MemoryNode = this.root;
    for (let i = 0; i < names.length; i++) {
      if (node.kind === 'file') throw fsError('ENOTDIR', op, path);
      const child = node.children.get(names[i]!);
      if (child === undefined) {
        if (i === names.length - 1) return null;
        throw fsError('ENOENT', op, path);
      }
      node = child;
    }
    return node;
  }

  private parentOf(path: string, op: string): { directory: MemoryDirectory; name: string } {
    const parent = this.lookup(posix.dirname(path), op);
    if (parent.kind === 'file') throw fsError('ENOTDIR', op, path);
    return { directory: parent, name: posix.basename(path) };
  }
}

function normalize(path: string): string {
  return posix.resolve('/', path);
}

function components(path: string): string[] {
  return path.split('/').filter((name) => name.length > 0);
}
