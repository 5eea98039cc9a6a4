import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiskFigures, parseDdSummary } from './disk.js';

test("parseDdSummary reads GNU dd's summary line, old and new styles", () => {
  const current = '256+0 records in\n256+0 records out\n268435456 bytes (268 MB, 256 MiB) copied, 1.07188 s, 250 MB/s\n';
  assert.deepEqual(parseDdSummary(current), { bytes: 268435456, seconds: 1.07188 });
  assert.deepEqual(parseDdSummary('1024 bytes (1.0 kB) copied, 0.000123 s, 8.3 MB/s\n'), { bytes: 1024, seconds: 0.000123 });
  assert.deepEqual(parseDdSummary('1 byte copied, 5e-05 s, 20 kB/s\n'), { bytes: 1, seconds: 5e-5 });
  // A progress line and then the final one: the last wins.
  assert.deepEqual(parseDdSummary('100 bytes copied, 1 s, 100 B/s\n200 bytes copied, 2 s, 100 B/s\n'), { bytes: 200, seconds: 2 });
  assert.equal(parseDdSummary('dd: failed to open: Permission denied\n'), null);
});

test('formatDiskFigures prints one row per case, with reasons for the failed ones', () => {
  const table = formatDiskFigures({
    directory: '/tmp',
    sequentialFdatasync: { ok: true, figure: { label: 'seq', blockBytes: 1 << 20, blocks: 256, bytes: 256 << 20, seconds: 1, mbPerSec: 268.4, syncs: 1, msPerSync: 1000 } },
    dsync1MiB: { ok: false, label: 'dsync', reason: 'dd did not finish within 30 s' },
    dsync16KiB: { ok: true, figure: { label: 'dsync', blockBytes: 16384, blocks: 100, bytes: 1638400, seconds: 0.05, mbPerSec: 32.8, syncs: 100, msPerSync: 0.5 } },
  });
  const lines = table.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1]!, /seq\s+1 MiB\s+256 MiB\s+1\.000\s+268\.4\s+-$/);
  assert.match(lines[2]!, /n\/a\s+dd did not finish/);
  assert.match(lines[3]!, /16 KiB\s+1\.6 MiB\s+0\.050\s+32\.8\s+0\.500$/);
});
