/**
 * One seeded run of the three-node simulation: boot, workload, faults, heal, recovery, final
 * checks. Everything random comes from the seed and everything timed from virtual time, so a seed
 * replays exactly: same steps, same trace hash, same timeline.
 */
import { seededRandom } from '@tributary/common';
import { InvariantChecker, committedRecords, handlesOf } from './invariants.js';
import { Nemesis } from './faults.js';
import { SimKafkaClient } from './sim-kafka-client.js';
import { SimNetwork } from './sim-network.js';
import { SimNode, rpcAddress } from './sim-node.js';
import { VirtualTime } from './virtual-time.js';
import { PARTITIONS, TOPIC, Workload } from './workload.js';

export interface SimulationOptions {
  readonly seed: number;
  /** Simulated milliseconds of faults (from when the first writes are acknowledged). */
  readonly faultMs?: number;
  /** After healing, the cluster must be whole and acknowledging writes within this. */
  readonly recoveryMs?: number;
  readonly logLevel?: string;
  /** Steps between full log comparisons (the cheap checks run after every step). */
  readonly logCheckEverySteps?: number;
  /** A bound on steps, so no seed can run forever. */
  readonly maxSteps?: number;
  /** Debugging: called with the nodes once the run is over. */
  readonly inspect?: (nodes: readonly SimNode[]) => void;
}

export interface SimulationResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly steps: number;
  readonly simulatedMs: number;
  readonly traceHash: string;
  readonly timeline: readonly string[];
  readonly stats: Readonly<Record<string, number | string>>;
  /** The nodes' last log lines (for a failing seed). */
  readonly nodeLogs: ReadonlyMap<number, readonly string[]>;
}

const NODE_IDS = [1, 2, 3] as const;
const START_MS = 2_000;

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const faultMs = options.faultMs ?? 20_000;
  const recoveryMs = options.recoveryMs ?? 40_000;
  const maxSteps = options.maxSteps ?? 5_000_000;
  const time = new VirtualTime();
  const random = seededRandom(options.seed);
  const addresses = new Map(NODE_IDS.map((id) => [rpcAddress(id), id]));
  const network = new SimNetwork(time, random, addresses);
  let checker: InvariantChecker | undefined;
  const beforeCrash = (node: SimNode): void => checker?.afterStep([node]);
  const nodes = NODE_IDS.map((nodeId) => new SimNode({ nodeId, nodeIds: NODE_IDS, time, network, random, logLevel: options.logLevel ?? 'info', beforeCrash }));
  const nodeById = new Map(nodes.map((n) => [n.nodeId, n]));
  const client = new SimKafkaClient(time, network, nodeById);
  checker = new InvariantChecker(() => time.now);
  const invariants = checker;
  const workload = new Workload(time, client, NODE_IDS, random, (ack) => invariants.onAck(ack, TOPIC));
  const timeline: string[] = [];
  const nemesis = new Nemesis({ time, network, client, nodes, random, timeline });
  for (const node of nodes) node.start();
  workload.start();
  const stepper = new Stepper(time, nodes, checker, options.logCheckEverySteps ?? 200, maxSteps);
  // Faults begin once the topic exists and writes flow (or after a bound, whichever is first).
  await stepper.runUntil(() => workload.acks.length >= 10, START_MS + 10_000);
  const faultsFrom = time.now;
  nemesis.schedule(0, faultsFrom + faultMs);
  await stepper.runUntil(() => time.now >= faultsFrom + faultMs);
  nemesis.healAll();
  const healedAt = time.now;
  const recovered = await stepper.runUntil(() => isWhole(nodes) && workload.lastAckAtMs > healedAt + 200, healedAt + recoveryMs);
  if (!recovered) checker.violate(`not recovered ${recoveryMs} ms after healing: ${describeCluster(nodes)}; last ack at ${workload.lastAckAtMs} ms`);
  workload.stop();
  await stepper.runUntil(() => false, time.now + 3_000);
  await checker.checkLogs(nodes, true);
  if (recovered) await finalChecks(nodes, workload, checker, stepper, time);
  options.inspect?.(nodes);

  return {
    seed: options.seed,
    ok: checker.violations.length === 0 && !stepper.exhausted,
    violations: stepper.exhausted ? [...checker.violations, `step bound ${maxSteps} reached`] : checker.violations,
    steps: stepper.steps,
    simulatedMs: time.now,
    traceHash: stepper.traceHash(),
    timeline,
    stats: {
      sent: workload.sent,
      acknowledged: workload.acks.length,
      failedSends: workload.failed,
      commits: workload.commits.filter((c) => c.outcome === 'ok').length,
      recordsChecked: checker.recordsChecked,
      rpcCalls: network.calls,
      rpcLost: network.lost,
      restarts: nodes.reduce((n, node) => n + node.starts.began - 1, 0),
      crashesWhileStarting: nodes.reduce((n, node) => n + node.starts.crashedWhileStarting, 0),
      faults: [...nemesis.counts].map(([k, v]) => `${k}:${v}`).join(' '),
    },
    nodeLogs: new Map(nodes.map((n) => [n.nodeId, n.logLines])),
  };
}

/** Runs events one at a time, each followed by every microtask it caused and the checks. */
export class Stepper {
  steps = 0;
  exhausted = false;
  private hash = 0x811c9dc5;
  private checking = false;

