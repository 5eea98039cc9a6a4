/**
 * Topic metadata on disk. Layout (all under `<dataDir>/topics/`):
 *
 *   <topic>/topic.json        name, topicId, partition count, internal flag, config overrides
 *   <topic>/<partition>/      one PartitionLog directory per partition (0, 1, ...)
 *   ~<topicId>.creating/      a topic being built; removed on open (the create never happened)
 *   ~<topicId>.deleted/       a deleted topic whose files are still being removed; finished on open
 *
 * '~' cannot appear in a topic name, so the staging and trash names never collide with a topic,
 * and they stay short whatever the topic name's length (Linux allows 255 bytes per name).
 * Every change is atomic across a crash: topic.json is replaced by write-to-tmp, datasync, rename,
 * directory sync; a topic appears by renaming its fully built staging directory into place and
 * disappears by renaming it to its trash name, each followed by a sync of `topics/`.
 * Topic names are directory names as given, so a case-insensitive file system (macOS default)
 * cannot hold two topics differing only in case: creating the second fails with a storage error.
 */
import { promises as nodeFs } from 'node:fs';
import { posix } from 'node:path';
import { FileSystemError, err, nodeFileSystem, ok, type FileSystem, type Result } from '@tributary/common';
import { adminError, type TopicAdminFailure } from './topic-admin-error.js';

export interface TopicMetadata {
  readonly name: string;
  readonly topicId: string;
  readonly partitionCount: number;
  readonly internal: boolean;
  readonly configs: Readonly<Record<string, string>>;
}

export const METADATA_FILE = 'topic.json';
const METADATA_VERSION = 1;
/** topic.json is small (a name and a few configs); anything bigger is corrupt and not read. */
export const METADATA_BYTES_MAX = 1024 * 1024;
/** topics/<dir>/<partition>/<file>: deeper than this is not something we wrote. */
const REMOVE_DEPTH_MAX = 3;

const STAGING = /^~([A-Za-z0-9_-]{22})\.creating$/;
const TRASH = /^~([A-Za-z0-9_-]{22})\.deleted$/;

export type LoadedTopicDir = { readonly kind: 'topic'; readonly metadata: TopicMetadata } | { readonly kind: 'unreadable'; readonly dir: string; readonly reason: string };

export class TopicMetadataStore {
  readonly topicsDir: string;

  constructor(
    private readonly fs: FileSystem,
    readonly dataDir: string,
  ) {
    this.topicsDir = posix.join(dataDir, 'topics');
  }

  topicDir(name: string): string {
    return posix.join(this.topicsDir, name);
  }

  partitionDir(name: string, partition: number): string {
    return posix.join(this.topicsDir, name, String(partition));
  }

  /** Creates `<dataDir>/topics` when missing (the data directory itself is created too; its parent must exist). */
  init(): Promise<Result<void, TopicAdminFailure>> {
    return storageStep(`creating ${this.topicsDir}`, async () => {
      // Each new directory's entry is made durable in its parent, or a crash could drop the lot.
      await this.fs.mkdir(this.dataDir);
      await this.fs.syncDirectory(posix.dirname(this.dataDir));
      await this.fs.mkdir(this.topicsDir);
      await this.fs.syncDirectory(this.dataDir);
    });
  }

  /** Reads every topic's metadata; finishes interrupted deletions and discards interrupted creations. */
  loadAll(): Promise<Result<LoadedTopicDir[], TopicAdminFailure>> {
    return storageStep(`loading ${this.topicsDir}`, async () => {
      const loaded: LoadedTopicDir[] = [];
      for (const entry of (await this.fs.readdir(this.topicsDir)).sort()) {
        if (STAGING.test(entry) || TRASH.test(entry)) {
          await this.removeTree(posix.join(this.topicsDir, entry), 0);
          continue;
        }
        if (entry.startsWith('~')) continue;
        loaded.push(await this.readTopicDir(entry));
      }
      return loaded;
    });
  }

  private async readTopicDir(entry: string): Promise<LoadedTopicDir> {
    const path = posix.join(this.topicsDir, entry, METADATA_FILE);
    const unreadable = (reason: string): LoadedTopicDir => ({ kind: 'unreadable', dir: entry, reason });
    if (await this.fs.exists(`${path}.tmp`)) await this.fs.unlink(`${path}.tmp`);
    if (!(await this.fs.exists(path))) return unreadable(`${path} is missing`);
    const bytes = await this.fs.readFile(path);
    if (bytes.length > METADATA_BYTES_MAX) return unreadable(`${path} is ${bytes.length} bytes, above ${METADATA_BYTES_MAX}`);
    const parsed = parseMetadata(bytes.toString('utf8'));
    if (typeof parsed === 'string') return unreadable(`${path}: ${parsed}`);
    if (parsed.name !== entry) return unreadable(`${path} names topic ${JSON.stringify(parsed.name)}, not ${JSON.stringify(entry)}`);
    await this.removeExtraPartitions(parsed);
    return { kind: 'topic', metadata: parsed };
  }

  /** Partition directories at or above the count are left by a createPartitions that crashed before committing. */
  private async removeExtraPartitions(metadata: TopicMetadata): Promise<void> {
    const dir = this.topicDir(metadata.name);
    for (const entry of await this.fs.readdir(dir)) {
      if (/^(0|[1-9][0-9]*)$/.test(entry) && Number(entry) >= metadata.partitionCount) await this.removeTree(posix.join(dir, entry), 1);
    }
  }

