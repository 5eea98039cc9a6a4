/**
 * A node's disks across its incarnations. The partition logs live in a MemoryFileSystem that loses
 * unsynced data at a crash (with torn tails from the seed); each incarnation reaches it through a
 * proxy that makes every sync take simulated time and that freezes for good once the incarnation
 * is dead, so a crashed process's leftover work can never touch its successor's files. Raft state
 * lives in a MemoryRaftStore with the same rules: a write is durable once its simulated fsync ends.
 */
import { err, ok, type FileHandle, type FileSystem, type Result } from '@tributary/common';
import { RaftStorageError, type PersistRequest, type RaftLogStore } from '@tributary/broker';
import type { Entry, HardState, PersistedState, Snapshot } from '@tributary/raft';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

export interface Incarnation {
  readonly id: string;
  /** False once crashed: its disk calls never return. */
  alive(): boolean;
  /** Resolves after a simulated fsync (never, if the incarnation dies first). */
  fsyncDelay(): Promise<void>;
}

export function incarnationFileSystem(fs: FileSystem, incarnation: Incarnation): FileSystem {
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    if (!incarnation.alive()) return never<T>();
    const value = await run();
    if (!incarnation.alive()) return never<T>();
    return value;
  };
  const handle = (inner: FileHandle): FileHandle => ({
    read: (buffer, offset, length, position) => guard(() => inner.read(buffer, offset, length, position)),
    write: (buffer, position) => guard(() => inner.write(buffer, position)),
    datasync: () => guard(async () => {
      await incarnation.fsyncDelay();
      await inner.datasync();
    }),
    size: () => guard(() => inner.size()),
    truncate: (length) => guard(() => inner.truncate(length)),
    close: () => guard(() => inner.close()),
  });
  return {
    open: (path, mode) => guard(async () => handle(await fs.open(path, mode))),
    readFile: (path) => guard(() => fs.readFile(path)),
    readdir: (path) => guard(() => fs.readdir(path)),
    mkdir: (path) => guard(() => fs.mkdir(path)),
    rename: (from, to) => guard(() => fs.rename(from, to)),
    unlink: (path) => guard(() => fs.unlink(path)),
    exists: (path) => guard(() => fs.exists(path)),
    syncDirectory: (path) => guard(async () => {
      await incarnation.fsyncDelay();
      await fs.syncDirectory(path);
    }),
  };
}

/** What a node's Raft disk holds: only writes whose fsync completed. */
export interface RaftDisk {
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | undefined;
}

export function emptyRaftDisk(): RaftDisk {
  return { hardState: { term: 0, votedFor: undefined, commitIndex: 0 }, entries: [], snapshot: undefined };
}

export class MemoryRaftStore implements RaftLogStore {
  constructor(
    private readonly disk: RaftDisk,
    private readonly incarnation: Incarnation,
  ) {}

  async load(): Promise<Result<PersistedState, RaftStorageError>> {
    if (!this.incarnation.alive()) return never();
    const { hardState, entries, snapshot } = this.disk;
    return ok(snapshot === undefined ? { hardState: { ...hardState }, entries: [...entries] } : { hardState: { ...hardState }, entries: [...entries], snapshot });
  }

  async write(request: PersistRequest): Promise<Result<void, RaftStorageError>> {
    await this.incarnation.fsyncDelay();
    if (!this.incarnation.alive()) return never();
    const disk = this.disk;
    const snapshot = request.snapshot;
    if (snapshot !== undefined) {
      disk.entries = disk.entries.filter((e) => e.index > snapshot.index);
      disk.snapshot = snapshot;
    }
    const first = request.entriesToPersist[0]?.index;
    const discardFrom = Math.min(request.truncateFrom ?? Infinity, first ?? Infinity);
    disk.entries = disk.entries.filter((e) => e.index < discardFrom);
    disk.entries.push(...request.entriesToPersist);
    if (request.hardState !== undefined) disk.hardState = { ...request.hardState };
    return ok(undefined);
  }

  async compact(index: number, data: Uint8Array): Promise<Result<void, RaftStorageError>> {
    await this.incarnation.fsyncDelay();
    if (!this.incarnation.alive()) return never();
    const disk = this.disk;
    if (index <= (disk.snapshot?.index ?? 0)) return ok(undefined);
    const entry = disk.entries.find((e) => e.index === index);
    if (entry === undefined) return err(new RaftStorageError(`cannot compact through ${index}: no entry`));
    disk.snapshot = { index, term: entry.term, data };
    disk.entries = disk.entries.filter((e) => e.index > index);
    return ok(undefined);
  }

  async close(): Promise<void> {}
}
