import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashPointFileSystem } from './crash-point-file-system.js';
import { MemoryFileSystem } from './memory-file-system.js';
import { rejectsWithCode } from './testing/file-system-contract.js';

async function run(fs: CrashPointFileSystem): Promise<void> {
  const handle = await fs.open('/f', 'rw'); // call 0
  await handle.write(Buffer.from('abc'), 0); // 1
  await handle.datasync(); // 2
  await handle.close(); // 3
  await fs.syncDirectory('/'); // 4
}

test('CrashPointFileSystem counts calls, crashes before call N, and refuses every call after', async () => {
  const counting = new CrashPointFileSystem(new MemoryFileSystem(), Number.POSITIVE_INFINITY);
  await run(counting);
  assert.equal(counting.operations, 5);
  assert.equal(counting.crashed, false);

  const memory = new MemoryFileSystem();
  const fs = new CrashPointFileSystem(memory, 4); // after the datasync, before the directory sync
  await rejectsWithCode(run(fs), 'EIO');
  assert.equal(fs.crashed, true);
  assert.equal(fs.operations, 4);
  await rejectsWithCode(fs.exists('/f'), 'EIO');
  assert.equal(await memory.exists('/f'), false, 'the entry was never made durable');

  const late = new MemoryFileSystem();
  await run(new CrashPointFileSystem(late, 5));
  late.crash();
  assert.equal((await late.readFile('/f')).toString(), 'abc');
});
