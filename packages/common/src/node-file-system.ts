/**
 * The real file system: `FileSystem` over `node:fs/promises`. Every errno-style failure from
 * node surfaces as a `FileSystemError` with the same code ('ENOENT', 'ENOSPC', 'EIO', ...);
 * anything else (a bad argument, a programmer error) is rethrown as is.
 */
import { constants, promises as fs } from 'node:fs';
import type { FileHandle, FileSystem, OpenMode } from './file-system.js';
import { FileSystemError } from './file-system.js';

/** Read-write without O_APPEND: on Linux, O_APPEND makes every positional write land at the end. */
const READ_WRITE_CREATE = constants.O_RDWR | constants.O_CREAT;
const FILE_MODE = 0o644;

/** Node's system errors carry `code` 'E…'; its argument errors carry 'ERR_…' and stay thrown. */
function isErrnoError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((error as NodeJS.ErrnoException).code!);
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isErrnoError(error)) throw new FileSystemError(error.code, error.message);
    throw error;
  }
}

class NodeFileHandle implements FileHandle {
  constructor(private readonly handle: fs.FileHandle) {}

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return call(async () => (await this.handle.read(buffer, offset, length, position)).bytesRead);
  }

  write(buffer: Buffer, position: number): Promise<void> {
    return call(async () => {
      // pwrite may write less than asked (signals, quotas); each round writes at least one
      // byte or fails, so the loop is bounded by the buffer's length.
      let done = 0;
      while (done < buffer.length) {
        const { bytesWritten } = await this.handle.write(buffer, done, buffer.length - done, position + done);
        if (bytesWritten <= 0) throw new FileSystemError('EIO', `write made no progress at position ${position + done}`);
        done += bytesWritten;
      }
    });
  }

  datasync(): Promise<void> {
    return call(() => this.handle.datasync());
  }

  size(): Promise<number> {
    return call(async () => (await this.handle.stat()).size);
  }

  truncate(length: number): Promise<void> {
    return call(() => this.handle.truncate(length));
  }

  close(): Promise<void> {
    return call(() => this.handle.close());
  }
}

export const nodeFileSystem: FileSystem = {
  open: (path: string, mode: OpenMode) =>
    call(async () => new NodeFileHandle(await fs.open(path, mode === 'r' ? 'r' : READ_WRITE_CREATE, FILE_MODE))),

  readFile: (path) => call(() => fs.readFile(path)),

  readdir: (path) => call(() => fs.readdir(path)),

  // Idempotent, like MemoryFileSystem: an existing directory is success; the parent must exist.
  mkdir: (path) =>
    call(async () => {
      try {
        await fs.mkdir(path);
      } catch (error) {
        if (!isErrnoError(error) || error.code !== 'EEXIST') throw error;
        if (!(await fs.stat(path)).isDirectory()) throw error;
      }
    }),

  rename: (from, to) => call(() => fs.rename(from, to)),

  unlink: (path) => call(() => fs.unlink(path)),

  exists: (path) =>
    call(async () => {
      try {
        await fs.stat(path);
        return true;
      } catch (error) {
        if (isErrnoError(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return false;
        throw error;
      }
    }),

  // fsync on a directory descriptor is what makes its entries (creates, renames, unlinks) durable.
  syncDirectory: (path) =>
    call(async () => {
      const dir = await fs.open(path, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }),
};
