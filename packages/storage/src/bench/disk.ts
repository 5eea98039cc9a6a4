/**
 * The raw disk, measured in the same run as the storage benchmarks so their figures can be read
 * against it: `dd` (GNU coreutils) writing zeros into a temp directory.
 * - sequential: 256 MiB in 1 MiB blocks and one fdatasync at the end (conv=fdatasync): the
 *   throughput ceiling for a log that syncs rarely;
 * - synchronous: 1 MiB and 16 KiB blocks with oflag=dsync, every write durable before the next:
 *   the ceiling for a log that syncs each batch (acks=all with flush per batch), and, as ms per
 *   write, what one durable write costs here.
 * Each synchronous run grows from a few blocks until it takes about `secondsPerCase`, and every dd
 * has a hard timeout (dd is never stopped by a signal to end a run early), so nothing depends on
 * the disk's speed to finish. MB/s is 10^6 bytes/s.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const KiB = 1024;

export interface DdFigure {
  readonly label: string;
  readonly blockBytes: number;
  readonly blocks: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly mbPerSec: number;
  /** Durable writes: one per block under oflag=dsync, one in all under conv=fdatasync. */
  readonly syncs: number;
  readonly msPerSync: number;
}

export type DdOutcome = { readonly ok: true; readonly figure: DdFigure } | { readonly ok: false; readonly label: string; readonly reason: string };

export interface DiskFigures {
  /** Where dd wrote (a temp directory under it, removed afterwards). */
  readonly directory: string;
  readonly sequentialFdatasync: DdOutcome;
  readonly dsync1MiB: DdOutcome;
  readonly dsync16KiB: DdOutcome;
}

export type DiskMeasurement = { readonly figures: DiskFigures; readonly reason: null } | { readonly figures: null; readonly reason: string };

export interface DiskBenchOptions {
  /** The file system to measure: put it where the log lives. Default: the OS temp directory. */
  readonly directory?: string;
  /** Smaller runs (CI). Default: BENCH_QUICK=1 in the environment. */
  readonly quick?: boolean;
}

interface Plan {
  readonly sequentialBytes: number;
  readonly secondsPerCase: number;
  readonly dsyncBytesMax: number;
  readonly timeoutMs: number;
}

const fullPlan: Plan = { sequentialBytes: 256 * MiB, secondsPerCase: 2, dsyncBytesMax: 256 * MiB, timeoutMs: 30_000 };
const quickPlan: Plan = { sequentialBytes: 32 * MiB, secondsPerCase: 0.5, dsyncBytesMax: 32 * MiB, timeoutMs: 15_000 };

/** Bytes and seconds from dd's last summary line, e.g. "268435456 bytes (268 MB, 256 MiB) copied, 1.07 s, 250 MB/s". */
export function parseDdSummary(stderr: string): { bytes: number; seconds: number } | null {
  const matches = [...stderr.matchAll(/^(\d+) bytes?\b.*\bcopied, ([0-9.]+(?:e[-+]?[0-9]+)?) s\b/gm)];
  const last = matches[matches.length - 1];
  if (last === undefined) return null;
  const bytes = Number(last[1]);
  const seconds = Number(last[2]);
  return Number.isFinite(bytes) && Number.isFinite(seconds) ? { bytes, seconds } : null;
}

type DdRun = { ok: true; stderr: string } | { ok: false; reason: string };

