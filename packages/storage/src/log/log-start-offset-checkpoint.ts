/**
 * The log start offset, kept in the partition directory when DeleteRecords (or a follower's full
 * truncation) moves it past the first segment's base offset; otherwise the first segment's base
 * offset is the log start. A Kafka-format checkpoint file (checkpoint-file.ts: version 0, an
 * entry count, then the offset), replaced atomically.
 */
import { join } from 'node:path';
import type { FileSystem } from '@tributary/common';
import { CheckpointFile, type CheckpointFormat } from '../checkpoint/checkpoint-file.js';
import { LogStorageError } from './log-errors.js';
import { LOG_START_OFFSET_FILE } from './segment-files.js';

const OFFSET = /^(0|[1-9][0-9]{0,15})$/;

const logStartOffsetFormat: CheckpointFormat<number> = {
  version: 0,
  format: (offset) => String(offset),
  parse: (line) => (OFFSET.test(line) && Number.isSafeInteger(Number(line)) ? Number(line) : undefined),
  validate: (entries) => (entries.length <= 1 ? null : `${entries.length} offsets where one was expected`),
};

function checkpointFile(fs: FileSystem, dir: string): CheckpointFile<number> {
  return new CheckpointFile(fs, join(dir, LOG_START_OFFSET_FILE), logStartOffsetFormat);
}

/** The stored offset, or null when there is none. Throws LogStorageError (I/O or corruption). */
export async function readLogStartOffset(fs: FileSystem, dir: string): Promise<number | null> {
  const read = await checkpointFile(fs, dir).read();
  if (!read.ok) throw asLogStorageError(read.error);
  return read.value[0] ?? null;
}

/** Replaces the stored offset, durably. Throws LogStorageError. */
export async function writeLogStartOffset(fs: FileSystem, dir: string, offset: number): Promise<void> {
  const written = await checkpointFile(fs, dir).write([offset]);
  if (!written.ok) throw asLogStorageError(written.error);
}

function asLogStorageError(error: Error): LogStorageError {
  if (error instanceof LogStorageError) return error;
  return new LogStorageError('corrupt', error.message, { cause: error });
}
