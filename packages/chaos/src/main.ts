#!/usr/bin/env node
/**
 * `npm run chaos -- --duration 10m --seed S [...]` (see args.ts). Runs one chaos run and prints a
 * summary. A watchdog ends the run after duration + budget whatever it is doing: it writes the
 * report with what was recorded (verdict INCOMPLETE), kills every broker it started, deletes the
 * namespaces and exits non-zero; SIGINT and SIGTERM do the same. Always ends with process.exit
 * (kafkajs leaves handles open).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, UsageError, parseChaosArgs, type ChaosArgs } from './args.js';
import { ANOMALY_KINDS } from './checker-types.js';
import { destroyAllClustersSync } from './nemesis/netns-cluster.js';
import { runSync } from './nemesis/netns.js';
import { ChaosRun, type RunOutcome } from './run-chaos.js';
import { errorText } from './timeouts.js';

const EXIT = { VALID: 0, INVALID: 1, INCOMPLETE: 2, usage: 3 } as const;
const defaultCli = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function summary(outcome: RunOutcome): string[] {
  const { result, meta, reportPath } = outcome;
  const s = result.stats;
  const a = result.availability;
  const sec = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(2)} s`);
  const anomalies = ANOMALY_KINDS.filter((k) => result.anomalyCounts[k] > 0).map((k) => `${k} ${result.anomalyCounts[k]}`);
  return [
    `chaos: ${result.verdict} (seed ${meta.seed}, ${meta.durationMs / 1000} s of ${meta.mode === 'bootstrap' ? 'workload without faults' : `faults (${s.faults} injected)`}, run took ${(meta.runtimeMs / 1000).toFixed(0)} s)`,
    `  sends: idempotent ${s.sends.idempotent.ok} acknowledged / ${s.sends.idempotent.info} indeterminate / ${s.sends.idempotent.fail} failed; plain ${s.sends.plain.ok} / ${s.sends.plain.info} / ${s.sends.plain.fail}`,
    `  reads: ${s.polls} polls (${s.polledRecords} records, ${s.generations} group joins, ${s.commits} commits); final read ${s.finalRecords} records; ${s.allowedDuplicates} allowed duplicates`,
    `  anomalies: ${anomalies.length === 0 ? 'none' : anomalies.join(', ')}`,
    ...result.anomalies.slice(0, 5).map((x) => `    ${x.kind}: ${x.message}`),
    `  availability: longest window without an ack ${sec(a.longestGap?.durationMs ?? null)}${a.longestGap === null ? '' : ` (from ${sec(a.longestGap.startMs)})`}; first ack ${a.recoveryMs === null ? 'after healing: none' : `${sec(a.recoveryMs)} after healing`}`,
    ...(result.incompleteReasons.length === 0 ? [] : [`  incomplete: ${result.incompleteReasons.join('; ')}`]),
    `  problems: ${meta.problems.length === 0 ? 'none' : `${meta.problems.length} (listed in the report)`}`,
    `  report: ${reportPath}`,
  ];
}

function checkEnvironment(args: ChaosArgs, cli: string): void {
  if (args.bootstrap !== null) return;
  if (!existsSync(cli)) throw new UsageError(`no tributary CLI at ${cli}: build it (npm run build) or pass --tributary`);
  if (process.getuid?.() !== 0) throw new UsageError('the 3-broker chaos cluster needs root (network namespaces, tmpfs); or pass --bootstrap');
  for (const tool of ['ip', 'iptables', 'fallocate']) {
    if (!runSync('sh', ['-c', `command -v ${tool}`]).ok) throw new UsageError(`${tool} is missing: run scripts/install-chaos-deps.sh`);
  }
}

function main(): void {
  let args: ChaosArgs;
  try {
    args = parseChaosArgs(process.argv.slice(2));
    if (args.help) {
      print(USAGE);
      process.exit(0);
    }
    checkEnvironment(args, resolve(args.tributary ?? defaultCli));
  } catch (error) {
    const message = error instanceof UsageError ? error.message : errorText(error);
    process.stderr.write(`chaos: ${message}\n\n${USAGE}\n`);
    process.exit(EXIT.usage);
  }
  const run = new ChaosRun(args, resolve(args.tributary ?? defaultCli), print);
  let exiting = false;
  const bail = (reason: string, code: number): void => {
    if (exiting) return;
    exiting = true;
    print(`chaos: ${reason}; writing the report and cleaning up`);
    try {
      run.recorder.phase('aborted', reason);
      for (const line of summary(run.finishSync([], true))) print(line);
    } catch (error) {
      print(`chaos: could not write the report: ${errorText(error)}`);
    }
    for (const problem of destroyAllClustersSync()) print(`chaos: cleanup: ${problem}`);
    process.exit(code);
  };
  const watchdogMs = args.durationMs + args.budgetMs;
  const watchdog = setTimeout(() => bail(`watchdog: the run exceeded ${watchdogMs / 1000} s`, EXIT.INCOMPLETE), watchdogMs);
  process.on('SIGINT', () => bail('interrupted (SIGINT)', 130));
  process.on('SIGTERM', () => bail('terminated (SIGTERM)', 143));
  process.on('uncaughtException', (error) => bail(`uncaught exception: ${errorText(error)}`, EXIT.INCOMPLETE));
  process.on('unhandledRejection', (error) => run.note(`unhandled rejection: ${errorText(error)}`));
  // kafkajs's reconnects trip MaxListenersExceededWarning; warnings go to the report's notes.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => run.note(`node warning: ${warning.name}: ${warning.message}`));
  run
    .execute()
    .catch((error: unknown) => {
      run.problem(`the run failed: ${errorText(error)}`);
      return run.finishSync([`the run failed: ${errorText(error)}`]);
    })
    .then((outcome) => {
      if (exiting) return;
      exiting = true;
      clearTimeout(watchdog);
      for (const line of summary(outcome)) print(line);
      process.exit(EXIT[outcome.result.verdict]);
    })
    .catch((error: unknown) => bail(`failed while finishing: ${errorText(error)}`, EXIT.INCOMPLETE));
}

main();
