import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from './checker.js';
import { HistoryBuilder } from './history-builder.js';
import { parseHistory } from './recorder.js';
import { faultIntervals, perSecond } from './report-plots.js';
import { renderReport, writeReport, type RunMeta } from './report.js';

const meta: RunMeta = {
  seed: 4,
  durationMs: 60_000,
  mode: 'netns-cluster',
  bootstrap: ['10.197.0.11:9092'],
  topic: 'chaos-t',
  faults: ['kill', 'pause'],
  startedAt: '2025-01-01T00:00:00.000Z',
  runtimeMs: 70_000,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  ratePerSecond: 100,
  tributary: null,
  problems: ['n2 exited by itself <oops>'],
  notes: [],
};

function history(): HistoryBuilder {
  return new HistoryBuilder()
    .send({ value: 'a', offset: 0, at: 500 })
    .fault('kill-leader', 1, 'start', ['n2'], 1000)
    .send({ value: 'b', outcome: 'info', at: 1800 })
    .fault('kill-leader', 1, 'stop', ['n2'], 2500)
    .fault('pause', 2, 'start', ['n3'], 3000)
    .phase('healed', 4000)
    .send({ value: 'c', offset: 1, at: 4200, latencyMs: 40 });
}

test('the report shows the verdict, the faults, the anomalies and inline SVG plots', () => {
  const ops = history().final([{ partition: 0, records: [[1, 'c']] }]).ops;
  const result = check(ops);
  assert.equal(result.verdict, 'INVALID');
  const html = renderReport(ops, result, meta);
  assert.match(html, /<p class="verdict">INVALID<\/p>/);
  assert.match(html, /kill-leader/);
  assert.match(html, /pause/);
  assert.match(html, /lost-write/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.match(html, /<rect class="fault"/);
  assert.match(html, /acks meanwhile/);
  assert.match(html, /&lt;oops&gt;/, 'text is escaped');
  assert.doesNotMatch(html, /<oops>/);
});

test('a valid run says so; the files are written and the history reads back', () => {
  const ops = history().final([{ partition: 0, records: [[0, 'a'], [1, 'c']] }]).ops;
  const result = check(ops);
  assert.equal(result.verdict, 'VALID');
  const dir = mkdtempSync(join(tmpdir(), 'chaos-report-'));
  try {
    const path = writeReport(dir, ops, result, meta);
    assert.match(readFileSync(path, 'utf8'), /VALID/);
    assert.deepEqual(parseHistory(readFileSync(join(dir, 'history.jsonl'), 'utf8')), ops);
    assert.equal(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).result.verdict, 'VALID');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('plot data: fault intervals pair start and heal; per-second acks and latencies', () => {
  const ops = history().ops;
  assert.deepEqual(faultIntervals(ops, 9000), [
    { startMs: 1000, endMs: 2500, label: 'kill-leader n2' },
    { startMs: 3000, endMs: 9000, label: 'pause n3' },
  ]);
  const data = perSecond(ops, 5000);
  assert.deepEqual(data.acks, [1, 0, 0, 0, 1]);
  assert.deepEqual(data.failed, [0, 1, 0, 0, 0]);
  assert.deepEqual(data.max, [5, null, null, null, 40]);
});
