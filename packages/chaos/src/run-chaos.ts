/**
 * One chaos run, phase by phase, each with its own deadline: start the cluster (or take the
 * given bootstrap list), create the topic, run the workload while the nemesis injects the
 * schedule, heal everything, wait for acknowledged writes again, stop the clients, read every
 * partition to its high watermark, check, report, and tear the cluster down. `finishSync` is the
 * way out from anywhere (the watchdog and the signal handlers use it too).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChaosArgs } from './args.js';
import { check, type CheckResult } from './checker.js';
import { clusterInfo } from './nemesis/cluster-info.js';
import { describeFault, scheduleFaults } from './nemesis/faults.js';
import { Nemesis } from './nemesis/nemesis.js';
import { NetnsCluster, destroyAllClustersSync } from './nemesis/netns-cluster.js';
import { Recorder } from './recorder.js';
import { writeReport, type RunMeta } from './report.js';
import { Deadline, sleep, withTimeout } from './timeouts.js';
import { KafkaLog } from './workload/kafka.js';
import { Workload, type TopicSettings } from './workload/workload.js';

export const PARTITIONS = 3;
/** Deadlines of the phases around the faults; their sum stays below the watchdog's budget. */
export const PHASE_MS = { clusterCreate: 20_000, clusterReady: 40_000, setup: 30_000, heal: 40_000, recovery: 60_000, settle: 3_000, stopProducers: 20_000, stopConsumers: 12_000, finalRead: 40_000 } as const;

const OUTPUT_FILES = ['history.jsonl', 'result.json', 'report.html', 'kafkajs.log', 'node-1.log', 'node-2.log', 'node-3.log'];

export interface RunOutcome {
  readonly result: CheckResult;
  readonly reportPath: string;
  readonly meta: RunMeta;
  readonly cleanupProblems: readonly string[];
}

/** Notes with repeats folded: `12.3s–20.1s ×41 consumer-2: ...`. Bounded in distinct texts. */
class NoteBook {
  readonly #entries = new Map<string, { first: number; last: number; count: number }>();
  #dropped = 0;

