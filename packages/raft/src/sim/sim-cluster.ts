import { seededRandom, type Random } from '@tributary/common';
import { RaftNode } from '../raft-node.js';
import type { Entry, HardState, NodeId, RaftMessage as Message, Ready, Snapshot } from '../types.js';
import { ClockFaults } from './clock-faults.js';
import { InvariantChecker } from './invariants.js';

/** Network faults in force; the scenario changes them over time. */
export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  /** Each message is delayed by 0..maxDelayTicks ticks; equal delays deliver in random order. */
  maxDelayTicks: number;
  /** Per Ready: the caller holds it (a slow fsync) for 1..3 ticks; the node takes no input meanwhile. */
  readyHoldRate: number;
  /** Per Ready, at each of two points: crash before its persistence completed, or after it but before sending. */
  crashInReadyRate: number;
}

export interface SimClusterOptions {
  readonly nodes: number;
  readonly electionTimeoutTicks: number;
  readonly heartbeatTicks: number;
  /** Run the full-log invariant checks every this many ticks (the cheap ones run every tick). */
  readonly fullCheckEveryTicks: number;
  /** Debugging: receives every traced event, with the tick and the message details (RAFT_SIM_TRACE). */
  readonly traceSink?: (line: string) => void;
  /** Each node compacts once it has applied this many entries past its snapshot (0: never). */
  readonly compactEveryEntries?: number;
}

/**
 * The state machine is the list of applied entries. Entries travel by reference, so a snapshot's
 * data is a small token standing for that list: the registry maps it back to the very entries.
 */
const snapshotContents = new WeakMap<Uint8Array, readonly Entry[]>();

export function snapshotEntries(snapshot: Snapshot | undefined): readonly Entry[] {
  if (snapshot === undefined) return [];
  const entries = snapshotContents.get(snapshot.data);
  if (entries === undefined) throw new Error(`unknown snapshot data at ${snapshot.index}`);
  return entries;
}

/** What the simulated disk holds: only what a Ready asked to persist and the sim acknowledged. */
interface SimDisk {
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | undefined;
}

/** A Ready whose persistence has not completed yet (a slow fsync). */
interface HeldReady {
  readonly node: RaftNode;
  readonly ready: Ready;
  readonly releaseAt: number;
}

interface InFlight {
  readonly at: number;
  readonly order: number;
  readonly message: Message;
}

/**
 * N Raft nodes over a simulated network, all driven by one seeded Random so that a seed replays
 * exactly. Every node input is followed by handling its Ready the way a real caller must.
 */
export class SimCluster {
  readonly ids: readonly NodeId[];
  readonly checker = new InvariantChecker();
  readonly faults: NetworkFaults = { dropRate: 0, duplicateRate: 0, maxDelayTicks: 0, readyHoldRate: 0, crashInReadyRate: 0 };
  /** How often each crash point was hit: a run that never reaches them tests nothing. */
  readonly crashPoints = { beforePersist: 0, afterPersistBeforeSend: 0, whileHeld: 0 };
  /** Snapshots taken by nodes, and leader snapshots installed by followers (applied from a Ready). */
  readonly snapshotCounts = { compactions: 0, installs: 0 };
  /** Clock faults injected (see ClockFaults), and how many of them struck the leader of the moment. */
  readonly clockFaultCounts = { jumps: 0, stalls: 0, skews: 0, onLeader: 0 };
  /** Each live node's state machine: the entries it applied, in order. */
  private readonly machines = new Map<NodeId, Entry[]>();
  now = 0;
  /** A running hash of every event: two runs of one seed must agree on it. */
  traceHash = 0x811c9dc5;
  private readonly nodes = new Map<NodeId, RaftNode | undefined>();
  private readonly disks = new Map<NodeId, SimDisk>();
  private readonly blocked = new Set<string>();
  private inflight: InFlight[] = [];
  private readonly held = new Map<NodeId, HeldReady>();
  private readonly clocks = new ClockFaults();

