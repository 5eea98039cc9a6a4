/**
 * The command line: `--duration 10m --seed S [--out DIR] [--bootstrap HOST:PORT,...]
 * [--faults kill,pause,...] [--tributary CLI_MAIN_JS] [--rate N] [--budget 4m]`.
 */
import { parseArgs } from 'node:util';
import { FAULT_KINDS, type FaultKind } from './nemesis/faults.js';

export interface ChaosArgs {
  readonly durationMs: number;
  readonly seed: number;
  readonly outDir: string | null;
  /** Set: run against this cluster, without faults. */
  readonly bootstrap: readonly string[] | null;
  readonly faults: readonly FaultKind[];
  /** The tributary CLI's main.js (brokers are started with it). */
  readonly tributary: string | null;
  readonly ratePerSecond: number;
  /** The watchdog fires after durationMs + budgetMs. */
  readonly budgetMs: number;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run chaos -- [options]

  --duration D        how long faults are injected: 90s, 10m, 1h or seconds (default 60s)
  --seed N            seeds the fault schedule (default 1)
  --out DIR           where history.jsonl, result.json, report.html and the logs go
                      (default chaos-reports/<time>-seed-N)
  --bootstrap LIST    HOST:PORT,...: run the workload and checker against this cluster, no faults
  --faults LIST       fault kinds to schedule (default all): ${FAULT_KINDS.join(',')}
  --tributary PATH    the tributary CLI's main.js that starts the brokers
                      (default: this repository's packages/cli/dist/main.js)
  --rate N            sends per second over all producers (default 300)
  --budget D          the watchdog: give up after duration + this (default 5m)

Exit status: 0 VALID, 1 INVALID (anomalies), 2 INCOMPLETE or failed run, 3 bad usage.`;

export class UsageError extends Error {}

/** `90s`, `10m`, `1h`, `1500ms` or plain seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}

function parseFaults(text: string | undefined): FaultKind[] {
  if (text === undefined || text === 'all') return [...FAULT_KINDS];
  if (text === 'none') return [];
  const kinds = text.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  for (const kind of kinds) if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown fault ${kind}; known: ${FAULT_KINDS.join(', ')}`);
  return kinds as FaultKind[];
}

function parseInteger(text: string | undefined, fallback: number, name: string, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} needs an integer >= ${min}, got ${text}`);
  return value;
}

export function parseChaosArgs(argv: readonly string[]): ChaosArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        duration: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        bootstrap: { type: 'string' },
        faults: { type: 'string' },
        tributary: { type: 'string' },
        rate: { type: 'string' },
        budget: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const bootstrap = parsed.bootstrap === undefined ? null : parsed.bootstrap.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (bootstrap !== null && bootstrap.length === 0) throw new UsageError('--bootstrap needs HOST:PORT,...');
  const durationMs = parseDuration(parsed.duration ?? '60s');
  if (durationMs < 5000) throw new UsageError('--duration must be at least 5s');
  return {
    durationMs,
    seed: parseInteger(parsed.seed, 1, 'seed', 0),
    outDir: parsed.out ?? null,
    bootstrap,
    faults: parseFaults(parsed.faults),
    tributary: parsed.tributary ?? null,
    ratePerSecond: parseInteger(parsed.rate, 300, 'rate', 1),
    budgetMs: parseDuration(parsed.budget ?? '5m'),
    help: parsed.help === true,
  };
}
