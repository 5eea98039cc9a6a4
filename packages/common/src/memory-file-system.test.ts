import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from './memory-file-system.js';
import { seededRandom } from './random.js';
import { fileSystemContract, rejectsWithCode } from './testing/file-system-contract.js';

fileSystemContract('MemoryFileSystem', async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/work');
  return { fs, dir: '/work', cleanup: async () => {} };
});

/** Writes `text` at `position` and closes; syncs the data and/or the directory when asked. */
async function put(fs: MemoryFileSystem, path: string, text: string, options: { position?: number; datasync?: boolean; syncDir?: string } = {}): Promise<void> {
  const handle = await fs.open(path, 'rw');
  await handle.write(Buffer.from(text), options.position ?? 0);
  if (options.datasync === true) await handle.datasync();
  await handle.close();
  if (options.syncDir !== undefined) await fs.syncDirectory(options.syncDir);
}

const read = async (fs: MemoryFileSystem, path: string): Promise<string> => (await fs.readFile(path)).toString();

test('datasync makes bytes durable; a crash loses exactly the unsynced bytes', async () => {
  const fs = new MemoryFileSystem();
  await put(fs, '/log', 'durable|', { datasync: true, syncDir: '/' });
  const handle = await fs.open('/log', 'rw');
  await handle.write(Buffer.from('appended'), 8); // unsynced tail
  await handle.write(Buffer.from('D'), 0); // unsynced overwrite
  assert.equal(await read(fs, '/log'), 'Durable|appended', 'visible before the crash');
  fs.crash();
  assert.equal(await read(fs, '/log'), 'durable|');
});

test('an unsynced truncate is undone by a crash; a synced one is not', async () => {
  const fs = new MemoryFileSystem();
  await put(fs, '/f', 'abcdef', { datasync: true, syncDir: '/' });
  const handle = await fs.open('/f', 'rw');
  await handle.truncate(2);
  fs.crash();
  assert.equal(await read(fs, '/f'), 'abcdef');
  const again = await fs.open('/f', 'rw');
  await again.truncate(2);
  await again.datasync();
  fs.crash();
  assert.equal(await read(fs, '/f'), 'ab');
});

test('a datasynced file whose directory entry was never synced vanishes in a crash', async () => {
  const fs = new MemoryFileSystem();
  await put(fs, '/new', 'data', { datasync: true });
  fs.crash();
  assert.equal(await fs.exists('/new'), false);
  // ... and an entry synced before its data leaves an empty file.
  await put(fs, '/early', 'data', { syncDir: '/' });
  fs.crash();
  assert.equal(await read(fs, '/early'), '');
});

test('directory entries: creates, unlinks and mkdirs are undone unless the directory is synced', async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/d');
  await put(fs, '/d/keep', 'k', { datasync: true, syncDir: '/d' });
  fs.crash();
  assert.equal(await fs.exists('/d'), false, 'the mkdir itself was never made durable in /');
  await fs.mkdir('/d');
  await fs.syncDirectory('/');
  await put(fs, '/d/keep', 'k', { datasync: true, syncDir: '/d' });
  await fs.unlink('/d/keep');
  fs.crash();
  assert.equal(await read(fs, '/d/keep'), 'k', 'the unlink was not synced');
  await fs.unlink('/d/keep');
  await fs.syncDirectory('/d');
  fs.crash();
  assert.deepEqual(await fs.readdir('/d'), []);
});

test('rename over a file is atomic and durable only after syncDirectory', async () => {
  const fs = new MemoryFileSystem();
  await put(fs, '/cp', 'old', { datasync: true, syncDir: '/' });
  await put(fs, '/cp.tmp', 'new', { datasync: true });
  await fs.rename('/cp.tmp', '/cp');
  assert.equal(await read(fs, '/cp'), 'new');
  fs.crash();
  assert.equal(await read(fs, '/cp'), 'old', 'the rename was not synced');
  assert.deepEqual(await fs.readdir('/'), ['cp'], 'the never-synced tmp entry is gone too');

  await put(fs, '/cp.tmp', 'new', { datasync: true });
  await fs.rename('/cp.tmp', '/cp');
  await fs.syncDirectory('/');
  fs.crash();
  assert.equal(await read(fs, '/cp'), 'new');
  assert.deepEqual(await fs.readdir('/'), ['cp']);
});

