/**
 * Partition log throughput on the real disk (BENCH_DIR, default the OS temp directory), beside
 * the raw disk measured by dd (disk.ts) in the same run, in one table:
 * - appends of 1 MiB and 16 KiB batches, durable ('every-append': acknowledged after datasync)
 *   and not ('never'); the durable 16 KiB case also with 16 appends in flight, where group
 *   commit lets one datasync cover many appends;
 * - a sequential read of what was written (Fetch-style reads of up to 1 MiB; CRC-checked),
 *   mostly from the page cache.
 * Each case runs for a time budget, bounded in bytes. MB/s is 10^6 bytes/s of batches.
 * BENCH_QUICK=1 (CI) shortens every case.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem, systemClock, type FileHandle, type FileSystem, type OpenMode } from '@tributary/common';
import { BATCH_OFFSETS, LOG_OVERHEAD, encodeRecordBatch } from '@tributary/protocol';
import type { FlushPolicy } from '../log/log-config.js';
import { PartitionLog } from '../log/partition-log.js';
import { measureDisk, type DdOutcome } from './disk.js';

const MiB = 1024 * 1024;
const KiB = 1024;
const quick = process.env.BENCH_QUICK === '1';
const secondsPerCase = quick ? 0.3 : 2;
const bytesPerCaseMax = quick ? 64 * MiB : 1024 * MiB;
const baseDir = process.env.BENCH_DIR ?? tmpdir();

/** nodeFileSystem counting datasyncs of `.log` files. */
class CountingFileSystem implements FileSystem {
  logSyncs = 0;
  open = async (path: string, mode: OpenMode): Promise<FileHandle> => {
    const handle = await nodeFileSystem.open(path, mode);
    if (!path.endsWith('.log')) return handle;
    const datasync = handle.datasync.bind(handle);
    handle.datasync = () => {
      this.logSyncs++;
      return datasync();
    };
    return handle;
  };
  readFile = nodeFileSystem.readFile;
  readdir = nodeFileSystem.readdir;
  mkdir = nodeFileSystem.mkdir;
  rename = nodeFileSystem.rename;
  unlink = nodeFileSystem.unlink;
  exists = nodeFileSystem.exists;
  syncDirectory = nodeFileSystem.syncDirectory;
}

/** A producer batch of about `bytes`, of 1 KiB records. */
async function batchOf(bytes: number): Promise<Buffer> {
  const recordBytes = Math.min(1000, bytes - 100);
  const count = Math.max(1, Math.floor((bytes - 61) / (recordBytes + 12)));
  const value = Buffer.alloc(recordBytes, 'tributary ');
  const records = Array.from({ length: count }, (_, i) => ({ attributes: 0, timestampDelta: 0, offsetDelta: i, key: null, value, headers: [] }));
  return encodeRecordBatch({ baseTimestamp: BigInt(systemClock.nowMs()), records });
}

interface Row {
  readonly name: string;
  readonly mbPerSec: number;
  readonly opsPerSec: number | null;
  readonly syncsPerAppend: number | null;
  readonly note: string;
}

async function openLog(dir: string, fs: FileSystem, flush: FlushPolicy): Promise<PartitionLog> {
  const opened = await PartitionLog.open({ dir, fs, clock: systemClock, config: { flush, segmentBytes: 256 * MiB, maxBatchBytes: 2 * MiB } });
  if (!opened.ok) throw opened.error;
  return opened.value;
}

