import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseChaosArgs, parseDuration } from './args.js';
import { FAULT_KINDS } from './nemesis/faults.js';

test('durations: 90s, 10m, 1h, 1500ms and plain seconds', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1500ms'), 1500);
  assert.equal(parseDuration('150'), 150_000);
  assert.throws(() => parseDuration('ten minutes'), UsageError);
});

test('the command line', () => {
  const args = parseChaosArgs(['--duration', '2m', '--seed', '7', '--out', 'x', '--faults', 'kill,pause', '--bootstrap', 'a:1, b:2']);
  assert.equal(args.durationMs, 120_000);
  assert.equal(args.seed, 7);
  assert.equal(args.outDir, 'x');
  assert.deepEqual(args.faults, ['kill', 'pause']);
  assert.deepEqual(args.bootstrap, ['a:1', 'b:2']);
  assert.equal(args.budgetMs, 300_000);
  const defaults = parseChaosArgs([]);
  assert.deepEqual(defaults.faults, [...FAULT_KINDS]);
  assert.equal(defaults.bootstrap, null);
  assert.equal(defaults.tributary, null);
  assert.throws(() => parseChaosArgs(['--faults', 'kill,meteor']), /unknown fault meteor/);
  assert.throws(() => parseChaosArgs(['--seed', '-1']), UsageError);
  assert.throws(() => parseChaosArgs(['--duration', '1s']), UsageError);
  assert.throws(() => parseChaosArgs(['--frobnicate']), UsageError);
});
