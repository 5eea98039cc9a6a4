import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemError } from './file-system.js';
import { nodeFileSystem } from './node-file-system.js';
import { fileSystemContract, rejectsWithCode } from './testing/file-system-contract.js';

fileSystemContract('nodeFileSystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-fs-'));
  return { fs: nodeFileSystem, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

test('nodeFileSystem: a non-errno failure (a bad argument) is not disguised as a FileSystemError', async () => {
  await assert.rejects(nodeFileSystem.readFile('\0bad'), (error: unknown) => {
    assert.ok(error instanceof Error && !(error instanceof FileSystemError));
    return true;
  });
});

test('nodeFileSystem: errno codes pass through unchanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-fs-'));
  try {
    const file = join(dir, 'f');
    await (await nodeFileSystem.open(file, 'rw')).close();
    await rejectsWithCode(nodeFileSystem.open(dir, 'rw'), 'EISDIR');
    await rejectsWithCode(nodeFileSystem.readdir(file), 'ENOTDIR');
    await rejectsWithCode(nodeFileSystem.open(join(file, 'below-a-file'), 'rw'), 'ENOTDIR');
    await rejectsWithCode(nodeFileSystem.syncDirectory(join(dir, 'missing')), 'ENOENT');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
