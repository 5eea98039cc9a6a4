import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_KINDS, describeFault, scheduleFaults } from './faults.js';

const options = { nodes: 3, partitions: 3 };

test('the schedule is a function of the seed', () => {
  assert.deepEqual(scheduleFaults(7, 120_000, FAULT_KINDS, options), scheduleFaults(7, 120_000, FAULT_KINDS, options));
  assert.notDeepEqual(scheduleFaults(7, 120_000, FAULT_KINDS, options), scheduleFaults(8, 120_000, FAULT_KINDS, options));
});

test('faults follow one another inside the duration, with gaps, healed before the end', () => {
  for (let seed = 0; seed < 50; seed++) {
    const faults = scheduleFaults(seed, 150_000, FAULT_KINDS, options);
    assert.ok(faults.length >= 8, `seed ${seed}: ${faults.length} faults`);
    let end = 3000;
    for (const fault of faults) {
      assert.ok(fault.atMs >= end + 2000, `seed ${seed}: gap before fault ${fault.id}`);
      assert.ok(fault.holdMs >= 3000);
      if (fault.kind === 'pause') assert.ok(fault.holdMs > 6000, 'a pause outlasts the group session');
      assert.ok(fault.node >= 1 && fault.node <= 3 && fault.peer >= 1 && fault.peer <= 3 && fault.peer !== fault.node);
      assert.ok(fault.partition >= 0 && fault.partition < 3);
      end = fault.atMs + fault.holdMs;
    }
    assert.ok(end <= 149_000);
  }
});

test('only the chosen kinds are scheduled; every kind comes up over a long run', () => {
  const only = scheduleFaults(3, 200_000, ['pause', 'kill'], options);
  assert.ok(only.every((f) => f.kind === 'pause' || f.kind === 'kill'));
  const long = scheduleFaults(3, 3_600_000, FAULT_KINDS, options);
  assert.deepEqual(new Set(long.map((f) => f.kind)), new Set(FAULT_KINDS));
  assert.deepEqual(scheduleFaults(3, 200_000, [], options), []);
  assert.match(describeFault({ id: 1, kind: 'kill-isolate', atMs: 0, holdMs: 1, node: 2, peer: 3, partition: 0 }), /isolate n2 and kill n3/);
});
