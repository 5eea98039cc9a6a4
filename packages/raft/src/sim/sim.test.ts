import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSeed } from './run-seed.js';

// RAFT_SIM_SEEDS raises the seed count; RAFT_SIM_SEED=<n> replays one seed; with RAFT_SIM_TRACE=1
// as well, that replay prints every event (messages in detail, node state after each step).
const seedCount = Number(process.env.RAFT_SIM_SEEDS ?? 2000);
const onlySeed = process.env.RAFT_SIM_SEED === undefined ? undefined : Number(process.env.RAFT_SIM_SEED);

for (const nodes of [3, 5]) {
  test(`raft simulation: ${nodes} nodes, ${onlySeed ?? seedCount} seeds keep safety and liveness under faults`, () => {
    const seeds = onlySeed !== undefined ? [onlySeed] : Array.from({ length: seedCount }, (_, i) => i + 1);
    const failures: string[] = [];
    for (const seed of seeds) {
      const traceSink = onlySeed !== undefined && process.env.RAFT_SIM_TRACE === '1' ? (line: string) => console.log(line) : undefined;
      const r = runSeed(seed, { nodes, traceSink });
      if (!r.ok) failures.push(`seed ${seed} (${nodes} nodes, tick ${r.ticks}): ${r.error} — replay: RAFT_SIM_SEED=${seed}`);
    }
    assert.deepEqual(failures, []);
  });
}

test('raft simulation: a seed replays exactly', () => {
  for (const seed of [7, 1234]) {
    const a = runSeed(seed, { nodes: 5 });
    const b = runSeed(seed, { nodes: 5 });
    assert.equal(a.traceHash, b.traceHash);
    assert.equal(a.ticks, b.ticks);
    assert.equal(a.committed, b.committed);
  }
  assert.notEqual(runSeed(7, { nodes: 5 }).traceHash, runSeed(8, { nodes: 5 }).traceHash);
});

test('raft simulation: entries commit under faults', () => {
  const r = runSeed(11, { nodes: 3 });
  assert.equal(r.ok, true);
  assert.ok(r.committed > 5, `only ${r.committed} entries committed`);
});

test('raft simulation: crashes strike inside Ready handling (before persistence, before sending, while held)', () => {
  const total = { beforePersist: 0, afterPersistBeforeSend: 0, whileHeld: 0 };
  for (let seed = 1; seed <= 200; seed++) {
    const r = runSeed(seed, { nodes: 3 });
    assert.equal(r.ok, true, r.error);
    total.beforePersist += r.crashPoints.beforePersist;
    total.afterPersistBeforeSend += r.crashPoints.afterPersistBeforeSend;
    total.whileHeld += r.crashPoints.whileHeld;
  }
  assert.ok(total.beforePersist > 20, `only ${total.beforePersist} crashes before persistence`);
  assert.ok(total.afterPersistBeforeSend > 20, `only ${total.afterPersistBeforeSend} crashes before sending`);
  assert.ok(total.whileHeld > 5, `only ${total.whileHeld} crashes while a Ready was held`);
});

test('raft simulation: nodes compact and lagging followers install leader snapshots', () => {
  for (const nodes of [3, 5]) {
    const total = { compactions: 0, installs: 0 };
    for (let seed = 1; seed <= 200; seed++) {
      const r = runSeed(seed, { nodes });
      assert.equal(r.ok, true, r.error);
      total.compactions += r.snapshots.compactions;
      total.installs += r.snapshots.installs;
    }
    assert.ok(total.compactions > 200, `${nodes} nodes: only ${total.compactions} compactions`);
    assert.ok(total.installs > 50, `${nodes} nodes: only ${total.installs} snapshot installs`);
  }
});