  constructor(readonly random: Random, private readonly options: SimClusterOptions) {
    this.ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    for (const id of this.ids) {
      this.disks.set(id, { hardState: { term: 0, votedFor: undefined, commitIndex: 0 }, entries: [], snapshot: undefined });
      this.start(id);
    }
  }

  node(id: NodeId): RaftNode | undefined {
    return this.nodes.get(id);
  }

  aliveNodes(): RaftNode[] {
    return this.ids.map((id) => this.nodes.get(id)).filter((n): n is RaftNode => n !== undefined);
  }

  crashedIds(): NodeId[] {
    return this.ids.filter((id) => this.nodes.get(id) === undefined);
  }

  /** Losing the process loses everything not on the simulated disk. */
  crash(id: NodeId): void {
    this.trace(`crash ${id}`);
    // A Ready still held has not reached the disk: its state and messages are lost.
    if (this.held.delete(id)) this.crashPoints.whileHeld++;
    this.nodes.set(id, undefined);
  }

  restart(id: NodeId): void {
    if (this.nodes.get(id) !== undefined) return;
    this.trace(`restart ${id}`);
    this.start(id);
  }

  /** Blocks messages from `from` to `to` (one direction). */
  block(from: NodeId, to: NodeId): void {
    this.trace(`block ${from}>${to}`);
    this.blocked.add(`${from}>${to}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.ids) if (other !== id) { this.block(id, other); this.block(other, id); }
  }

  healPartitions(): void {
    this.trace('heal');
    this.blocked.clear();
  }

  propose(id: NodeId, data: Uint8Array): number | undefined {
    const node = this.nodes.get(id);
    if (node === undefined || this.held.has(id)) return undefined;
    const index = node.propose(data);
    this.trace(`propose ${id} ${index}`);
    this.handleReady(node);
    return index;
  }

  transferLeadership(from: NodeId, to: NodeId): boolean {
    const node = this.nodes.get(from);
    if (node === undefined || this.held.has(from)) return false;
    const ok = node.transferLeadership(to);
    this.handleReady(node);
    return ok;
  }

  /** The node's clock jumps forward: at the next step it gets `ticks` ticks in a burst. */
  jumpClock(id: NodeId, ticks: number): void {
    this.trace(`clock jump ${id} +${ticks}`);
    this.countClockFault(id, 'jumps');
    this.clocks.jump(id, ticks);
  }

  /** The node's clock stalls (steps back, or its timers pause): no ticks for `steps` steps. */
  stallClock(id: NodeId, steps: number): void {
    this.trace(`clock stall ${id} ${steps}`);
    this.countClockFault(id, 'stalls');
    this.clocks.stall(id, this.now, steps);
  }

  /** The node's clock runs at `ticks` ticks per `every` steps, for `steps` steps. */
  skewClock(id: NodeId, ticks: number, every: number, steps: number): void {
    this.trace(`clock skew ${id} ${ticks}/${every} ${steps}`);
    this.countClockFault(id, 'skews');
    this.clocks.skew(id, this.now, ticks, every, steps);
  }

  healClocks(): void {
    if (this.clocks.clear()) this.trace('clock heal');
  }

  /** One step: each live node ticks as often as its clock says, then due messages are delivered; then the invariants. */
  tick(): void {
    this.now++;
    for (const [id, h] of [...this.held]) {
      if (h.releaseAt > this.now) continue;
      this.held.delete(id);
      this.completeReady(h.node, h.ready);
    }
    for (const id of this.ids) this.tickNode(id, this.clocks.ticksAt(id, this.now));
    const due = this.inflight.filter((f) => f.at <= this.now).sort((a, b) => a.at - b.at || a.order - b.order);
    this.inflight = this.inflight.filter((f) => f.at > this.now);
    for (const { message } of due) this.deliver(message);
    const alive = this.aliveNodes();
    this.checker.checkStep(alive);
    if (this.now % this.options.fullCheckEveryTicks === 0) this.checker.checkLogs(alive);
  }

  /**
   * Ticks the node `ticks` times, handling its Ready after each tick as a driver catching up on
   * elapsed time would. The rest of a burst is lost if the node crashes or its Ready is held.
   */
  private tickNode(id: NodeId, ticks: number): void {
    const node = this.nodes.get(id);
    for (let i = 0; i < ticks; i++) {
      if (node === undefined || this.nodes.get(id) !== node || this.held.has(id)) return; // crashed, or busy with its fsync
      const before = `${node.role}/${node.term}`;
      node.tick();
      // Debug trace only: role changes from ticks are not hashed, so they leave traceHash as it was.
      if (`${node.role}/${node.term}` !== before) {
        this.options.traceSink?.(`@${this.now} tick ${id}${ticks > 1 ? ` (${i + 1} of ${ticks})` : ''}`);
        this.traceState(node);
      }
      this.handleReady(node);
    }
  }

  checkAll(): void {
    const alive = this.aliveNodes();
    this.checker.checkStep(alive);
    this.checker.checkLogs(alive);
  }

  private start(id: NodeId): void {
    const disk = this.disks.get(id)!;
    const node = new RaftNode({
      id,
      voters: this.ids,
      electionTimeoutTicks: this.options.electionTimeoutTicks,
      heartbeatTicks: this.options.heartbeatTicks,
      random: seededRandom(this.random.int(0x7fffffff)),
      persisted: { hardState: disk.hardState, entries: [...disk.entries], ...(disk.snapshot ? { snapshot: disk.snapshot } : {}) },
    });
    this.nodes.set(id, node);
    const machine = [...snapshotEntries(disk.snapshot)];
    this.machines.set(id, machine);
    this.checker.onRestart(node, machine);
  }

  private deliver(m: Message): void {
    const node = this.nodes.get(m.to);
    if (node === undefined || this.blocked.has(`${m.from}>${m.to}`)) return;
    if (this.held.has(m.to)) {
      // The node is inside its fsync and takes no input: the message waits in its socket buffer.
      this.inflight.push({ at: this.now + 1, order: this.random.next(), message: m });
      return;
    }
    this.trace(`${m.type} ${m.from}>${m.to} t${m.term}`, m);
    node.step(m);
    this.traceState(node);
    this.handleReady(node);
  }

  /** Takes the node's Ready; sometimes holds it, as a slow fsync would, before completing it. */
  private handleReady(node: RaftNode): void {
    if (!node.hasReady()) return;
    const ready = node.ready();
    if (this.random.next() < this.faults.readyHoldRate) {
      this.trace(`hold ${node.id}`);
      this.held.set(node.id, { node, ready, releaseAt: this.now + 1 + this.random.int(3) });
      return;
    }
    this.completeReady(node, ready);
  }

  /**
   * The caller's contract: persist (fsync), then send, then apply, then advance. A crash may strike
   * before the persistence completed or between it and the sends: what was not persisted is lost.
   */
  private completeReady(node: RaftNode, ready: Ready): void {
    if (this.random.next() < this.faults.crashInReadyRate) {
      this.crashPoints.beforePersist++;
      return this.crash(node.id);
    }
    this.persist(node.id, ready);
    if (this.random.next() < this.faults.crashInReadyRate) {
      this.crashPoints.afterPersistBeforeSend++;
      return this.crash(node.id);
    }
    for (const m of ready.messages) this.send(m);
    for (const m of ready.snapshotMessages ?? []) this.send(m);
    const machine = this.machines.get(node.id)!;
    if (ready.snapshot !== undefined) {
      this.snapshotCounts.installs++;
      this.trace(`install ${node.id} ${ready.snapshot.index}`);
      machine.length = 0;
      machine.push(...snapshotEntries(ready.snapshot));
      this.checker.onApplySnapshot(node, machine);
    }
    this.checker.onApply(node, ready.committedEntries);
    machine.push(...ready.committedEntries);
    node.advance();
    this.maybeCompact(node, machine);
  }

  /** Snapshots the state machine once enough was applied past the last snapshot. */
  private maybeCompact(node: RaftNode, machine: readonly Entry[]): void {
    const every = this.options.compactEveryEntries ?? 0;
    if (every <= 0 || machine.length - node.snapshotIndex < every) return;
    const index = machine.length;
    const data = new Uint8Array([index & 0xff, (index >> 8) & 0xff]);
    snapshotContents.set(data, machine.slice());
    node.compact(index, data);
    this.snapshotCounts.compactions++;
    this.trace(`compact ${node.id} ${index}`);
    const disk = this.disks.get(node.id)!;
    disk.snapshot = { index, term: machine[index - 1].term, data };
    disk.entries = disk.entries.filter((e) => e.index > index);
  }

  private persist(id: NodeId, ready: Ready): void {
    const disk = this.disks.get(id)!;
    if (ready.snapshot !== undefined) {
      const base = ready.snapshot.index;
      disk.snapshot = ready.snapshot;
      disk.entries = disk.entries.filter((e) => e.index > base);
    }
    if (ready.hardState !== undefined) disk.hardState = ready.hardState;
    const voidFrom = Math.min(ready.truncateFrom ?? Infinity, ready.entriesToPersist[0]?.index ?? Infinity);
    disk.entries = disk.entries.filter((e) => e.index < voidFrom);
    disk.entries.push(...ready.entriesToPersist);
  }

  private send(m: Message): void {
    if (this.random.next() < this.faults.dropRate) return;
    const copies = this.random.next() < this.faults.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.inflight.push({ at: this.now + this.random.int(this.faults.maxDelayTicks + 1), order: this.random.next(), message: m });
    }
  }

  private countClockFault(id: NodeId, kind: 'jumps' | 'stalls' | 'skews'): void {
    this.clockFaultCounts[kind]++;
    if (this.nodes.get(id)?.role === 'leader') this.clockFaultCounts.onLeader++;
  }

  private traceState(node: RaftNode): void {
    if (this.options.traceSink === undefined) return;
    const base = node.snapshotIndex;
    const terms = Array.from({ length: node.lastIndex - base }, (_, i) => node.termAt(base + i + 1)).join(',');
    this.options.traceSink(`    ${node.id} ${node.role} t${node.term} commit=${node.commitIndex} snap=${base}/${node.termAt(base)} log=[${terms}]`);
  }

  private trace(event: string, detail?: Message): void {
    this.options.traceSink?.(`@${this.now} ${event}${detail === undefined ? '' : ` ${describe(detail)}`}`);
    let h = this.traceHash;
    for (let i = 0; i < event.length; i++) h = Math.imul(h ^ event.charCodeAt(i), 0x01000193) >>> 0;
    this.traceHash = h;
  }
}

/** One-line summary of a message for the debug trace. */
function describe(m: Message): string {
  switch (m.type) {
    case 'append':
      return `prev=${m.prevLogIndex}/${m.prevLogTerm} entries=[${m.entries.map((e) => `${e.index}/${e.term}`).join(',')}] commit=${m.commitIndex}`;
    case 'appendResp':
      return `reject=${m.reject} index=${m.index} hint=${m.rejectHint}/${m.hintTerm}`;
    case 'preVote':
    case 'vote':
      return `last=${m.lastLogIndex}/${m.lastLogTerm} force=${m.force}`;
    case 'preVoteResp':
    case 'voteResp':
      return `reject=${m.reject}`;
    case 'installSnapshot':
      return `last=${m.lastIncludedIndex}/${m.lastIncludedTerm}`;
    default:
      return '';
  }
}
