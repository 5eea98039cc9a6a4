/**
 * A run's report, in its output directory: history.jsonl (every operation), result.json (the
 * run's settings and the checker's result) and report.html (self-contained: the verdict, each
 * anomaly with its operations, the fault timeline, plots of throughput and latency with the
 * faults shaded). Synchronous, so a watchdog can write it on the way out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANOMALY_DESCRIPTIONS, ANOMALY_KINDS, type Anomaly, type CheckResult } from './checker-types.js';
import { ackTimes, windowStats } from './availability.js';
import type { FaultOp, Op } from './history.js';
import { writeHistory } from './recorder.js';
import { escapeHtml as esc, plots } from './report-plots.js';

export interface RunMeta {
  readonly seed: number;
  readonly durationMs: number;
  readonly mode: 'netns-cluster' | 'bootstrap';
  readonly bootstrap: readonly string[];
  readonly topic: string;
  readonly faults: readonly string[];
  readonly startedAt: string;
  readonly runtimeMs: number;
  readonly replicationFactor: number | null;
  readonly minInsyncReplicas: number | null;
  readonly ratePerSecond: number;
  readonly tributary: string | null;
  /** Nemesis errors and unexpected broker exits. */
  readonly problems: readonly string[];
  /** Client-side events worth knowing (consumer crashes, setup retries). */
  readonly notes: readonly string[];
}

const seconds = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);

/** An operation as shown next to an anomaly: big reads cut down to the records near the anomaly's offset. */
export function opForDisplay(op: Op | undefined, anomaly: Anomaly): unknown {
  if (op === undefined) return null;
  const near = (offset: number): boolean => anomaly.offset === undefined || Math.abs(offset - anomaly.offset) <= 3;
  if (op.kind === 'final-read') {
    const partitions = op.partitions
      .filter((p) => anomaly.partition === undefined || p.partition === anomaly.partition)
      .map((p) => ({ partition: p.partition, highWatermark: p.highWatermark, complete: p.complete, recordCount: p.records.length, nearby: p.records.filter((r) => near(r.offset)) }));
    return { ...op, partitions };
  }
  if (op.kind === 'poll' && op.records.length > 12) {
    return { ...op, recordCount: op.records.length, records: op.records.filter((r) => r.partition === anomaly.partition && near(r.offset)) };
  }
  return op;
}

function anomalySection(ops: readonly Op[], result: CheckResult): string {
  if (result.anomalies.length === 0) return '<p>No anomalies.</p>';
  const counts = ANOMALY_KINDS.filter((k) => result.anomalyCounts[k] > 0)
    .map((k) => `<tr><td>${k}</td><td>${result.anomalyCounts[k]}</td><td>${esc(ANOMALY_DESCRIPTIONS[k])}</td></tr>`)
    .join('');
  const items = result.anomalies
    .map((a) => {
      const shown = a.ops.map((i) => opForDisplay(ops[i], a));
      return `<details class="anomaly"><summary><b>${a.kind}</b> ${esc(a.message)}</summary><pre>${esc(JSON.stringify(shown, null, 1))}</pre></details>`;
    })
    .join('\n');
  return `<table><tr><th>kind</th><th>count</th><th>meaning</th></tr>${counts}</table>\n${items}`;
}

/** One row per fault: injected and healed, and how writes fared meanwhile. */
function faultTable(ops: readonly Op[], healedMs: number | null): string {
  const endMs = healedMs ?? ops.reduce((max, op) => Math.max(max, op.completeMs), 0);
  const acks = ackTimes(ops);
  const stops = new Map<number, FaultOp>();
  for (const op of ops) if (op.kind === 'fault' && op.phase === 'stop') stops.set(op.faultId, op);
  const rows = ops
    .filter((op): op is FaultOp => op.kind === 'fault' && (op.phase === 'start' || op.faultId === 0))
    .map((start) => {
      const stop = start.faultId === 0 ? start : stops.get(start.faultId);
      const failed = [start, stop].filter((op): op is FaultOp => op !== undefined && op.outcome !== 'ok');
      const until = stop?.completeMs ?? endMs;
      const during = windowStats(acks, start.invokeMs, until);
      const writes = start.faultId === 0 ? '' : `${(during.acks / Math.max(0.001, (until - start.invokeMs) / 1000)).toFixed(0)}/s; longest gap ${seconds(during.longestGapMs)}`;
      const errors = failed.map((op) => ` <b>${op.phase === 'start' ? 'inject' : 'heal'} error:</b> ${esc(op.error ?? '')}`).join('');
      return `<tr${failed.length > 0 ? ' class="bad"' : ''}><td>${start.faultId === 0 ? '' : start.faultId}</td><td>${esc(start.fault)}</td><td>${esc(start.targets.join(', '))}</td><td>${seconds(start.invokeMs)}</td><td>${stop === undefined ? 'never' : seconds(stop.completeMs)}</td><td>${writes}</td><td>${esc(start.detail ?? '')}${errors}</td></tr>`;
    })
    .join('\n');
  if (rows.length === 0) return '<p>No faults (no nemesis in this mode).</p>';
  return `<table><tr><th>#</th><th>fault</th><th>nodes</th><th>injected</th><th>healed</th><th>acks meanwhile</th><th>what</th></tr>\n${rows}</table>`;
}

