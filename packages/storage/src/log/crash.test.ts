/**
 * Kill -9 while appending: a child process (testing/crash-child.ts) appends to a real log on disk
 * with several appends in flight and prints each append reported durable; it is SIGKILLed after
 * a seeded random delay, 60 times in a row on the same directory (each start recovers what the
 * last kill left, with segments rolling every 64 KiB). Then the log must hold every reported
 * append byte for byte, contiguous offsets, valid CRCs and indexes that agree with the log.
 *
 * SIGKILL loses nothing already in the page cache, so this checks torn writes at the process
 * level; power loss (unsynced data lost) is recovery.test.ts's MemoryFileSystem crash test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFileSystem, seededRandom, systemClock } from '@tributary/common';
import { verifyBatchCrc } from '@tributary/protocol';
import { PartitionLog } from './partition-log.js';
import { batchesOf, unwrap } from './testing/batches.js';
import { checkLogFiles } from './testing/check-log-files.js';

const CHILD = fileURLToPath(new URL('./testing/crash-child.js', import.meta.url));
const KILLS = 60;
const SEGMENT_BYTES = 64 * 1024;
const CONCURRENCY = 6;

interface Acknowledged {
  readonly lastOffset: number;
  readonly sha1: string;
}

interface RunOutcome {
  readonly acknowledged: Array<[number, Acknowledged]>;
  readonly readyAt: number | null;
  readonly stderr: string;
}

/** Runs the child once and SIGKILLs it `delayMs` after it is ready (or after spawning, when `fromSpawn`). */
function runAndKill(dir: string, seed: number, delayMs: number, fromSpawn: boolean): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(seed), String(SEGMENT_BYTES), String(CONCURRENCY)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: Array<[number, Acknowledged]> = [];
    let readyAt: number | null = null;
    let pending = '';
    let stderr = '';
    const kill = (): void => void child.kill('SIGKILL');
    if (fromSpawn) setTimeout(kill, delayMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!; // a line is only taken once its newline arrived
      for (const line of lines) {
        const [first, second, third] = line.split(' ');
        if (first === 'ready') {
          readyAt = Number(second);
          if (!fromSpawn) setTimeout(kill, delayMs);
        } else acknowledged.push([Number(first), { lastOffset: Number(second), sha1: third }]);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve({ acknowledged, readyAt, stderr });
    });
  });
}

test('kill -9 during concurrent appends never loses an append reported durable', { timeout: 120_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'tributary-crash-'));
  const dir = join(root, 'topic-0');
  const random = seededRandom(20240611);
  const acknowledged = new Map<number, Acknowledged>();
  let killedDuringStartup = 0;
  try {
    for (let run = 0; run < KILLS; run++) {
      const delayMs = 5 + random.int(296);
      const fromSpawn = run % 5 === 4; // some kills land during start-up and recovery
      const outcome = await runAndKill(dir, run, delayMs, fromSpawn);
      if (outcome.readyAt === null) killedDuringStartup++;
      // Recovery must never end the log below what was reported durable.
      const highest = Math.max(-1, ...[...acknowledged.values()].map((a) => a.lastOffset));
      if (outcome.readyAt !== null) assert.ok(outcome.readyAt > highest, `run ${run} reopened at ${outcome.readyAt}, below acknowledged ${highest}`);
      for (const [offset, ack] of outcome.acknowledged) {
        assert.ok(!acknowledged.has(offset), `offset ${offset} acknowledged twice`);
        acknowledged.set(offset, ack);
      }
    }
    assert.ok(acknowledged.size > KILLS, `only ${acknowledged.size} appends were acknowledged`);
    await verify(dir, acknowledged, random);
    const files = await checkLogFiles(nodeFileSystem, dir);
    assert.ok(files.segments > 5, `segments rolled: ${files.segments}`);
    console.log(`${KILLS} kills (${killedDuringStartup} during start-up), ${acknowledged.size} acknowledged appends, ${files.segments} segments`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

async function verify(dir: string, acknowledged: Map<number, Acknowledged>, random: { int(bound: number): number }): Promise<void> {
  const log = unwrap(await PartitionLog.open({ dir, fs: nodeFileSystem, clock: systemClock, config: { segmentBytes: SEGMENT_BYTES, indexIntervalBytes: 1024 } }));
  const stored = new Map<number, { lastOffset: number; sha1: string }>();
  let expected = log.logStartOffset;
  while (expected < log.logEndOffset) {
    const { records } = unwrap(await log.read(expected, { maxBytes: 256 * 1024 }));
    for (const batch of batchesOf(records)) {
      assert.ok(verifyBatchCrc(batch.bytes).ok, `CRC of batch ${batch.baseOffset}`);
      assert.equal(batch.baseOffset, expected, 'offsets are contiguous');
      stored.set(batch.baseOffset, { lastOffset: batch.lastOffset, sha1: createHash('sha1').update(batch.bytes).digest('hex') });
      expected = batch.lastOffset + 1;
    }
  }
  for (const [offset, ack] of acknowledged) assert.deepEqual(stored.get(offset), ack, `acknowledged append at ${offset}`);
  const offsets = [...stored.keys()];
  for (let i = 0; i < 200 && log.logEndOffset > 0; i++) {
    const offset = random.int(log.logEndOffset);
    const first = batchesOf(unwrap(await log.read(offset, { maxBytes: 1 })).records)[0];
    assert.ok(first.baseOffset <= offset && offset <= first.lastOffset, `the index finds offset ${offset}`);
  }
  assert.ok(offsets.length > 0);
  unwrap(await log.close());
}
