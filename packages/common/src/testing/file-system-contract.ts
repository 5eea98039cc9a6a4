/**
 * The behaviour every FileSystem must share, run against both the node and the memory
 * implementations so the fake cannot drift from the real thing. Test support only (not exported).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileSystem } from '../file-system.js';
import { FileSystemError } from '../file-system.js';

export interface ContractFixture {
  readonly fs: FileSystem;
  /** An empty directory to work in. */
  readonly dir: string;
  cleanup(): Promise<void>;
}

export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof FileSystemError, `expected a FileSystemError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

export function fileSystemContract(name: string, setup: () => Promise<ContractFixture>): void {
  const scenario = (title: string, body: (fs: FileSystem, dir: string) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const fixture = await setup();
      try {
        await body(fixture.fs, fixture.dir);
      } finally {
        await fixture.cleanup();
      }
    });
  };

  scenario("'rw' creates a missing file and never truncates an existing one", async (fs, dir) => {
    const path = `${dir}/a.bin`;
    const first = await fs.open(path, 'rw');
    await first.write(Buffer.from('hello world'), 0);
    await first.close();
    const second = await fs.open(path, 'rw');
    assert.equal(await second.size(), 11);
    await second.write(Buffer.from('W'), 6); // positional, not appended
    await second.close();
    assert.equal((await fs.readFile(path)).toString(), 'hello World');
  });

  scenario('positional reads and writes, sparse gaps read as zeros, truncate', async (fs, dir) => {
    const handle = await fs.open(`${dir}/b.bin`, 'rw');
    await handle.write(Buffer.from([7, 8]), 4);
    assert.equal(await handle.size(), 6);
    const out = Buffer.alloc(10, 0xff);
    assert.equal(await handle.read(out, 1, 8, 0), 6);
    assert.deepEqual([...out], [0xff, 0, 0, 0, 0, 7, 8, 0xff, 0xff, 0xff]);
    assert.equal(await handle.read(out, 0, 4, 6), 0, 'reading at the end gives 0 bytes');
    await handle.truncate(5);
    assert.equal(await handle.size(), 5);
    await handle.truncate(7);
    const grown = Buffer.alloc(7);
    assert.equal(await handle.read(grown, 0, 7, 0), 7);
    assert.deepEqual([...grown], [0, 0, 0, 0, 7, 0, 0]);
    await handle.datasync();
    await handle.close();
  });

  scenario('errors carry errno codes', async (fs, dir) => {
    await rejectsWithCode(fs.open(`${dir}/missing`, 'r'), 'ENOENT');
    await rejectsWithCode(fs.open(`${dir}/no/such/dir`, 'rw'), 'ENOENT');
    await rejectsWithCode(fs.readFile(`${dir}/missing`), 'ENOENT');
    await rejectsWithCode(fs.readdir(`${dir}/missing`), 'ENOENT');
    await rejectsWithCode(fs.unlink(`${dir}/missing`), 'ENOENT');
    await rejectsWithCode(fs.rename(`${dir}/missing`, `${dir}/other`), 'ENOENT');
    await rejectsWithCode(fs.syncDirectory(`${dir}/missing`), 'ENOENT');
    await rejectsWithCode(fs.mkdir(`${dir}/no/such`), 'ENOENT');
    await rejectsWithCode(fs.readFile(dir), 'EISDIR');
    const handle = await fs.open(`${dir}/c.bin`, 'rw');
    await handle.close();
    await handle.close(); // a second close is harmless
    await rejectsWithCode(handle.read(Buffer.alloc(1), 0, 1, 0), 'EBADF');
    const reader = await fs.open(`${dir}/c.bin`, 'r');
    await rejectsWithCode(reader.write(Buffer.from('x'), 0), 'EBADF');
    await reader.close();
  });

  scenario('directories: mkdir is idempotent, readdir, exists', async (fs, dir) => {
    await fs.mkdir(`${dir}/sub`);
    await fs.mkdir(`${dir}/sub`);
    await (await fs.open(`${dir}/sub/f`, 'rw')).close();
    await rejectsWithCode(fs.mkdir(`${dir}/sub/f`), 'EEXIST');
    assert.deepEqual((await fs.readdir(dir)).sort(), ['sub']);
    assert.deepEqual(await fs.readdir(`${dir}/sub`), ['f']);
    assert.equal(await fs.exists(`${dir}/sub`), true);
    assert.equal(await fs.exists(`${dir}/sub/f`), true);
    assert.equal(await fs.exists(`${dir}/sub/g`), false);
    assert.equal(await fs.exists(`${dir}/sub/f/under-a-file`), false);
    assert.equal(await fs.exists(`${dir}/none/deeper`), false);
    await fs.syncDirectory(`${dir}/sub`);
  });

  scenario('rename replaces the target; unlink removes', async (fs, dir) => {
    for (const [file, text] of [['old', 'old content'], ['new.tmp', 'new']] as const) {
      const handle = await fs.open(`${dir}/${file}`, 'rw');
      await handle.write(Buffer.from(text), 0);
      await handle.close();
    }
    await fs.rename(`${dir}/new.tmp`, `${dir}/old`);
    assert.equal((await fs.readFile(`${dir}/old`)).toString(), 'new');
    assert.deepEqual(await fs.readdir(dir), ['old']);
    await fs.unlink(`${dir}/old`);
    assert.deepEqual(await fs.readdir(dir), []);
  });
}