function summaryTable(result: CheckResult, meta: RunMeta): string {
  const { stats, availability: a } = result;
  const sends = (k: 'idempotent' | 'plain'): string => `${stats.sends[k].ok} acknowledged, ${stats.sends[k].info} indeterminate, ${stats.sends[k].fail} failed`;
  const rows: Array<[string, string]> = [
    ['mode', `${meta.mode} (${meta.bootstrap.join(', ')})`],
    ['seed / duration', `${meta.seed} / ${seconds(meta.durationMs)} of faults; the run took ${seconds(meta.runtimeMs)}`],
    ['topic', `${meta.topic}: replication factor ${meta.replicationFactor ?? '?'}, min.insync.replicas ${meta.minInsyncReplicas ?? '?'}, acks=all`],
    ['faults enabled', meta.faults.join(', ') || 'none'],
    ['idempotent sends', sends('idempotent')],
    ['plain sends', sends('plain')],
    ['polls', `${stats.polls} batches, ${stats.polledRecords} records, ${stats.commits} commits, ${stats.generations} group joins`],
    ['final read', `${stats.finalRecords} records`],
    ['allowed duplicates', `${stats.allowedDuplicates} (plain producer retries); ${stats.infoSendsSeen} indeterminate sends landed`],
    ['longest window without an ack', a.longestGap === null ? '–' : `${seconds(a.longestGap.durationMs)} (from ${seconds(a.longestGap.startMs)} to ${seconds(a.longestGap.endMs)})`],
    ['first ack after healing', a.recoveryMs === null ? 'none' : `${seconds(a.recoveryMs)} after the heal at ${seconds(a.healedMs)}`],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

const list = (items: readonly string[], empty: string): string => (items.length === 0 ? `<p>${empty}</p>` : `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`);

export function renderReport(ops: readonly Op[], result: CheckResult, meta: RunMeta): string {
  const color = result.verdict === 'VALID' ? '#2a9d8f' : result.verdict === 'INVALID' ? '#e63946' : '#e9a23b';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chaos run ${esc(meta.topic)}: ${result.verdict}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top;font-size:13px}
.verdict{font-size:2em;font-weight:bold;color:${color}}tr.bad td{background:#fde2e4}pre{font-size:11px;background:#f6f6f6;padding:6px;overflow-x:auto}details.anomaly{margin:4px 0}</style></head>
<body>
<h1>Chaos run, seed ${meta.seed}</h1>
<p class="verdict">${result.verdict}</p>
<p>Started ${esc(meta.startedAt)}. ${result.incompleteReasons.length === 0 ? '' : `Incomplete because: ${esc(result.incompleteReasons.join('; '))}.`}</p>
${summaryTable(result, meta)}
<h2>Throughput and latency</h2>
<p>Shaded: faults, from injection to heal. Dashed line: every fault healed.</p>
${plots(ops, result.availability.healedMs)}
<h2>Anomalies</h2>
${anomalySection(ops, result)}
<h2>Fault timeline</h2>
${faultTable(ops, result.availability.healedMs)}
<h2>Problems</h2>
${list(meta.problems, 'None: every fault was injected and healed as planned, and no broker exited unexpectedly.')}
<h2>Client notes</h2>
${list(meta.notes.slice(0, 500), 'None.')}
<p>The full history is in history.jsonl; the result in result.json.</p>
</body></html>
`;
}

/** Writes history.jsonl, result.json and report.html; returns the report's path. */
export function writeReport(outDir: string, ops: readonly Op[], result: CheckResult, meta: RunMeta): string {
  mkdirSync(outDir, { recursive: true });
  writeHistory(join(outDir, 'history.jsonl'), ops);
  writeFileSync(join(outDir, 'result.json'), `${JSON.stringify({ meta, result }, null, 2)}\n`);
  const path = join(outDir, 'report.html');
  writeFileSync(path, renderReport(ops, result, meta));
  return path;
}
