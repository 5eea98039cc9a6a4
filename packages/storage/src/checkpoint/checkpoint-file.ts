/**
 * Kafka's checkpoint files (leader-epoch-checkpoint, recovery-point-offset-checkpoint, ...):
 * text, line 1 the format version, line 2 the entry count, then one entry per line, every line
 * ending in '\n'. A write is atomic across crashes: the new content goes to `<path>.tmp`, is
 * datasynced, renamed over `<path>`, and the directory is synced, so after a crash the file holds
 * the old or the new content, never a mix. A `.tmp` left by a crash is removed on read.
 */
import { dirname } from 'node:path';
import { FileSystemError, err, ok, type FileHandle, type FileSystem, type Result } from '@tributary/common';
import type { LogStorageError } from '../log/log-errors.js';
import { CorruptCheckpointError, storageCall } from '../storage-errors.js';

export interface CheckpointFormat<T> {
  readonly version: number;
  /** One line, without its '\n'. */
  format(entry: T): string;
  /** The entry a line holds; undefined when the line is malformed. */
  parse(line: string): T | undefined;
  /** A rule over all entries (ordering, say): why they break it, or null. */
  validate(entries: readonly T[]): string | null;
}

/** Checkpoints are small; a bigger file is corrupt and is not read into memory. */
export const CHECKPOINT_BYTES_MAX = 16 * 1024 * 1024;

export function encodeCheckpoint<T>(format: CheckpointFormat<T>, entries: readonly T[]): Buffer {
  const lines = [String(format.version), String(entries.length), ...entries.map((entry) => format.format(entry))];
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

const COUNT = /^(0|[1-9][0-9]*)$/;

export function decodeCheckpoint<T>(format: CheckpointFormat<T>, bytes: Buffer, path: string): Result<T[], CorruptCheckpointError> {
  const corrupt = (line: number, reason: string) => err(new CorruptCheckpointError(path, line, reason));
  const text = bytes.toString('utf8');
  // Every line ends in '\n', so a file cut short anywhere is caught, even inside the last number.
  if (!text.endsWith('\n')) return corrupt(0, text.length === 0 ? 'empty file' : 'no final newline (truncated?)');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== String(format.version)) return corrupt(1, `unsupported version ${JSON.stringify(lines[0]!.slice(0, 20))}`);
  const countLine = lines[1];
  if (countLine === undefined || !COUNT.test(countLine)) return corrupt(2, 'malformed entry count');
  const count = Number(countLine);
  if (count !== lines.length - 2) return corrupt(2, `expected ${count} entries, found ${lines.length - 2}`);
  const entries: T[] = [];
  for (let i = 2; i < lines.length; i++) {
    const entry = format.parse(lines[i]!);
    if (entry === undefined) return corrupt(i + 1, `malformed entry ${JSON.stringify(lines[i]!.slice(0, 60))}`);
    entries.push(entry);
  }
  const broken = format.validate(entries);
  return broken === null ? ok(entries) : corrupt(0, broken);
}

type ReadOutcome = { readonly kind: 'missing' } | { readonly kind: 'too-large'; readonly size: number } | { readonly kind: 'read'; readonly bytes: Buffer };

export class CheckpointFile<T> {
  readonly tmpPath: string;
  /** Calls run one at a time: two writes must never interleave on the same `.tmp`. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
    private readonly format: CheckpointFormat<T>,
    private readonly maxBytes = CHECKPOINT_BYTES_MAX,
  ) {
    this.tmpPath = `${path}.tmp`;
  }

  /** The entries; none when the file does not exist. Removes a `.tmp` left by a crash. */
  read(): Promise<Result<T[], LogStorageError | CorruptCheckpointError>> {
    return this.exclusive(async () => {
      const cleaned = await storageCall(`removing ${this.tmpPath}`, async () => {
        if (await this.fs.exists(this.tmpPath)) await this.fs.unlink(this.tmpPath);
      });
      if (!cleaned.ok) return cleaned;
      const read = await storageCall(`reading ${this.path}`, () => readBounded(this.fs, this.path, this.maxBytes));
      if (!read.ok) return read;
      const outcome = read.value;
      if (outcome.kind === 'missing') return ok([]);
      if (outcome.kind === 'too-large') return err(new CorruptCheckpointError(this.path, 0, `${outcome.size} bytes, above the ${this.maxBytes}-byte limit`));
      return decodeCheckpoint(this.format, outcome.bytes, this.path);
    });
  }

  /** Replaces the file's entries atomically and durably; ok only once the new file is durable. */
  write(entries: readonly T[]): Promise<Result<void, LogStorageError>> {
    const bytes = encodeCheckpoint(this.format, entries);
    return this.exclusive(() =>
      storageCall(`writing ${this.path}`, async () => {
        await withHandle(await this.fs.open(this.tmpPath, 'rw'), async (handle) => {
          await handle.truncate(0); // 'rw' never truncates, and a crash may have left a longer .tmp
          await handle.write(bytes, 0);
          await handle.datasync();
        });
        await this.fs.rename(this.tmpPath, this.path);
        await this.fs.syncDirectory(dirname(this.path));
      }),
    );
  }

  private exclusive<R>(run: () => Promise<R>): Promise<R> {
    const result = this.tail.then(run);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Runs `body`, then closes the handle; the body's failure wins over the close's. */
async function withHandle(handle: FileHandle, body: (handle: FileHandle) => Promise<void>): Promise<void> {
  try {
    await body(handle);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  await handle.close();
}

async function readBounded(fs: FileSystem, path: string, maxBytes: number): Promise<ReadOutcome> {
  let handle: FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if (error instanceof FileSystemError && error.code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let outcome: ReadOutcome = { kind: 'missing' };
  await withHandle(handle, async () => {
    const size = await handle.size();
    if (size > maxBytes) {
      outcome = { kind: 'too-large', size };
      return;
    }
    const bytes = Buffer.alloc(size);
    let filled = 0;
    // Each round reads at least one byte or stops, so at most `size` rounds.
    while (filled < size) {
      const n = await handle.read(bytes, filled, size - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    outcome = { kind: 'read', bytes: bytes.subarray(0, filled) };
  });
  return outcome;
}
