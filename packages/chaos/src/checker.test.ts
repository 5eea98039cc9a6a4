import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, type AnomalyKind, type CheckResult } from './checker.js';
import { HistoryBuilder } from './history-builder.js';

const kinds = (result: CheckResult): AnomalyKind[] => result.anomalies.map((a) => a.kind).sort();

/** A history whose ending is fine: healed, then one more acknowledged send that the final read holds. */
function healedTail(h: HistoryBuilder, tailValue: string, tailOffset: number): HistoryBuilder {
  return h.phase('healed').send({ value: tailValue, partition: 9, offset: tailOffset });
}

test('a clean history is VALID', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0 }).send({ value: 'b', offset: 1 });
  healedTail(h, 'z', 0).poll([[0, 0, 'a'], [0, 1, 'b']]).final([{ partition: 0, records: [[0, 'a'], [1, 'b']] }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(h.ops);
  assert.deepEqual(result.anomalies, []);
  assert.equal(result.verdict, 'VALID');
  assert.deepEqual(result.stats.sends.idempotent, { ok: 3, info: 0, fail: 0 });
  assert.equal(result.stats.polledRecords, 2);
});

test('lost-write: the final read holds another value at the acknowledged offset', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0 }).send({ value: 'b', outcome: 'info' });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[0, 'b']] }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(h.ops);
  assert.deepEqual(kinds(result), ['lost-write']);
  assert.equal(result.verdict, 'INVALID');
  assert.deepEqual(result.anomalies[0].ops, [0, 4]);
  assert.equal(result.anomalies[0].value, 'a');
});

test('lost-write: the acknowledged offset is missing although later offsets exist', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0 }).send({ value: 'b', offset: 1 });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[1, 'b']] }, { partition: 9, records: [[0, 'z']] }]);
  assert.deepEqual(kinds(check(h.ops)), ['lost-write']);
});

test('lost-write: a poll saw another value at the offset and the final read lacks it', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0 }).send({ value: 'b', outcome: 'info' }).poll([[0, 0, 'b']]);
  healedTail(h, 'z', 0).final([{ partition: 0, records: [], complete: false, highWatermark: 1 }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(h.ops);
  assert.ok(kinds(result).includes('lost-write'));
  assert.equal(result.verdict, 'INVALID');
});

test('unseen: acknowledged, but the final log ends before it', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0 });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [] }, { partition: 9, records: [[0, 'z']] }]);
  assert.deepEqual(kinds(check(h.ops)), ['unseen']);
});

test('unacknowledged records truncated away are allowed', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0 }).send({ value: 'b', outcome: 'info' }).send({ value: 'c', outcome: 'info' });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[0, 'a']] }, { partition: 9, records: [[0, 'z']] }]);
  assert.equal(check(h.ops).verdict, 'VALID');
});

test('duplicate: an idempotent producer\'s value at two offsets is an anomaly', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0 });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[0, 'a'], [1, 'a']] }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(h.ops);
  assert.deepEqual(kinds(result), ['duplicate']);
  assert.equal(result.stats.allowedDuplicates, 0);
});

test('duplicate: the plain producer\'s retried value at two offsets is allowed and counted', () => {
  const h = new HistoryBuilder().send({ value: 'p', offset: 1, producer: 'plain' });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[0, 'p'], [1, 'p']] }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(h.ops);
  assert.deepEqual(result.anomalies, []);
  assert.equal(result.stats.allowedDuplicates, 1);
  assert.equal(result.verdict, 'VALID');
});

test('inconsistent-offsets: two values read at one offset', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0 }).send({ value: 'x', outcome: 'info' }).poll([[0, 0, 'x']]);
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[0, 'a']] }, { partition: 9, records: [[0, 'z']] }]);
  assert.deepEqual(kinds(check(h.ops)), ['inconsistent-offsets']);
});

test('inconsistent-offsets: a value read at another offset than acknowledged', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 1 });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[0, 'a']] }, { partition: 9, records: [[0, 'z']] }]);
  assert.deepEqual(kinds(check(h.ops)), ['inconsistent-offsets']);
});

test('inconsistent-offsets: a polled offset the complete final log lacks', () => {
  const h = new HistoryBuilder().send({ value: 'a', outcome: 'info' }).poll([[0, 0, 'a']]);
  healedTail(h, 'z', 0).final([{ partition: 0, records: [] }, { partition: 9, records: [[0, 'z']] }]);
  assert.deepEqual(kinds(check(h.ops)), ['inconsistent-offsets']);
});

test('aborted-read: a definitely failed send is read; an indeterminate one may be', () => {
  const h = new HistoryBuilder().send({ value: 'f', outcome: 'fail', producer: 'plain', error: 'NOT_ENOUGH_REPLICAS' }).send({ value: 'i', outcome: 'info', producer: 'plain' });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[0, 'f'], [1, 'i']] }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(h.ops);
  assert.deepEqual(kinds(result), ['aborted-read']);
  assert.equal(result.anomalies[0].value, 'f');
  assert.equal(result.stats.infoSendsSeen, 1);
});

test('unknown-value: a value no producer sent', () => {
  const h = healedTail(new HistoryBuilder(), 'z', 0).final([{ partition: 0, records: [[0, 'ghost']] }, { partition: 9, records: [[0, 'z']] }]);
  assert.deepEqual(kinds(check(h.ops)), ['unknown-value']);
});

