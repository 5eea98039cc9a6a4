import { seededRandom } from '@tributary/common';
import { SimCluster } from './sim-cluster.js';

/** Knobs of one simulated run; every fault probability is per tick. */
export interface SimScenario {
  readonly nodes: number;
  readonly faultTicks: number;
  /** After healing, a leader must be elected and a proposal commit everywhere within this many ticks. */
  readonly livenessBoundTicks: number;
  readonly electionTimeoutTicks: number;
  readonly heartbeatTicks: number;
  readonly fullCheckEveryTicks: number;
  /** Nodes compact every K applied entries, K drawn per seed from [min, max]; 0 disables. */
  readonly compactEveryMin: number;
  readonly compactEveryMax: number;
  /** Per tick of the fault phase: one node's clock jumps forward, stalls or runs skewed (see ClockFaults). */
  readonly clockFaultRate: number;
  /** Debugging: receives every traced event of the run. */
  readonly traceSink?: (line: string) => void;
}

export const defaultScenario: SimScenario = {
  nodes: 3,
  faultTicks: 250,
  livenessBoundTicks: 400,
  electionTimeoutTicks: 10,
  heartbeatTicks: 2,
  fullCheckEveryTicks: 5,
  compactEveryMin: 3,
  compactEveryMax: 20,
  clockFaultRate: 0.03,
};

export interface SimRunResult {
  readonly seed: number;
  readonly nodes: number;
  readonly ok: boolean;
  readonly error: string | undefined;
  readonly traceHash: number;
  readonly ticks: number;
  readonly committed: number;
  /** How often the run crashed a node inside a Ready's handling (see SimCluster.crashPoints). */
  readonly crashPoints: SimCluster['crashPoints'];
  readonly snapshots: SimCluster['snapshotCounts'];
  readonly clockFaults: SimCluster['clockFaultCounts'];
}

/** Runs one seed: a phase of random faults, then healing and a liveness check. Never throws. */
export function runSeed(seed: number, overrides: Partial<SimScenario> = {}): SimRunResult {
  const scenario = { ...defaultScenario, ...overrides };
  const random = seededRandom(seed);
  const compactEveryEntries = scenario.compactEveryMax <= 0 ? 0
    : scenario.compactEveryMin + random.int(scenario.compactEveryMax - scenario.compactEveryMin + 1);
  const cluster = new SimCluster(random, { ...scenario, compactEveryEntries });
  const result = (ok: boolean, error?: string): SimRunResult => ({
    seed, nodes: scenario.nodes, ok, error, traceHash: cluster.traceHash, ticks: cluster.now, committed: cluster.checker.committedCount(),
    crashPoints: { ...cluster.crashPoints }, snapshots: { ...cluster.snapshotCounts },
    clockFaults: { ...cluster.clockFaultCounts },
  });
  try {
    cluster.faults.dropRate = random.next() * 0.2;
    cluster.faults.duplicateRate = random.next() * 0.1;
    cluster.faults.maxDelayTicks = random.int(5);
    cluster.faults.readyHoldRate = random.next() * 0.1;
    cluster.faults.crashInReadyRate = random.next() * 0.004;
    let proposal = 0;
    const payload = (): Uint8Array => new Uint8Array([++proposal & 0xff, proposal >> 8]);
    for (let t = 0; t < scenario.faultTicks; t++) {
      injectFaults(cluster, random, payload);
      if (random.next() < scenario.clockFaultRate) injectClockFault(cluster, random, scenario.electionTimeoutTicks);
      cluster.tick();
    }
    heal(cluster);
    const error = awaitLiveness(cluster, scenario.livenessBoundTicks, payload);
    cluster.checkAll();
    return result(error === undefined, error);
  } catch (e) {
    return result(false, e instanceof Error ? e.message : String(e));
  }
}

function injectFaults(cluster: SimCluster, random: SimCluster['random'], payload: () => Uint8Array): void {
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length === 0 ? undefined : xs[random.int(xs.length)]);
  const alive = cluster.aliveNodes();
  const roll = random.next();
  if (roll < 0.3) {
    // Mostly at the leader, so that entries flow; sometimes at a follower, which must refuse.
    const target = random.next() < 0.7 ? alive.find((n) => n.role === 'leader') : pick(alive);
    if (target !== undefined) cluster.propose(target.id, payload());
  } else if (roll < 0.32) {
    const target = pick(alive);
    if (target !== undefined) cluster.crash(target.id);
  } else if (roll < 0.37) {
    const target = pick(cluster.crashedIds());
    if (target !== undefined) cluster.restart(target);
  } else if (roll < 0.39) {
    cluster.isolate(pick(cluster.ids)!);
  } else if (roll < 0.42) {
    const from = pick(cluster.ids)!;
    const to = pick(cluster.ids.filter((id) => id !== from))!;
    cluster.block(from, to);
  } else if (roll < 0.45) {
    cluster.healPartitions();
  } else if (roll < 0.46) {
    const leader = alive.find((n) => n.role === 'leader');
    const to = pick(cluster.ids.filter((id) => id !== leader?.id));
    if (leader !== undefined && to !== undefined) cluster.transferLeadership(leader.id, to);
  }
}

/** Most often at the leader, whose clock drives heartbeats and check-quorum. */
function injectClockFault(cluster: SimCluster, random: SimCluster['random'], electionTimeout: number): void {
  const leader = cluster.aliveNodes().find((n) => n.role === 'leader');
  const target = leader !== undefined && random.next() < 0.4 ? leader.id : cluster.ids[random.int(cluster.ids.length)];
  const kind = random.next();
  if (kind < 0.4) {
    cluster.jumpClock(target, electionTimeout + random.int(electionTimeout + 1));
  } else if (kind < 0.75) {
    cluster.stallClock(target, 1 + random.int(3 * electionTimeout));
  } else {
    const factor = 2 + random.int(2);
    const steps = electionTimeout + random.int(4 * electionTimeout);
    if (random.next() < 0.5) cluster.skewClock(target, factor, 1, steps);
    else cluster.skewClock(target, 1, factor, steps);
  }
}

function heal(cluster: SimCluster): void {
  cluster.healClocks();
  cluster.healPartitions();
  for (const id of cluster.crashedIds()) cluster.restart(id);
  cluster.faults.dropRate = 0;
  cluster.faults.duplicateRate = 0;
  cluster.faults.readyHoldRate = 0;
  cluster.faults.crashInReadyRate = 0;
}

/** Returns undefined once a fresh proposal is applied on every node, or why it was not in time. */
function awaitLiveness(cluster: SimCluster, bound: number, payload: () => Uint8Array): string | undefined {
  const marker = payload();
  let proposedAt: { term: number; index: number } | undefined;
  for (let t = 0; t < bound; t++) {
    cluster.tick();
    const leader = cluster.aliveNodes().filter((n) => n.role === 'leader').sort((a, b) => b.term - a.term)[0];
    if (leader !== undefined && proposedAt?.term !== leader.term && cluster.checker.committedCount() >= 0) {
      const index = cluster.propose(leader.id, marker);
      if (index !== undefined) proposedAt = { term: leader.term, index };
    }
    const committed = proposedAt === undefined ? undefined : cluster.checker.committedEntry(proposedAt.index);
    if (committed !== undefined && committed.data !== marker) proposedAt = undefined; // lost: retry
    const everywhere = committed?.data === marker &&
      cluster.aliveNodes().every((n) => n.commitIndex >= proposedAt!.index);
    if (everywhere) return undefined;
  }
  return `liveness: no proposal committed on every node within ${bound} ticks after healing`;
}
