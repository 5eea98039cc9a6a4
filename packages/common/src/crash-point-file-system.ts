/**
 * Power loss at an exact point: a FileSystem over a MemoryFileSystem that lets the first
 * `crashAt` calls through (FileSystem and FileHandle calls alike), then crashes the memory file
 * system (`crash(random)`) instead of making the next call. That call and every later one fail
 * with EIO, as the process is dead; the MemoryFileSystem itself is then the restarted machine.
 * Crash tests run an operation once with `crashAt = Infinity` to count its calls, then once per
 * crash point.
 */
import type { FileHandle, FileSystem, OpenMode } from './file-system.js';
import { FileSystemError } from './file-system.js';
import type { MemoryFileSystem } from './memory-file-system.js';
import type { Random } from './random.js';

export class CrashPointFileSystem implements FileSystem {
  /** Calls let through so far. */
  operations = 0;
  crashed = false;

  constructor(
    readonly memory: MemoryFileSystem,
    private readonly crashAt: number,
    private readonly random?: Random,
  ) {}

  async open(path: string, mode: OpenMode): Promise<FileHandle> {
    this.step('open');
    return this.wrap(await this.memory.open(path, mode));
  }

  async readFile(path: string): Promise<Buffer> {
    this.step('readFile');
    return this.memory.readFile(path);
  }

  async readdir(path: string): Promise<string[]> {
    this.step('readdir');
    return this.memory.readdir(path);
  }

  async mkdir(path: string): Promise<void> {
    this.step('mkdir');
    return this.memory.mkdir(path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.step('rename');
    return this.memory.rename(from, to);
  }

  async unlink(path: string): Promise<void> {
    this.step('unlink');
    return this.memory.unlink(path);
  }

  async exists(path: string): Promise<boolean> {
    this.step('exists');
    return this.memory.exists(path);
  }

  async syncDirectory(path: string): Promise<void> {
    this.step('syncDirectory');
    return this.memory.syncDirectory(path);
  }

  private wrap(handle: FileHandle): FileHandle {
    return {
      read: async (buffer, offset, length, position) => {
        this.step('read');
        return handle.read(buffer, offset, length, position);
      },
      write: async (buffer, position) => {
        this.step('write');
        return handle.write(buffer, position);
      },
      datasync: async () => {
        this.step('datasync');
        return handle.datasync();
      },
      size: async () => {
        this.step('size');
        return handle.size();
      },
      truncate: async (length) => {
        this.step('truncate');
        return handle.truncate(length);
      },
      close: async () => {
        this.step('close');
        return handle.close();
      },
    };
  }

  private step(op: string): void {
    if (!this.crashed && this.operations >= this.crashAt) {
      this.memory.crash(this.random);
      this.crashed = true;
    }
    if (this.crashed) throw new FileSystemError('EIO', `EIO: ${op} after a simulated crash`);
    this.operations++;
  }
}