/** Runs dd; its stderr (the last 64 KiB of it) or why it failed. Killed after `timeoutMs`. */
function runDd(args: readonly string[], timeoutMs: number): Promise<DdRun> {
  return new Promise((resolve) => {
    const child = spawn('dd', args, { env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-64 * KiB);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: error.code === 'ENOENT' ? 'dd is not installed (GNU coreutils)' : `dd failed to start: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, reason: `dd did not finish within ${timeoutMs / 1000} s` });
      else if (code !== 0) resolve({ ok: false, reason: `dd exited with ${code ?? signal}: ${stderr.trim().split('\n').pop() ?? ''}` });
      else resolve({ ok: true, stderr });
    });
  });
}

interface Case {
  readonly label: string;
  readonly blockBytes: number;
  readonly flag: 'conv=fdatasync' | 'oflag=dsync';
}

async function ddWrite(file: string, spec: Case, blocks: number, timeoutMs: number): Promise<DdOutcome> {
  const args = ['if=/dev/zero', `of=${file}`, `bs=${spec.blockBytes}`, `count=${blocks}`, spec.flag];
  const run = await runDd(args, timeoutMs);
  await unlink(file).catch(() => undefined); // each run starts from a new file, as a new segment would
  if (!run.ok) return { ok: false, label: spec.label, reason: run.reason };
  const summary = parseDdSummary(run.stderr);
  if (summary === null) return { ok: false, label: spec.label, reason: `no summary line in dd's output: ${run.stderr.slice(-200)}` };
  const seconds = Math.max(summary.seconds, 1e-9);
  const syncs = spec.flag === 'oflag=dsync' ? blocks : 1;
  return {
    ok: true,
    figure: {
      label: spec.label,
      blockBytes: spec.blockBytes,
      blocks,
      bytes: summary.bytes,
      seconds: summary.seconds,
      mbPerSec: summary.bytes / seconds / 1e6,
      syncs,
      msPerSync: (seconds * 1000) / syncs,
    },
  };
}

/**
 * Grows the run until one takes at least half of `secondsPerCase` (or hits the byte cap) and
 * reports that one. Each round grows by at most 8x from a measured time, so a short burst of
 * fast writes cannot size a run far past the budget; at most 8 rounds.
 */
async function dsyncCase(file: string, spec: Case, plan: Plan): Promise<DdOutcome> {
  const blocksMax = Math.max(1, Math.floor(plan.dsyncBytesMax / spec.blockBytes));
  let blocks = Math.min(blocksMax, 4);
  for (let round = 0; ; round++) {
    const run = await ddWrite(file, spec, blocks, plan.timeoutMs);
    if (!run.ok || run.figure.seconds >= plan.secondsPerCase / 2 || blocks >= blocksMax || round === 7) return run;
    const growth = Math.min(8, Math.max(2, Math.ceil(plan.secondsPerCase / Math.max(run.figure.seconds, 1e-6))));
    blocks = Math.min(blocksMax, blocks * growth);
  }
}

export async function measureDisk(options: DiskBenchOptions = {}): Promise<DiskMeasurement> {
  const version = await runDd(['--version'], 5_000);
  if (!version.ok) return { figures: null, reason: version.reason };
  const plan = (options.quick ?? process.env.BENCH_QUICK === '1') ? quickPlan : fullPlan;
  const directory = options.directory ?? tmpdir();
  let work: string;
  try {
    work = await mkdtemp(join(directory, 'tributary-disk-'));
  } catch (error) {
    return { figures: null, reason: `cannot create a temp directory in ${directory}: ${(error as Error).message}` };
  }
  try {
    const file = join(work, 'dd.bin');
    const sequential: Case = { label: `sequential ${plan.sequentialBytes / MiB} MiB, fdatasync at end`, blockBytes: MiB, flag: 'conv=fdatasync' };
    const sequentialFdatasync = await ddWrite(file, sequential, plan.sequentialBytes / MiB, plan.timeoutMs);
    const dsync1MiB = await dsyncCase(file, { label: 'every write synced (dsync)', blockBytes: MiB, flag: 'oflag=dsync' }, plan);
    const dsync16KiB = await dsyncCase(file, { label: 'every write synced (dsync)', blockBytes: 16 * KiB, flag: 'oflag=dsync' }, plan);
    return { figures: { directory, sequentialFdatasync, dsync1MiB, dsync16KiB }, reason: null };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${+(bytes / MiB).toFixed(1)} MiB` : `${+(bytes / KiB).toFixed(1)} KiB`;
}

/** The figures as a plain-text table (what disk.bench prints). */
export function formatDiskFigures(figures: DiskFigures): string {
  const rows = [['case', 'block', 'total', 'seconds', 'MB/s', 'ms/sync']];
  for (const outcome of [figures.sequentialFdatasync, figures.dsync1MiB, figures.dsync16KiB]) {
    if (!outcome.ok) {
      rows.push([outcome.label, '', '', '', 'n/a', outcome.reason]);
      continue;
    }
    const f = outcome.figure;
    const perSync = f.syncs > 1 ? f.msPerSync.toFixed(3) : '-';
    rows.push([f.label, formatBytes(f.blockBytes), formatBytes(f.bytes), f.seconds.toFixed(3), f.mbPerSec.toFixed(1), perSync]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '))
    .join('\n');
}
