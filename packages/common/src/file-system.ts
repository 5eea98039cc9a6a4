/**
 * The file system as storage sees it: injected, so tests and the simulator can swap in a
 * fake one (in memory, with crashes that lose unsynced writes, and injected faults).
 * Errors are thrown as `FileSystemError` carrying the errno-style code ('ENOSPC', 'EACCES', ...).
 */
export interface FileHandle {
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns bytes read (0 at end). */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Writes all of `buffer` at `position`. */
  write(buffer: Buffer, position: number): Promise<void>;
  /** Flushes this file's data (and the metadata needed to read it) to stable storage. */
  datasync(): Promise<void>;
  /** Current size in bytes. */
  size(): Promise<number>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export type OpenMode =
  /** Read only; the file must exist. */
  | 'r'
  /** Read and write; created when missing, never truncated. */
  | 'rw';

export interface FileSystem {
  open(path: string, mode: OpenMode): Promise<FileHandle>;
  /** Whole-file read (small files: checkpoints, metadata). */
  readFile(path: string): Promise<Buffer>;
  /** Names in a directory (not paths), unsorted. */
  readdir(path: string): Promise<string[]>;
  mkdir(path: string): Promise<void>;
  /** Atomic replace of `to` by `from`. */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Makes a directory's entries (creations, renames, deletions) durable. */
  syncDirectory(path: string): Promise<void>;
}

export class FileSystemError extends Error {
  override readonly name = 'FileSystemError';
  constructor(
    /** errno-style code: 'ENOENT', 'ENOSPC', 'EACCES', 'EIO', ... */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
