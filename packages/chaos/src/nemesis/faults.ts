/**
 * The fault schedule: a pure function of the seed. Faults come one after another over the run,
 * each held a few seconds and then healed, with gaps between them. Kinds:
 *
 *  - kill: SIGKILL a node, restart it when healed;
 *  - kill-leader / kill-controller: the same for the leader of a partition / the active
 *    controller, found when the fault starts (`node` is the fallback);
 *  - pause: SIGSTOP, longer than the consumer group's session (6 s) and far longer than the
 *    broker's (0.8 s), then SIGCONT;
 *  - isolate: the node drops packets from and to its peers (clients still reach it): one node,
 *    a minority, against the majority;
 *  - isolate-with-clients: the node's link goes down (peers and clients lose it);
 *  - one-way: the node drops what comes from one peer (`peer`), and sends on;
 *  - kill-isolate: the node is isolated and `peer` is killed at the same time;
 *  - disk-full: the node's data file system is filled, then the file is deleted.
 */
import { seededRandom } from '@tributary/common';

export const FAULT_KINDS = ['kill', 'kill-leader', 'kill-controller', 'pause', 'isolate', 'isolate-with-clients', 'one-way', 'kill-isolate', 'disk-full'] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ScheduledFault {
  readonly id: number;
  readonly kind: FaultKind;
  /** Milliseconds after the workload started. */
  readonly atMs: number;
  readonly holdMs: number;
  /** The node it hits (1-based), or the fallback when the target is found at run time. */
  readonly node: number;
  /** The other node of one-way and kill-isolate (never `node`). */
  readonly peer: number;
  /** The partition whose leader kill-leader hits. */
  readonly partition: number;
}

export interface ScheduleOptions {
  readonly nodes: number;
  readonly partitions: number;
  readonly warmupMs?: number;
  readonly minGapMs?: number;
  readonly maxGapMs?: number;
  readonly minHoldMs?: number;
  readonly maxHoldMs?: number;
  /** A pause must outlast the consumer group's session timeout (6 s). */
  readonly pauseHoldMs?: number;
  /** Room left at the end, so the last fault is healed before the duration is over. */
  readonly tailMs?: number;
}

export function scheduleFaults(seed: number, durationMs: number, kinds: readonly FaultKind[], options: ScheduleOptions): ScheduledFault[] {
  const { nodes, partitions, warmupMs = 5000, minGapMs = 2000, maxGapMs = 5000, minHoldMs = 3000, maxHoldMs = 6000, pauseHoldMs = 8000, tailMs = 1000 } = options;
  if (kinds.length === 0 || nodes < 2) return [];
  const random = seededRandom(seed);
  const between = (min: number, max: number): number => min + random.int(max - min + 1);
  const faults: ScheduledFault[] = [];
  let t = warmupMs - minGapMs;
  for (;;) {
    const kind = kinds[random.int(kinds.length)];
    const atMs = t + between(minGapMs, maxGapMs);
    const holdMs = kind === 'pause' ? pauseHoldMs : between(minHoldMs, maxHoldMs);
    const node = 1 + random.int(nodes);
    const peer = 1 + ((node - 1 + 1 + random.int(nodes - 1)) % nodes);
    const partition = random.int(partitions);
    if (atMs + holdMs > durationMs - tailMs) break;
    faults.push({ id: faults.length + 1, kind, atMs, holdMs, node, peer, partition });
    t = atMs + holdMs;
  }
  return faults;
}

export function describeFault(fault: ScheduledFault): string {
  switch (fault.kind) {
    case 'kill-leader':
      return `kill the leader of partition ${fault.partition}`;
    case 'kill-controller':
      return 'kill the active controller';
    case 'one-way':
      return `n${fault.node} drops packets from n${fault.peer}`;
    case 'kill-isolate':
      return `isolate n${fault.node} and kill n${fault.peer}`;
    default:
      return `${fault.kind} n${fault.node}`;
  }
}