  /** Builds the topic in a staging directory, then renames it into place: it exists whole or not at all. */
  createTopic(metadata: TopicMetadata): Promise<Result<void, TopicAdminFailure>> {
    return storageStep(`creating topic ${metadata.name}`, async () => {
      const staging = posix.join(this.topicsDir, `~${metadata.topicId}.creating`);
      await this.fs.mkdir(staging);
      for (let p = 0; p < metadata.partitionCount; p++) await this.fs.mkdir(posix.join(staging, String(p)));
      await this.writeMetadataIn(staging, metadata);
      await this.fs.rename(staging, this.topicDir(metadata.name));
      await this.fs.syncDirectory(this.topicsDir);
    });
  }

  /** New partition directories first, then the metadata naming them: the count commits the change. */
  addPartitions(metadata: TopicMetadata, fromCount: number): Promise<Result<void, TopicAdminFailure>> {
    return storageStep(`adding partitions to ${metadata.name}`, async () => {
      const dir = this.topicDir(metadata.name);
      for (let p = fromCount; p < metadata.partitionCount; p++) await this.fs.mkdir(posix.join(dir, String(p)));
      await this.fs.syncDirectory(dir);
      await this.writeMetadataIn(dir, metadata);
    });
  }

  writeMetadata(metadata: TopicMetadata): Promise<Result<void, TopicAdminFailure>> {
    return storageStep(`writing the metadata of ${metadata.name}`, () => this.writeMetadataIn(this.topicDir(metadata.name), metadata));
  }

  /** The durable step of a deletion: after it, the topic is gone even if removing its files is cut short. */
  moveToTrash(metadata: TopicMetadata): Promise<Result<string, TopicAdminFailure>> {
    return storageStep(`deleting topic ${metadata.name}`, async () => {
      const trash = posix.join(this.topicsDir, `~${metadata.topicId}.deleted`);
      await this.fs.rename(this.topicDir(metadata.name), trash);
      await this.fs.syncDirectory(this.topicsDir);
      return trash;
    });
  }

  /** Removes a trashed topic's files; what a failure leaves is removed on the next open. */
  purge(trash: string): Promise<Result<void, TopicAdminFailure>> {
    return storageStep(`removing ${trash}`, () => this.removeTree(trash, 0));
  }

  private async writeMetadataIn(dir: string, metadata: TopicMetadata): Promise<void> {
    const path = posix.join(dir, METADATA_FILE);
    const tmp = `${path}.tmp`;
    const bytes = Buffer.from(`${JSON.stringify({ version: METADATA_VERSION, ...metadata })}\n`, 'utf8');
    const handle = await this.fs.open(tmp, 'rw');
    try {
      await handle.truncate(0); // 'rw' never truncates, and a crash may have left a longer .tmp
      await handle.write(bytes, 0);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await this.fs.rename(tmp, path);
    await this.fs.syncDirectory(dir);
  }

  /** Unlinks every file under `path`, then the directories when the FileSystem can remove them. */
  private async removeTree(path: string, depth: number): Promise<void> {
    for (const entry of await this.fs.readdir(path)) {
      const child = posix.join(path, entry);
      try {
        await this.fs.unlink(child);
      } catch (error) {
        const isDirectory = error instanceof FileSystemError && (error.code === 'EISDIR' || error.code === 'EPERM');
        if (!isDirectory || depth + 1 > REMOVE_DEPTH_MAX) throw error;
        await this.removeTree(child, depth + 1);
      }
    }
    await this.removeDirectory(path);
  }

  /**
   * The FileSystem interface has no rmdir yet: use one when the implementation has it, node's
   * for the real file system; otherwise the empty directory stays (harmless, and never a topic:
   * its name holds '~').
   */
  private async removeDirectory(path: string): Promise<void> {
    const withRmdir = this.fs as FileSystem & { rmdir?: (path: string) => Promise<void> };
    if (typeof withRmdir.rmdir === 'function') await withRmdir.rmdir(path);
    else if (this.fs === nodeFileSystem) await asFileSystemError(() => nodeFs.rmdir(path));
    else return;
    await this.fs.syncDirectory(posix.dirname(path));
  }
}

function parseMetadata(text: string): TopicMetadata | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON (truncated?)';
  }
  if (typeof value !== 'object' || value === null) return 'not an object';
  const v = value as Record<string, unknown>;
  if (v['version'] !== METADATA_VERSION) return `unsupported version ${JSON.stringify(v['version'])}`;
  const { name, topicId, partitionCount, internal, configs } = v;
  if (typeof name !== 'string' || name.length === 0) return 'bad name';
  if (typeof topicId !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(topicId)) return 'bad topicId';
  if (typeof partitionCount !== 'number' || !Number.isSafeInteger(partitionCount) || partitionCount < 1) return 'bad partitionCount';
  if (typeof internal !== 'boolean') return 'bad internal flag';
  if (typeof configs !== 'object' || configs === null || Object.values(configs).some((c) => typeof c !== 'string')) return 'bad configs';
  return { name, topicId, partitionCount, internal, configs: configs as Record<string, string> };
}

async function asFileSystemError(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new FileSystemError(code, (error as Error).message);
    throw error;
  }
}

/** Runs file-system calls; a FileSystemError becomes KAFKA_STORAGE_ERROR, anything else is a bug and propagates. */
export async function storageStep<T>(what: string, run: () => Promise<T>): Promise<Result<T, TopicAdminFailure>> {
  try {
    return ok(await run());
  } catch (error) {
    if (error instanceof FileSystemError) return err(adminError('KAFKA_STORAGE_ERROR', `${what}: ${error.code}: ${error.message}`, error));
    throw error;
  }
}
