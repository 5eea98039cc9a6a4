/** Latency percentiles and throughput for the bench commands. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Nearest-rank percentile of sorted samples (q in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1],
  };
}

export interface Throughput {
  readonly recordsPerSecond: number;
  readonly megabytesPerSecond: number;
}

/** Payload throughput (record values, not wire bytes); MB is 10^6 bytes. */
export function throughput(records: number, payloadBytes: number, elapsedMs: number): Throughput {
  const seconds = Math.max(elapsedMs, 1e-3) / 1000;
  return { recordsPerSecond: records / seconds, megabytesPerSecond: payloadBytes / 1e6 / seconds };
}
