import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longestGap, unrecoveredPartitions, windowStats } from './availability.js';
import { HistoryBuilder } from './history-builder.js';

test('longestGap: between acknowledgements, and up to the end', () => {
  assert.deepEqual(longestGap([100, 200, 900], 1000), { startMs: 200, endMs: 900, durationMs: 700 });
  assert.deepEqual(longestGap([100], 1000), { startMs: 100, endMs: 1000, durationMs: 900 });
  assert.equal(longestGap([], 1000), null);
  assert.equal(longestGap([2000], 1000), null);
});

test('windowStats: acknowledgements inside a fault and its longest stretch without one', () => {
  assert.deepEqual(windowStats([50, 120, 130, 400, 950], 100, 1000), { acks: 4, longestGapMs: 550 });
  assert.deepEqual(windowStats([50, 1200], 100, 1000), { acks: 0, longestGapMs: 900 });
});

test('unrecoveredPartitions: sent to after the heal, never acknowledged', () => {
  const h = new HistoryBuilder()
    .send({ value: 'a', partition: 0, offset: 0, at: 100 })
    .phase('healed', 200)
    .send({ value: 'b', partition: 0, offset: 1, at: 300 })
    .send({ value: 'c', partition: 1, outcome: 'info', at: 400 })
    .send({ value: 'd', partition: 2, outcome: 'info', at: 150 });
  assert.deepEqual(unrecoveredPartitions(h.ops, 200), [1]);
});