/** Appends `template` copies from `concurrency` workers until the time or byte budget is spent. */
async function appendCase(name: string, batchBytes: number, flush: FlushPolicy, concurrency: number): Promise<{ row: Row; dir: string; log: PartitionLog }> {
  const dir = await mkdtemp(join(baseDir, 'tributary-log-bench-'));
  const fs = new CountingFileSystem();
  const log = await openLog(join(dir, 'bench-0'), fs, flush);
  const template = await batchOf(batchBytes);
  let bytes = 0;
  let appends = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(secondsPerCase * 1e9));
  const worker = async (): Promise<void> => {
    const batch = Buffer.from(template); // appends stamp offsets in place: one buffer per worker
    while (process.hrtime.bigint() < deadline && bytes < bytesPerCaseMax) {
      const result = await log.appendAsLeader(batch, { leaderEpoch: 0 });
      if (!result.ok) throw result.error;
      bytes += batch.length;
      appends++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const syncs = fs.logSyncs;
  const row: Row = { name, mbPerSec: bytes / seconds / 1e6, opsPerSec: appends / seconds, syncsPerAppend: flush.kind === 'never' ? null : syncs / appends, note: `${concurrency} in flight` };
  return { row, dir, log };
}

async function readCase(log: PartitionLog): Promise<Row> {
  let bytes = 0;
  let reads = 0;
  const started = process.hrtime.bigint();
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const read = await log.read(offset, { maxBytes: MiB });
    if (!read.ok) throw read.error;
    const records = read.value.records;
    bytes += records.length;
    reads++;
    // The next offset: after the last whole batch returned (its header says where it ends).
    let at = 0;
    let next = offset;
    while (at < records.length) {
      next = Number(records.readBigInt64BE(at + BATCH_OFFSETS.baseOffset)) + records.readInt32BE(at + BATCH_OFFSETS.lastOffsetDelta) + 1;
      at += LOG_OVERHEAD + records.readInt32BE(at + BATCH_OFFSETS.batchLength);
    }
    offset = next;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { name: 'read sequential, 1 MiB per read', mbPerSec: bytes / seconds / 1e6, opsPerSec: reads / seconds, syncsPerAppend: null, note: `${(bytes / MiB).toFixed(0)} MiB, page cache` };
}

function diskRow(outcome: DdOutcome): Row {
  if (!outcome.ok) return { name: `disk (dd): ${outcome.label}`, mbPerSec: NaN, opsPerSec: null, syncsPerAppend: null, note: outcome.reason };
  const f = outcome.figure;
  const block = f.blockBytes >= MiB ? `${f.blockBytes / MiB} MiB` : `${f.blockBytes / KiB} KiB`;
  return { name: `disk (dd): ${block} blocks, ${outcome.figure.label}`, mbPerSec: f.mbPerSec, opsPerSec: f.syncs > 1 ? f.blocks / f.seconds : null, syncsPerAppend: null, note: f.syncs > 1 ? `${f.msPerSync.toFixed(3)} ms/sync` : '' };
}

function printTable(rows: readonly Row[]): void {
  const cells = [['case', 'MB/s', 'ops/s', 'syncs/append', 'note'], ...rows.map((r) => [
    r.name,
    Number.isNaN(r.mbPerSec) ? 'n/a' : r.mbPerSec.toFixed(0),
    r.opsPerSec === null ? '-' : r.opsPerSec.toFixed(0),
    r.syncsPerAppend === null ? '-' : r.syncsPerAppend.toFixed(3),
    r.note,
  ])];
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  for (const row of cells) console.log(row.map((cell, column) => (column === 0 || column === 4 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
}

async function main(): Promise<void> {
  console.log(`partition log on ${baseDir} (node ${process.version}${quick ? ', BENCH_QUICK' : ''})`);
  const rows: Row[] = [];
  const dirs: string[] = [];
  try {
    const durable: FlushPolicy = { kind: 'every-append' };
    const never: FlushPolicy = { kind: 'never' };
    const cases: Array<[string, number, FlushPolicy, number]> = [
      ['append 1 MiB, durable', MiB, durable, 1],
      ['append 1 MiB, not durable', MiB, never, 1],
      ['append 16 KiB, durable', 16 * KiB, durable, 1],
      ['append 16 KiB, durable, group commit', 16 * KiB, durable, 16],
      ['append 16 KiB, not durable', 16 * KiB, never, 1],
    ];
    let readable: PartitionLog | null = null;
    for (const [name, bytes, flush, concurrency] of cases) {
      const { row, dir, log } = await appendCase(name, bytes, flush, concurrency);
      dirs.push(dir);
      rows.push(row);
      if (readable === null && flush.kind === 'never') readable = log;
      else await log.close();
    }
    if (readable) {
      rows.push(await readCase(readable));
      await readable.close();
    }
    const disk = await measureDisk({ directory: baseDir });
    if (disk.figures) rows.push(diskRow(disk.figures.sequentialFdatasync), diskRow(disk.figures.dsync1MiB), diskRow(disk.figures.dsync16KiB));
    else rows.push({ name: 'disk (dd)', mbPerSec: NaN, opsPerSec: null, syncsPerAppend: null, note: disk.reason });
    printTable(rows);
  } finally {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}

await main();
