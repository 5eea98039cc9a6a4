/**
 * Properties of the checker over generated histories that are consistent by construction: each
 * partition's log is built entry by entry (idempotent sends, plain sends, plain sends retried
 * into a duplicate, indeterminate sends that landed), consumers read it in order in several
 * generations (each after the first restarting at or before where the previous stopped), and
 * the final read holds the whole log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { check } from './checker.js';
import { HistoryBuilder } from './history-builder.js';
import type { FinalReadOp, Op } from './history.js';

type Entry = 'idem' | 'plain' | 'plain-dup' | 'info-in-log';

interface PartitionPlan {
  readonly entries: readonly Entry[];
  readonly restarts: readonly number[];
  readonly batch: number;
}

const partitionArb: fc.Arbitrary<PartitionPlan> = fc.record({
  entries: fc.array(fc.constantFrom<Entry>('idem', 'idem', 'plain', 'plain-dup', 'info-in-log'), { maxLength: 25 }),
  restarts: fc.array(fc.nat(), { maxLength: 3 }),
  batch: fc.integer({ min: 1, max: 5 }),
});

const planArb: fc.Arbitrary<Plan> = fc.record({
  partitions: fc.array(partitionArb, { minLength: 1, maxLength: 3 }),
  lostInfo: fc.nat(3),
  failed: fc.nat(3),
});

interface Plan {
  readonly partitions: readonly PartitionPlan[];
  readonly lostInfo: number;
  readonly failed: number;
}

function writeLog(h: HistoryBuilder, p: number, entries: readonly Entry[]): string[] {
  const log: string[] = [];
  entries.forEach((entry, k) => {
    if (entry === 'idem') {
      h.send({ value: `i${p}-${k}`, partition: p, offset: log.length });
      log.push(`i${p}-${k}`);
    } else if (entry === 'plain') {
      h.send({ value: `pl${p}-${k}`, partition: p, offset: log.length, producer: 'plain' });
      log.push(`pl${p}-${k}`);
    } else if (entry === 'plain-dup') {
      log.push(`pd${p}-${k}`);
      h.send({ value: `pd${p}-${k}`, partition: p, offset: log.length, producer: 'plain' });
      log.push(`pd${p}-${k}`);
    } else {
      h.send({ value: `in${p}-${k}`, partition: p, outcome: 'info' });
      log.push(`in${p}-${k}`);
    }
  });
  return log;
}

function readLog(h: HistoryBuilder, p: number, log: readonly string[], plan: PartitionPlan): void {
  let start = 0;
  let end = 0;
  for (let generation = 1; generation <= plan.restarts.length + 1; generation++) {
    if (generation > 1) start = plan.restarts[generation - 2] % (end + 1);
    for (let from = start; from < log.length; from += plan.batch) {
      const records = log.slice(from, from + plan.batch).map((value, i) => [p, from + i, value] as const);
      h.poll(records, { process: `consumer-${1 + (generation % 2)}`, generation });
    }
    end = log.length;
  }
}

function build(plan: Plan): Op[] {
  const h = new HistoryBuilder();
  const logs = plan.partitions.map((part, p) => writeLog(h, p, part.entries));
  for (let i = 0; i < plan.lostInfo; i++) h.send({ value: `lost-${i}`, outcome: 'info' });
  for (let i = 0; i < plan.failed; i++) h.send({ value: `failed-${i}`, outcome: 'fail', producer: 'plain' });
  h.phase('healed');
  const tail = plan.partitions.length;
  h.send({ value: 'tail', partition: tail, offset: 0 });
  plan.partitions.forEach((part, p) => readLog(h, p, logs[p], part));
  const finals = logs.map((log, p) => ({ partition: p, records: log.map((value, offset) => [offset, value] as const) }));
  h.final([...finals, { partition: tail, records: [[0, 'tail']] }]);
  return h.ops;
}

test('property: a consistent generated history is VALID', () => {
  fc.assert(
    fc.property(planArb, (plan) => {
      const result = check(build(plan));
      assert.deepEqual(result.anomalies, []);
      assert.equal(result.verdict, 'VALID');
    }),
    { numRuns: 300 },
  );
});

test('property: dropping any acknowledged record from the final read gives exactly one lost or unseen write', () => {
  fc.assert(
    fc.property(planArb, fc.nat(), (plan, pick) => {
      const ops = build(plan);
      const acked = ops.filter((op) => op.kind === 'send' && op.outcome === 'ok');
      const victim = acked[pick % acked.length];
      if (victim.kind !== 'send' || victim.offset === undefined) throw new Error('unreachable');
      const final = ops[ops.length - 1] as FinalReadOp;
      const partitions = final.partitions.map((part) =>
        part.partition === victim.partition ? { ...part, records: part.records.filter((r) => r.offset !== victim.offset) } : part,
      );
      const dropped = [...ops.slice(0, -1), { ...final, partitions }];
      const result = check(dropped);
      assert.equal(result.anomalyCounts['lost-write'] + result.anomalyCounts.unseen, 1);
      const anomaly = result.anomalies.find((a) => a.kind === 'lost-write' || a.kind === 'unseen');
      assert.equal(anomaly?.value, victim.value);
      assert.equal(result.verdict, 'INVALID');
    }),
    { numRuns: 300 },
  );
});