const log4 = [[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd']] as const;
function log4History(): HistoryBuilder {
  const h = new HistoryBuilder();
  log4.forEach(([offset, value]) => h.send({ value, offset }));
  return h;
}
const finish4 = (h: HistoryBuilder): HistoryBuilder['ops'] => healedTail(h, 'z', 0).final([{ partition: 0, records: log4 }, { partition: 9, records: [[0, 'z']] }]).ops;

test('poll-skip: within one generation a consumer jumps over an existing offset', () => {
  const h = log4History().poll([[0, 0, 'a'], [0, 1, 'b']]).poll([[0, 3, 'd']]);
  const result = check(finish4(h));
  assert.deepEqual(kinds(result), ['poll-skip']);
  assert.equal(result.anomalies[0].offset, 3);
});

test('a consumer re-reading from its last commit after a rebalance is neither skip nor nonmonotonic', () => {
  const h = log4History()
    .poll([[0, 0, 'a'], [0, 1, 'b'], [0, 2, 'c']], { generation: 1 })
    .poll([[0, 1, 'b'], [0, 2, 'c'], [0, 3, 'd']], { generation: 2 })
    .poll([[0, 3, 'd']], { process: 'consumer-2', generation: 1 });
  assert.deepEqual(check(finish4(h)).anomalies, []);
});

test('nonmonotonic-poll: within one generation offsets go backwards', () => {
  const h = log4History().poll([[0, 0, 'a'], [0, 1, 'b'], [0, 2, 'c']]).poll([[0, 1, 'b']]);
  assert.deepEqual(kinds(check(finish4(h))), ['nonmonotonic-poll']);
});

test('nonmonotonic-send: one idempotent producer acknowledged at a lower offset after a higher one', () => {
  const h = new HistoryBuilder().send({ value: 'c', offset: 2 }).send({ value: 'a', offset: 0 }).send({ value: 'b', offset: 1, process: 'other' });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [[0, 'a'], [1, 'b'], [2, 'c']] }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(h.ops);
  assert.deepEqual(kinds(result), ['nonmonotonic-send']);
  assert.deepEqual(result.anomalies[0].ops, [0, 1]);
});

test('availability: the exact longest window without an acknowledgement, and the recovery after healing', () => {
  const h = new HistoryBuilder()
    .send({ value: 'a', offset: 0, at: 100 })
    .send({ value: 'b', offset: 1, at: 200 })
    .send({ value: 'x', outcome: 'info', at: 650 })
    .send({ value: 'c', offset: 2, at: 700 })
    .send({ value: 'd', offset: 3, at: 800 })
    .phase('healed', 1000)
    .send({ value: 'e', offset: 4, at: 1500 })
    .final([{ partition: 0, records: [[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd'], [4, 'e']] }], 1600);
  const { availability, verdict } = check(h.ops);
  assert.equal(verdict, 'VALID');
  assert.deepEqual(availability.longestGap, { startMs: 200, endMs: 700, durationMs: 500 });
  assert.equal(availability.firstAckMs, 100);
  assert.equal(availability.healedMs, 1000);
  assert.equal(availability.firstAckAfterHealMs, 1500);
  assert.equal(availability.recoveryMs, 500);
});

test('availability: the window running into the heal counts up to the heal', () => {
  const h = new HistoryBuilder().send({ value: 'a', offset: 0, at: 100 }).phase('healed', 2100).send({ value: 'b', offset: 1, at: 2300 });
  h.final([{ partition: 0, records: [[0, 'a'], [1, 'b']] }], 2400);
  const { availability } = check(h.ops);
  assert.deepEqual(availability.longestGap, { startMs: 100, endMs: 2100, durationMs: 2000 });
  assert.equal(availability.recoveryMs, 200);
});

test('INCOMPLETE: a final read that stopped short, or no acknowledgement after healing', () => {
  const short = new HistoryBuilder().send({ value: 'a', offset: 0 }).send({ value: 'b', offset: 5 });
  healedTail(short, 'z', 0).final([{ partition: 0, records: [[0, 'a']], highWatermark: 6, complete: false }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(short.ops);
  assert.equal(result.verdict, 'INCOMPLETE');
  assert.equal(result.stats.unverified, 1);
  const noRecovery = new HistoryBuilder().send({ value: 'a', offset: 0 }).phase('healed').final([{ partition: 0, records: [[0, 'a']] }]);
  const second = check(noRecovery.ops);
  assert.equal(second.verdict, 'INCOMPLETE');
  assert.ok(second.incompleteReasons.some((r) => r.includes('after healing')));
  assert.equal(check([]).verdict, 'INCOMPLETE');
});

test('anomalies are counted in full but kept up to the limit per kind', () => {
  const h = new HistoryBuilder();
  for (let i = 0; i < 5; i++) h.send({ value: `v${i}`, offset: i });
  healedTail(h, 'z', 0).final([{ partition: 0, records: [] }, { partition: 9, records: [[0, 'z']] }]);
  const result = check(h.ops, { maxAnomaliesPerKind: 2 });
  assert.equal(result.anomalyCounts.unseen, 5);
  assert.equal(result.anomalies.length, 2);
});
