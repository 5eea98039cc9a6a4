/**
 * The fault schedule, drawn from the seed: every 0.5-2.5 s of the fault phase one fault strikes
 * and is healed 0.3-4 s later. Kinds: crash with power loss and restart, isolating a node, a
 * one-way cut, a pause beyond the broker session, a wall-clock jump either way, a burst of message
 * loss, the client cut off one node, a full disk under the partition logs (the node stops, as
 * Kafka halts on a failed log directory, and is restarted at the heal). Each strike and heal goes
 * into the timeline.
 */
import type { Random } from '@tributary/common';
import type { SimKafkaClient } from './sim-kafka-client.js';
import type { SimNetwork } from './sim-network.js';
import type { SimNode } from './sim-node.js';
import type { VirtualTime } from './virtual-time.js';

const OWNER = 'nemesis';
export const FAULT_KINDS = ['crash', 'isolate', 'one-way', 'pause', 'clock-jump', 'message-loss', 'client-cut', 'disk-full'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultWorld {
  readonly time: VirtualTime;
  readonly network: SimNetwork;
  readonly client: SimKafkaClient;
  readonly nodes: readonly SimNode[];
  readonly random: Random;
  readonly timeline: string[];
}

export class Nemesis {
  private readonly heals: Array<() => void> = [];
  readonly counts = new Map<FaultKind, number>();

  constructor(private readonly world: FaultWorld) {}

  /** Schedules faults from `fromMs` from now until `untilMs` (virtual time). */
  schedule(fromMs: number, untilMs: number): void {
    const { time, random } = this.world;
    const next = (): void => {
      if (time.now >= untilMs) return;
      this.strike();
      time.schedule(OWNER, 500 + random.int(2_000), next);
    };
    time.schedule(OWNER, fromMs, next);
  }

  /** Undoes every fault still in force and restarts crashed nodes. */
  healAll(): void {
    for (const heal of this.heals.splice(0)) heal();
    const { network, client, nodes } = this.world;
    network.healAll();
    client.cutOff.clear();
    for (const node of nodes) {
      node.fs.clearFaults();
      node.resume();
      if (!node.up) node.start();
    }
    this.note('healed everything');
  }

  private note(event: string): void {
    this.world.timeline.push(`${String(this.world.time.now).padStart(6)} ms  ${event}`);
  }

  private later(heal: () => void, what: string): void {
    const { time, random } = this.world;
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      heal();
      this.note(`heal ${what}`);
    };
    this.heals.push(once);
    time.schedule(OWNER, 300 + random.int(3_700), once);
  }

  private strike(): void {
    const { random, nodes, network, client } = this.world;
    const kind = FAULT_KINDS[random.int(FAULT_KINDS.length)]!;
    const node = nodes[random.int(nodes.length)]!;
    const other = nodes.filter((n) => n !== node)[random.int(nodes.length - 1)]!;
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const what = `${kind} node ${node.nodeId}`;
    switch (kind) {
      case 'crash':
        if (!node.up) return;
        node.crash();
        this.later(() => node.start(), `${what} (restart)`);
        break;
      case 'isolate':
        for (const peer of nodes) if (peer !== node) (network.block(node.nodeId, peer.nodeId), network.block(peer.nodeId, node.nodeId));
        this.later(() => {
          for (const peer of nodes) if (peer !== node) (network.unblock(node.nodeId, peer.nodeId), network.unblock(peer.nodeId, node.nodeId));
        }, what);
        break;
      case 'one-way':
        network.block(node.nodeId, other.nodeId);
        this.later(() => network.unblock(node.nodeId, other.nodeId), `${what} -> ${other.nodeId}`);
        this.note(`${what} -> node ${other.nodeId} blocked`);
        return;
      case 'pause':
        node.pause();
        this.later(() => node.resume(), what);
        break;
      case 'clock-jump': {
        const jumpMs = (random.int(2) === 0 ? -1 : 1) * (1_000 + random.int(60_000));
        node.wallClockOffsetMs += jumpMs;
        this.note(`${what} wall clock ${jumpMs > 0 ? '+' : ''}${jumpMs} ms`);
        return;
      }
      case 'message-loss':
        network.faults.dropRate = 0.05 + random.next() * 0.25;
        this.later(() => {
          network.faults.dropRate = 0;
        }, 'message-loss');
        this.note(`message-loss ${(network.faults.dropRate * 100).toFixed(0)}%`);
        return;
      case 'disk-full':
        if (!node.up) return;
        node.fs.injectFault({ op: 'write', path: /\/replicas\//, code: 'ENOSPC' });
        this.later(() => {
          node.fs.clearFaults();
          if (!node.up) node.start();
        }, what);
        break;
      case 'client-cut':
        client.cutOff.add(node.nodeId);
        this.later(() => client.cutOff.delete(node.nodeId), what);
        break;
    }
    this.note(what);
  }
}