  constructor(
    private readonly time: VirtualTime,
    private readonly nodes: readonly SimNode[],
    private readonly checker: InvariantChecker,
    private readonly logCheckEverySteps: number,
    private readonly maxSteps: number,
  ) {}

  /** Steps until `done()` or until virtual time passes `untilMs`; true if `done()` held. */
  async runUntil(done: () => boolean, untilMs = Infinity): Promise<boolean> {
    while (!done()) {
      const due = this.time.nextDue();
      if (due === undefined || due > untilMs || this.steps >= this.maxSteps) {
        if (this.steps >= this.maxSteps) this.exhausted = true;
        return false;
      }
      this.time.runNext();
      this.steps++;
      // Every microtask the event caused runs before the next event: one deterministic order.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.checker.afterStep(this.nodes);
      this.mix(this.time.now);
      this.mix(this.time.pending);
      if (this.steps % this.logCheckEverySteps === 0 && !this.checking) {
        this.checking = true;
        // Now and then from each log's start: truncation below a high watermark shows there.
        const full = this.steps % (this.logCheckEverySteps * 50) === 0;
        void this.checker.checkLogs(this.nodes, full).finally(() => {
          this.checking = false;
        });
      }
    }
    return true;
  }

  traceHash(): string {
    return (this.hash >>> 0).toString(16).padStart(8, '0');
  }

  private mix(value: number): void {
    this.hash = Math.imul(this.hash ^ (value & 0xffffffff), 0x01000193);
  }
}

/** Every node serving, every partition with a leader and all three replicas in sync. */
function isWhole(nodes: readonly SimNode[]): boolean {
  if (!nodes.every((n) => n.serving && n.cluster?.isActive)) return false;
  const image = nodes[0]!.cluster!.quorum.image;
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) if (p.leader < 0 || p.isr.length < p.replicas.length) return false;
  }
  return [...image.topicsById.values()].some((t) => t.name === TOPIC);
}

function describeCluster(nodes: readonly SimNode[]): string {
  const parts = nodes.map((n) => `node ${n.nodeId}: ${n.serving ? (n.cluster?.isActive ? 'active' : 'fenced') : n.up ? 'starting' : 'down'}`);
  const image = nodes.find((n) => n.serving)?.cluster?.quorum.image;
  const partitions: string[] = [];
  for (const topic of image?.topicsById.values() ?? []) for (const p of topic.partitions.values()) if (p.leader < 0 || p.isr.length < p.replicas.length) partitions.push(`${topic.name}-${p.partition} leader ${p.leader} isr [${p.isr.join(',')}]`);
  return `${parts.join(', ')}; incomplete: ${partitions.slice(0, 6).join('; ') || 'none'}`;
}

/** After recovery: every acknowledged write at its offset exactly once; the last commit reads back. */
async function finalChecks(nodes: readonly SimNode[], workload: Workload, checker: InvariantChecker, stepper: Stepper, time: VirtualTime): Promise<void> {
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const leader = nodes.flatMap((n) => handlesOf(n)).find((h) => h.topic === TOPIC && h.index === partition && h.replicated.role === 'leader');
    if (leader === undefined) {
      checker.violate(`no leader for ${TOPIC}-${partition} at the end`);
      continue;
    }
    const records = (await committedRecords(leader)) ?? new Map<number, string>();
    const offsetsOf = new Map<string, number[]>();
    for (const [offset, record] of records) {
      const value = record.slice(record.indexOf('|') + 1);
      offsetsOf.set(value, [...(offsetsOf.get(value) ?? []), offset]);
    }
    for (const ack of workload.acks.filter((a) => a.partition === partition)) {
      const found = offsetsOf.get(ack.value) ?? [];
      if (found.length === 0) checker.violate(`lost write: ${ack.value} acknowledged at ${TOPIC}-${partition} offset ${ack.offset} is not in the final log`);
      else if (found.length > 1) checker.violate(`duplicate: ${ack.value} at offsets ${found.join(',')}`);
      else if (found[0] !== ack.offset) checker.violate(`${ack.value} acknowledged at offset ${ack.offset} but found at ${found[0]}`);
    }
  }
  // The coordinator may still be loading its partition or moving: ask again until it answers.
  let committed: Map<number, number> | undefined;
  let asking = false;
  const deadline = time.now + 10_000;
  await stepper.runUntil(() => {
    if (committed === undefined && !asking) {
      asking = true;
      void workload.fetchCommitted().then((value) => {
        committed = value;
        asking = false;
      });
    }
    return committed !== undefined;
  }, deadline);
  if (committed === undefined) {
    checker.violate('the committed offsets could not be read back after recovery');
    return;
  }
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const attempts = workload.commits.filter((c) => c.partition === partition);
    const lastOk = attempts.map((c, i) => ({ c, i })).filter(({ c }) => c.outcome === 'ok').at(-1);
    if (lastOk === undefined) continue;
    const allowed = new Set(attempts.slice(lastOk.i).map((c) => c.offset));
    const got = committed.get(partition);
    if (got === undefined || !allowed.has(got)) checker.violate(`committed offset of ${TOPIC}-${partition} reads back as ${got}; the last acknowledged commit was ${lastOk.c.offset} (allowed: ${[...allowed].join(',')})`);
  }
}