test('a rename across directories made durable in the target leaves no copy in the source', async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/a');
  await fs.mkdir('/b');
  await fs.syncDirectory('/');
  await put(fs, '/a/f', 'x', { datasync: true, syncDir: '/a' });
  await fs.rename('/a/f', '/b/f');
  await fs.syncDirectory('/b');
  fs.crash();
  assert.deepEqual(await fs.readdir('/a'), []);
  assert.equal(await read(fs, '/b/f'), 'x');
});

test('a torn crash keeps durable bytes plus a prefix of the unsynced tail', async () => {
  const durable = 'synced:';
  const tail = 'abcdefghijklmnopqrstuvwxyz';
  const seen = new Set<number>();
  for (let seed = 0; seed < 200; seed++) {
    const fs = new MemoryFileSystem();
    await put(fs, '/log', durable, { datasync: true, syncDir: '/' });
    const handle = await fs.open('/log', 'rw');
    // Several sequential appends: they tear as one tail.
    for (let at = 0; at < tail.length; at += 5) await handle.write(Buffer.from(tail.slice(at, at + 5)), durable.length + at);
    fs.crash(seededRandom(seed));
    const after = await read(fs, '/log');
    assert.ok(after.startsWith(durable), after);
    const kept = after.slice(durable.length);
    assert.equal(kept, tail.slice(0, kept.length), 'a prefix, in order');
    seen.add(kept.length);
    await rejectsWithCode(handle.read(Buffer.alloc(1), 0, 1, 0), 'EBADF');
  }
  assert.ok(seen.has(0) && seen.has(tail.length), 'both extremes occur');
  assert.ok([...seen].some((n) => n > 0 && n < tail.length), 'and torn prefixes in between');
});

test('a torn crash over scattered writes is some in-order prefix of them, the last possibly torn', async () => {
  const writes: Array<[number, string]> = [[2, 'BBBB'], [10, 'CC'], [0, 'D']];
  // Every state a crash may leave: k whole writes, then j bytes of the next.
  const allowed = new Set<string>();
  for (let k = 0; k <= writes.length; k++) {
    const next = writes[k];
    for (let j = 0; j <= (next?.[1].length ?? 0); j++) {
      const bytes = Buffer.alloc(16, 0);
      let size = 4;
      bytes.write('aaaa', 0);
      for (const [position, text] of [...writes.slice(0, k), ...(next ? [[next[0], next[1].slice(0, j)] as const] : [])]) {
        bytes.write(text, position);
        size = Math.max(size, position + text.length);
      }
      allowed.add(bytes.subarray(0, size).toString('hex'));
    }
  }
  const seen = new Set<string>();
  for (let seed = 0; seed < 300; seed++) {
    const fs = new MemoryFileSystem();
    await put(fs, '/f', 'aaaa', { datasync: true, syncDir: '/' });
    const handle = await fs.open('/f', 'rw');
    for (const [position, text] of writes) await handle.write(Buffer.from(text), position);
    fs.crash(seededRandom(seed));
    const after = (await fs.readFile('/f')).toString('hex');
    assert.ok(allowed.has(after), `unexpected state ${after}`);
    seen.add(after);
  }
  assert.ok(seen.size >= allowed.size - 2, `explored ${seen.size} of ${allowed.size} states`);
});

test('the same seed gives the same crash', async () => {
  const outcome = async (seed: number): Promise<string> => {
    const fs = new MemoryFileSystem();
    await put(fs, '/a', 'x', { syncDir: '/' });
    await put(fs, '/a', '0123456789', { position: 1 });
    await put(fs, '/b', 'y', { syncDir: '/' });
    await put(fs, '/b', 'abcdefghij', { position: 1 });
    fs.crash(seededRandom(seed));
    return `${await read(fs, '/a')}|${await read(fs, '/b')}`;
  };
  for (let seed = 0; seed < 20; seed++) assert.equal(await outcome(seed), await outcome(seed));
});