  add(atMs: number, text: string): void {
    const entry = this.#entries.get(text);
    if (entry !== undefined) {
      entry.last = atMs;
      entry.count++;
    } else if (this.#entries.size < 2000) this.#entries.set(text, { first: atMs, last: atMs, count: 1 });
    else this.#dropped++;
  }

  list(): string[] {
    const at = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
    const lines = [...this.#entries].map(([text, e]) => (e.count === 1 ? `${at(e.first)} ${text}` : `${at(e.first)}–${at(e.last)} ×${e.count} ${text}`));
    return this.#dropped === 0 ? lines : [...lines, `(${this.#dropped} more notes dropped)`];
  }
}

export class ChaosRun {
  readonly recorder = new Recorder();
  readonly #notes = new NoteBook();
  readonly problems: string[] = [];
  readonly abort = new AbortController();
  readonly outDir: string;
  readonly topic: string;
  readonly startedAt = new Date();
  readonly #log: KafkaLog;
  #settings: TopicSettings | null = null;
  #bootstrap: readonly string[];
  #finished: RunOutcome | null = null;

  constructor(readonly args: ChaosArgs, readonly cliMain: string, readonly print: (line: string) => void) {
    const stamp = this.startedAt.toISOString().replace(/[:.]/g, '-');
    this.outDir = resolve(args.outDir ?? `chaos-reports/${stamp}-seed-${args.seed}`);
    mkdirSync(this.outDir, { recursive: true });
    for (const file of OUTPUT_FILES) if (existsSync(`${this.outDir}/${file}`)) rmSync(`${this.outDir}/${file}`);
    this.topic = `chaos-${args.seed}-${Date.now().toString(36)}`;
    this.#bootstrap = args.bootstrap ?? [];
    this.#log = new KafkaLog(`${this.outDir}/kafkajs.log`);
  }

  note = (text: string): void => {
    this.#notes.add(this.recorder.now(), text);
  };

  problem = (text: string): void => {
    const line = `${(this.recorder.now() / 1000).toFixed(1)}s ${text}`;
    if (this.problems.length < 10_000) this.problems.push(line);
    this.print(`chaos: problem: ${line}`);
  };

  #progress(text: string): void {
    this.print(`chaos [${(this.recorder.now() / 1000).toFixed(1)}s] ${text}`);
  }

  async execute(): Promise<RunOutcome> {
    let cluster: NetnsCluster | null = null;
    if (this.args.bootstrap === null) {
      cluster = await withTimeout(NetnsCluster.create({ cliMain: this.cliMain, outDir: this.outDir, nodes: 3, problem: this.problem, note: this.note }), PHASE_MS.clusterCreate, 'creating the network and the tmpfs mounts');
      this.#bootstrap = cluster.bootstrap;
      for (const id of cluster.nodeIds) cluster.start(id);
      if (!(await cluster.waitReady(cluster.nodeIds, new Deadline(PHASE_MS.clusterReady)))) throw new Error(`the brokers were not ready within ${PHASE_MS.clusterReady / 1000} s (see node-N.log)`);
      this.#progress(`3 brokers ready at ${this.#bootstrap.join(',')}`);
    }
    const workload = new Workload({ bootstrap: this.#bootstrap, topic: this.topic, partitions: PARTITIONS, ratePerSecond: this.args.ratePerSecond, recorder: this.recorder, log: this.#log, note: this.note });
    this.#settings = await workload.setup(new Deadline(PHASE_MS.setup));
    this.#progress(`topic ${this.topic}: ${PARTITIONS} partitions, replication factor ${this.#settings.replicationFactor}, min.insync.replicas ${this.#settings.minInsyncReplicas}`);
    workload.start();
    const startMs = this.recorder.phase('workload-start');
    await this.#faultPhase(cluster, workload, startMs);
    const healedMs = this.recorder.phase('healed');
    this.#progress('healed; waiting for the cluster to serve acknowledged writes again');
    const recovered = await workload.waitForAckAfter(healedMs, new Deadline(PHASE_MS.recovery), this.abort.signal);
    if (recovered) this.#progress(`every partition acknowledged again within ${((this.recorder.now() - healedMs) / 1000).toFixed(2)} s of healing`);
    else this.problem(`not every partition had a send acknowledged within ${PHASE_MS.recovery / 1000} s of healing`);
    await sleep(PHASE_MS.settle, this.abort.signal);
    await workload.stopProducers(PHASE_MS.stopProducers);
    this.recorder.phase('producers-stopped');
    await sleep(PHASE_MS.settle, this.abort.signal);
    await workload.stopConsumers(PHASE_MS.stopConsumers);
    this.recorder.phase('consumers-stopped');
    this.#progress('clients stopped; reading every partition to its high watermark');
    await workload.finalRead(new Deadline(PHASE_MS.finalRead));
    this.recorder.phase('end');
    return this.finishSync([]);
  }

  async #faultPhase(cluster: NetnsCluster | null, workload: Workload, startMs: number): Promise<void> {
    const endMs = startMs + this.args.durationMs;
    if (cluster === null) {
      this.#progress(`workload running for ${this.args.durationMs / 1000} s against ${this.#bootstrap.join(',')} (no faults)`);
      await sleep(endMs - this.recorder.now(), this.abort.signal);
      return;
    }
    const schedule = scheduleFaults(this.args.seed, this.args.durationMs, this.args.faults, { nodes: 3, partitions: PARTITIONS });
    this.#progress(`workload running; ${schedule.length} fault${schedule.length === 1 ? '' : 's'} over ${this.args.durationMs / 1000} s: ${schedule.map((f) => f.kind).join(', ') || 'none'}`);
    const info = clusterInfo(() => workload.kafka('nemesis'), this.cliMain, () => cluster.nodeIds);
    const nemesis = new Nemesis({ cluster, info, recorder: this.recorder, topic: this.topic, problem: this.problem });
    const faults = nemesis.run(schedule, startMs, this.abort.signal);
    const ticker = setInterval(() => this.#progress(`${this.recorder.ops.filter((op) => op.kind === 'fault' && op.phase === 'start').length}/${schedule.length} faults injected; last ack at ${(this.recorder.lastAckMs / 1000).toFixed(1)} s`), 15_000);
    try {
      await withTimeout(faults, this.args.durationMs + 30_000, 'the fault schedule');
      await sleep(endMs - this.recorder.now(), this.abort.signal);
    } finally {
      clearInterval(ticker);
    }
    for (const fault of schedule) this.note(`fault ${fault.id} planned ${(fault.atMs / 1000).toFixed(1)} s after the workload started, for ${(fault.holdMs / 1000).toFixed(1)} s: ${describeFault(fault)}`);
    this.#progress('fault schedule over; healing every node');
    await nemesis.healAll(new Deadline(PHASE_MS.heal));
  }

  meta(): RunMeta {
    return {
      seed: this.args.seed,
      durationMs: this.args.durationMs,
      mode: this.args.bootstrap === null ? 'netns-cluster' : 'bootstrap',
      bootstrap: this.#bootstrap,
      topic: this.topic,
      faults: this.args.bootstrap === null ? this.args.faults : [],
      startedAt: this.startedAt.toISOString(),
      runtimeMs: Date.now() - this.startedAt.getTime(),
      replicationFactor: this.#settings?.replicationFactor ?? null,
      minInsyncReplicas: this.#settings?.minInsyncReplicas ?? null,
      ratePerSecond: this.args.ratePerSecond,
      tributary: this.args.bootstrap === null ? this.cliMain : null,
      problems: this.problems,
      notes: this.#notes.list(),
    };
  }

  /**
   * Checks what was recorded, writes the report, and destroys the cluster; synchronous and run
   * once. `reasons` (a failure) and `aborted` (the watchdog, a signal: recorded as the `aborted`
   * phase) make the verdict INCOMPLETE whatever was found.
   */
  finishSync(reasons: readonly string[], aborted = false): RunOutcome {
    if (this.#finished !== null) return this.#finished;
    this.abort.abort();
    const cleanupProblems = destroyAllClustersSync();
    for (const problem of cleanupProblems) this.problems.push(`cleanup: ${problem}`);
    const truncated = this.recorder.truncated ? [`the history was truncated (${this.recorder.dropped} operations dropped)`] : [];
    const checked = check(this.recorder.ops, { incompleteReasons: [...reasons, ...truncated] });
    const result: CheckResult = reasons.length > 0 || aborted ? { ...checked, verdict: 'INCOMPLETE' } : checked;
    if (this.#log.dropped > 0) this.note(`kafkajs.log reached its size bound; ${this.#log.dropped} lines dropped`);
    this.#log.close();
    const meta = this.meta();
    const reportPath = writeReport(this.outDir, this.recorder.ops, result, meta);
    this.#finished = { result, reportPath, meta, cleanupProblems };
    return this.#finished;
  }
}
