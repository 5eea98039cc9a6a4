/**
 * The report's plots as inline SVG: acknowledged sends per second (and failed or indeterminate
 * ones), and send latency per second (p50 and max, log scale), with the fault intervals shaded
 * and the heal marked.
 */
import type { Op } from './history.js';

export interface Interval {
  readonly startMs: number;
  readonly endMs: number;
  readonly label: string;
}

export interface Series {
  readonly name: string;
  readonly color: string;
  /** One value per second (null: no point). */
  readonly values: ReadonlyArray<number | null>;
}

const WIDTH = 1000;
const HEIGHT = 230;
const MARGIN = { left: 60, right: 20, top: 24, bottom: 32 };

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Fault intervals: each fault from its start to its heal (or to `endMs` when never healed). */
export function faultIntervals(ops: readonly Op[], endMs: number): Interval[] {
  const open = new Map<number, { startMs: number; label: string }>();
  const intervals: Interval[] = [];
  for (const op of ops) {
    if (op.kind !== 'fault' || op.faultId === 0) continue;
    if (op.phase === 'start') open.set(op.faultId, { startMs: op.invokeMs, label: `${op.fault} ${op.targets.join(',')}` });
    else {
      const started = open.get(op.faultId);
      open.delete(op.faultId);
      if (started !== undefined) intervals.push({ ...started, endMs: op.completeMs });
    }
  }
  for (const started of open.values()) intervals.push({ ...started, endMs });
  return intervals.sort((a, b) => a.startMs - b.startMs);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Per second of completion: acknowledged sends, other sends, and the latency p50 and max of the acknowledged ones. */
export function perSecond(ops: readonly Op[], endMs: number): { acks: number[]; failed: number[]; p50: Array<number | null>; max: Array<number | null> } {
  const seconds = Math.max(1, Math.ceil(endMs / 1000));
  const acks = new Array<number>(seconds).fill(0);
  const failed = new Array<number>(seconds).fill(0);
  const latencies: number[][] = Array.from({ length: seconds }, () => []);
  for (const op of ops) {
    if (op.kind !== 'send') continue;
    const s = Math.min(seconds - 1, Math.max(0, Math.floor(op.completeMs / 1000)));
    if (op.outcome === 'ok') {
      acks[s]++;
      latencies[s].push(op.completeMs - op.invokeMs);
    } else failed[s]++;
  }
  const sorted = latencies.map((l) => l.sort((a, b) => a - b));
  return {
    acks,
    failed,
    p50: sorted.map((l) => (l.length === 0 ? null : quantile(l, 0.5))),
    max: sorted.map((l) => (l.length === 0 ? null : l[l.length - 1])),
  };
}

function niceStep(max: number): number {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? magnitude * 10;
}

export interface ChartOptions {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
  readonly intervals: readonly Interval[];
  readonly healedMs: number | null;
  readonly log?: boolean;
}

/** One chart: x in seconds of run time, shaded fault intervals, one polyline per series. */
export function chart(options: ChartOptions): string {
  const seconds = Math.max(1, ...options.series.map((s) => s.values.length));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const all = options.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const maxValue = Math.max(1, ...all);
  const ticks: number[] = [];
  let y: (v: number) => number;
  if (options.log === true) {
    const top = Math.ceil(Math.log10(Math.max(10, maxValue)));
    y = (v) => MARGIN.top + plotH - (Math.log10(Math.max(1, v)) / top) * plotH;
    for (let e = 0; e <= top; e++) ticks.push(10 ** e);
  } else {
    const step = niceStep(maxValue);
    const top = Math.ceil(maxValue / step) * step;
    y = (v) => MARGIN.top + plotH - (v / top) * plotH;
    for (let t = 0; t <= top + step / 2; t += step) ticks.push(t);
  }
  const x = (second: number): number => MARGIN.left + (second / seconds) * plotW;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(options.title)}">`];
  parts.push(`<text x="${MARGIN.left}" y="16" font-size="13" font-weight="bold">${escapeHtml(options.title)}</text>`);
  options.intervals.forEach((interval, i) => {
    const x0 = x(interval.startMs / 1000);
    const x1 = Math.max(x0 + 1, x(interval.endMs / 1000));
    parts.push(`<rect class="fault" x="${x0.toFixed(1)}" y="${MARGIN.top}" width="${(x1 - x0).toFixed(1)}" height="${plotH}" fill="#f4a261" fill-opacity="0.25"><title>${escapeHtml(interval.label)}</title></rect>`);
    parts.push(`<text x="${(x0 + 2).toFixed(1)}" y="${MARGIN.top + 10 + (i % 2) * 10}" font-size="9" fill="#9c4a0f">${escapeHtml(interval.label.split(' ')[0])}</text>`);
  });
  for (const t of ticks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${(y(t) + 4).toFixed(1)}" font-size="10" text-anchor="end">${t}${options.unit}</text>`);
  }
  const xStep = niceStep(seconds / 2);
  for (let s = 0; s <= seconds; s += xStep) parts.push(`<text x="${x(s).toFixed(1)}" y="${HEIGHT - 10}" font-size="10" text-anchor="middle">${s}s</text>`);
  if (options.healedMs !== null) {
    const hx = x(options.healedMs / 1000).toFixed(1);
    parts.push(`<line x1="${hx}" x2="${hx}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#2a9d8f" stroke-dasharray="4 3"><title>healed</title></line>`);
  }
  options.series.forEach((series, i) => {
    // One polyline per run of seconds with a value: no line across seconds without data.
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 0) parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="1.5" points="${run.join(' ')}"/>`);
      run = [];
    };
    series.values.forEach((v, s) => {
      if (v === null) flush();
      else run.push(`${x(s + 0.5).toFixed(1)},${y(v).toFixed(1)}`);
    });
    flush();
    parts.push(`<text x="${WIDTH - MARGIN.right - 240 + i * 120}" y="16" font-size="11" fill="${series.color}">■ ${escapeHtml(series.name)}</text>`);
  });
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/></svg>`);
  return parts.join('\n');
}

/** Both plots for a history. */
export function plots(ops: readonly Op[], healedMs: number | null): string {
  const endMs = ops.reduce((max, op) => Math.max(max, op.completeMs), 1000);
  const intervals = faultIntervals(ops, healedMs ?? endMs);
  const data = perSecond(ops, endMs);
  return [
    chart({ title: 'Sends per second', unit: '', intervals, healedMs, series: [{ name: 'acknowledged', color: '#264653', values: data.acks }, { name: 'not acked', color: '#e63946', values: data.failed }] }),
    chart({ title: 'Send latency (acknowledged; log scale)', unit: 'ms', log: true, intervals, healedMs, series: [{ name: 'p50', color: '#264653', values: data.p50 }, { name: 'max', color: '#e76f51', values: data.max }] }),
  ].join('\n');
}