test('many unsynced scattered writes are bounded and still crash to an in-order prefix', async () => {
  const fs = new MemoryFileSystem();
  await put(fs, '/f', '', { syncDir: '/' });
  const handle = await fs.open('/f', 'rw');
  const count = 10_000; // beyond the fold threshold
  for (let i = 0; i < count; i++) await handle.write(Buffer.from([1]), 2 * i);
  fs.crash(seededRandom(3));
  const after = await fs.readFile('/f');
  const written = after.length === 0 ? 0 : (after.length + 1) / 2;
  assert.ok(Number.isInteger(written) && written <= count);
  for (let i = 0; i < after.length; i++) assert.equal(after[i], i % 2 === 0 ? 1 : 0, `byte ${i}`);
});

test('handles opened before a crash fail with EBADF; new ones work', async () => {
  const fs = new MemoryFileSystem();
  await put(fs, '/f', 'abc', { datasync: true, syncDir: '/' });
  const stale = await fs.open('/f', 'rw');
  fs.crash();
  await rejectsWithCode(stale.write(Buffer.from('x'), 0), 'EBADF');
  await rejectsWithCode(stale.datasync(), 'EBADF');
  await rejectsWithCode(stale.size(), 'EBADF');
  await rejectsWithCode(stale.close(), 'EBADF');
  const fresh = await fs.open('/f', 'r');
  assert.equal(await fresh.size(), 3);
  await fresh.close();
});

test('injected faults: matching calls fail with the code and change nothing', async () => {
  const fs = new MemoryFileSystem();
  await put(fs, '/seg.log', 'base', { datasync: true, syncDir: '/' });
  fs.injectFault({ op: 'write', path: /\.log$/, code: 'ENOSPC', times: 1 });
  const handle = await fs.open('/seg.log', 'rw');
  await rejectsWithCode(handle.write(Buffer.from('XX'), 4), 'ENOSPC');
  assert.equal(await read(fs, '/seg.log'), 'base');
  await handle.write(Buffer.from('XX'), 4); // times: 1 is spent
  await put(fs, '/other.idx', 'ok'); // a path the pattern does not match

  fs.injectFault({ op: 'datasync', code: 'EIO' });
  await rejectsWithCode(handle.datasync(), 'EIO');
  await rejectsWithCode(handle.datasync(), 'EIO');
  fs.injectFault({ op: 'rename', path: '/seg.log', code: 'EACCES' });
  await rejectsWithCode(fs.rename('/other.idx', '/seg.log'), 'EACCES'); // matches the target side
  fs.injectFault({ op: 'open', path: 'seg.log', code: 'EPERM' }); // relative: normalized to /seg.log
  await rejectsWithCode(fs.open('/seg.log', 'r'), 'EPERM');
  fs.clearFaults();
  await handle.datasync();
  await handle.close();
  fs.crash();
  assert.equal(await read(fs, '/seg.log'), 'baseXX');
});

test('capacity: writes beyond it fail with ENOSPC; usedBytes follows writes, truncates, unlinks and crashes', async () => {
  const fs = new MemoryFileSystem({ capacityBytes: 10 });
  const handle = await fs.open('/f', 'rw');
  await handle.write(Buffer.alloc(8, 1), 0);
  assert.equal(fs.usedBytes, 8);
  await rejectsWithCode(handle.write(Buffer.alloc(4, 2), 8), 'ENOSPC');
  assert.equal(await handle.size(), 8, 'nothing written');
  await handle.write(Buffer.alloc(4, 3), 2); // overwrite inside the file: no growth
  await handle.write(Buffer.alloc(2, 4), 8);
  assert.equal(fs.usedBytes, 10);
  await rejectsWithCode(handle.truncate(11), 'ENOSPC');
  await handle.write(Buffer.alloc(0), 1000); // writing nothing past the end neither grows nor counts
  assert.equal(await handle.size(), 10);
  assert.equal(fs.usedBytes, 10);
  await handle.truncate(4);
  assert.equal(fs.usedBytes, 4);
  await put(fs, '/g', 'abcdef');
  assert.equal(fs.usedBytes, 10);
  await fs.unlink('/g');
  assert.equal(fs.usedBytes, 4);
  fs.crash(); // nothing was synced
  assert.equal(fs.usedBytes, 0);
});
