import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, summarizeLatencies, throughput } from './latency-stats.js';

test('nearest-rank percentiles', () => {
  const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i);
  const s = summarizeLatencies(samples);
  assert.deepEqual([s.count, s.p50, s.p99, s.p999, s.max], [1000, 500, 990, 999, 1000]);
  assert.equal(percentile([7], 0.99), 7);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('throughput in records/s and MB/s', () => {
  assert.deepEqual(throughput(1000, 2_000_000, 500), { recordsPerSecond: 2000, megabytesPerSecond: 4 });
});
