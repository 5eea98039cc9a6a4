import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, type SimulationResult } from './run-simulation.js';
import { VirtualTime } from './virtual-time.js';

/** CI runs SIM_SEEDS seeds (default 12) from SIM_FROM (default 1), SIM_FAULT_MS of faults each. */
const seeds = Number(process.env['SIM_SEEDS'] ?? 12);
const from = Number(process.env['SIM_FROM'] ?? 1);
const faultMs = Number(process.env['SIM_FAULT_MS'] ?? 12_000);

function explain(result: SimulationResult): string {
  return [`seed ${result.seed} failed (replay: npm run sim -- --seed ${result.seed} --fault-ms ${faultMs})`, ...result.violations, ...result.timeline].join('\n');
}

test('virtual time runs events in due order, kills an owner\'s timers, holds a paused owner\'s', () => {
  const time = new VirtualTime();
  const fired: string[] = [];
  time.schedule('a', 10, () => fired.push('a10'));
  time.schedule('b', 5, () => fired.push('b5'));
  time.schedule('a', 5, () => fired.push('a5'));
  const interval = time.schedule('c', 4, () => fired.push(`c${time.now}`), 4);
  time.kill('a');
  time.pause('b');
  while (time.now < 12 && time.runNext()) {
    if (time.now >= 8) time.cancel(interval);
  }
  assert.deepEqual(fired, ['c4', 'c8']);
  time.resume('b');
  assert.ok(time.runNext());
  assert.deepEqual(fired, ['c4', 'c8', 'b5']);
  assert.equal(time.runNext(), false);
});

test('a seed replays exactly: same steps, trace and fault timeline', async () => {
  const first = await runSimulation({ seed: 7, faultMs: 4_000 });
  const second = await runSimulation({ seed: 7, faultMs: 4_000 });
  assert.equal(second.steps, first.steps);
  assert.equal(second.traceHash, first.traceHash);
  assert.deepEqual(second.timeline, first.timeline);
  assert.deepEqual(second.stats, first.stats);
  assert.ok(first.stats['acknowledged'] as number > 0, 'the workload wrote something');
});

for (let seed = from; seed < from + seeds; seed++) {
  test(`simulation seed ${seed}: nothing acknowledged lost, HW monotonic per leader epoch, replicas agree below the HW, recovery after healing`, async () => {
    const result = await runSimulation({ seed, faultMs });
    assert.ok(result.ok, explain(result));
    assert.ok((result.stats['acknowledged'] as number) > 0, `seed ${seed} acknowledged nothing`);
  });
}
