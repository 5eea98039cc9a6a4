/**
 * Test support: a FileSystem wrapper that counts and records what the log does to its files —
 * completed writes to `.log` files (with the first batch's base offset) and datasyncs with the
 * length they cover — and can make datasync take real time, as a disk does, so concurrent
 * appends pile up behind it.
 */
import type { FileHandle, FileSystem, OpenMode } from '@tributary/common';

export interface LogWrite {
  readonly path: string;
  readonly position: number;
  readonly end: number;
  /** Base offset of the first batch written (one write per append). */
  readonly baseOffset: number;
}

export class RecordingFileSystem implements FileSystem {
  /** Datasyncs of `.log` files. */
  logSyncs = 0;
  readonly writes: LogWrite[] = [];
  /** Per `.log` path: the length every completed datasync covered (writes completed before it began). */
  readonly durableLength = new Map<string, number>();
  private readonly writtenLength = new Map<string, number>();

  constructor(
    private readonly inner: FileSystem,
    /** Milliseconds each datasync waits before running. */
    private readonly syncDelayMs = 0,
  ) {}

  async open(path: string, mode: OpenMode): Promise<FileHandle> {
    const handle = await this.inner.open(path, mode);
    if (!path.endsWith('.log')) return handle;
    return {
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      write: async (buffer, position) => {
        await handle.write(buffer, position);
        const end = position + buffer.length;
        this.writtenLength.set(path, Math.max(this.writtenLength.get(path) ?? 0, end));
        this.writes.push({ path, position, end, baseOffset: buffer.length >= 8 ? Number(buffer.readBigInt64BE(0)) : -1 });
      },
      datasync: async () => {
        const covers = this.writtenLength.get(path) ?? 0;
        this.logSyncs++;
        if (this.syncDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.syncDelayMs));
        await handle.datasync();
        this.durableLength.set(path, Math.max(this.durableLength.get(path) ?? 0, covers));
      },
      size: () => handle.size(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  }

  /** Whether the write that began at `baseOffset` is covered by a completed datasync. */
  isDurable(baseOffset: number): boolean {
    const write = this.writes.find((w) => w.baseOffset === baseOffset);
    return write !== undefined && (this.durableLength.get(write.path) ?? 0) >= write.end;
  }

  readFile(path: string): Promise<Buffer> {
    return this.inner.readFile(path);
  }
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  mkdir(path: string): Promise<void> {
    return this.inner.mkdir(path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }
  unlink(path: string): Promise<void> {
    return this.inner.unlink(path);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  syncDirectory(path: string): Promise<void> {
    return this.inner.syncDirectory(path);
  }
}
