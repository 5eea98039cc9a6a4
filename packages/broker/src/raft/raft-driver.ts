/**
 * Runs one RaftNode against real time, disk and network: a tick timer, received messages fed to
 * step(), proposals, and the Ready loop. The core is synchronous and forbids new input while a
 * Ready is outstanding, so every input is queued (bounded) and applied between Ready rounds.
 */
import type { Logger } from 'pino';
import { err, realScheduler, type Random, type Result, type Scheduler } from '@tributary/common';
import { RaftNode, type Entry, type Message, type NodeId, type Snapshot } from '@tributary/raft';
import type { RaftLogStore, RaftStorageError } from './raft-storage.js';

/** The sending side the driver needs; RaftTransport provides it. */
export interface RaftSender {
  send(messages: readonly Message[]): void;
}

export interface RaftDriverConfig {
  readonly id: NodeId;
  readonly voters: readonly NodeId[];
  readonly storage: RaftLogStore;
  readonly sender: RaftSender;
  /**
   * Each committed entry, in index order. After a restart the core replays from index 1, or from
   * just after the persisted snapshot (the applied index is not persisted), so the state machine
   * must tolerate or skip replays.
   */
  readonly onCommit: (entry: Entry) => void;
  /**
   * Replace the state machine with `snapshot`'s: called at start with the persisted snapshot, and
   * when a leader's InstallSnapshot arrives — always before the onCommit calls of entries after it.
   * Required for a state machine that calls compact(), or whose peers do.
   */
  readonly onSnapshot?: (snapshot: Snapshot) => void;
  /** A persistence failure stops the driver: a node that cannot fsync must not vote or acknowledge. */
  readonly onFatal?: (error: RaftStorageError) => void;
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
  readonly random?: Random;
  readonly tickIntervalMs?: number;
  readonly electionTimeoutTicks?: number;
  readonly heartbeatTicks?: number;
  /** Bound on received messages waiting for the node; the oldest are dropped beyond it. */
  readonly maxPendingMessages?: number;
  /** Bound on proposals waiting for the node; beyond it propose() answers undefined. */
  readonly maxPendingProposals?: number;
  /** Bound on ticks accumulated while a Ready is persisted; more are coalesced away. */
  readonly maxPendingTicks?: number;
  /** Bound on compactions waiting for the node; beyond it compact() fails at once. */
  readonly maxPendingCompactions?: number;
}

export const RAFT_DRIVER_DEFAULTS = {
  tickIntervalMs: 50, electionTimeoutTicks: 10, heartbeatTicks: 2, maxPendingMessages: 4096, maxPendingProposals: 1024, maxPendingTicks: 4, maxPendingCompactions: 16,
} as const;

const mathRandom: Random = { next: () => Math.random(), int: (bound) => Math.floor(Math.random() * bound) };

interface PendingCompaction {
  readonly index: number;
  readonly data: Uint8Array;
  readonly resolve: (result: Result<void, RaftStorageError | Error>) => void;
}

/** Where a proposal went: its index in the leader's log and the term it was proposed in. */
export interface ProposedEntry {
  readonly index: number;
  readonly term: number;
}

interface PendingProposal {
  readonly data: Uint8Array;
  readonly resolve: (proposed: ProposedEntry | undefined) => void;
}

export class RaftDriver {
  readonly node: RaftNode;
  private readonly timer: unknown;
  private readonly scheduler: Scheduler;
  private pendingTicks = 0;
  private pendingMessages: Message[] = [];
  private pendingProposals: PendingProposal[] = [];
  private pendingCompactions: PendingCompaction[] = [];
  private loop: Promise<void> | undefined;
  private closed = false;

  private constructor(private readonly config: RaftDriverConfig, node: RaftNode) {
    this.node = node;
    this.scheduler = config.scheduler ?? realScheduler;
    this.timer = this.scheduler.setInterval(() => this.onTick(), config.tickIntervalMs ?? RAFT_DRIVER_DEFAULTS.tickIntervalMs);
  }

  /** Loads the persisted state and starts ticking. */
  static async start(config: RaftDriverConfig): Promise<RaftDriver> {
    const persisted = await config.storage.load();
    if (!persisted.ok) throw persisted.error;
    const node = new RaftNode({
      id: config.id,
      voters: config.voters,
      electionTimeoutTicks: config.electionTimeoutTicks ?? RAFT_DRIVER_DEFAULTS.electionTimeoutTicks,
      heartbeatTicks: config.heartbeatTicks ?? RAFT_DRIVER_DEFAULTS.heartbeatTicks,
      random: config.random ?? mathRandom,
      persisted: persisted.value,
    });
    if (persisted.value.snapshot !== undefined) config.onSnapshot?.(persisted.value.snapshot);
    const driver = new RaftDriver(config, node);
    driver.schedule();
    return driver;
  }

  /** Where the transport delivers received messages. */
  receive(messages: readonly Message[]): void {
    if (this.closed) return;
    this.pendingMessages.push(...messages);
    const bound = this.config.maxPendingMessages ?? RAFT_DRIVER_DEFAULTS.maxPendingMessages;
    if (this.pendingMessages.length > bound) this.pendingMessages.splice(0, this.pendingMessages.length - bound);
    this.schedule();
  }

  /**
   * Resolves with the entry's index and term once it is in the leader's log (not yet committed),
   * or undefined when this node does not lead. It commits only if the entry committed at that
   * index has that term.
   */
  propose(data: Uint8Array): Promise<ProposedEntry | undefined> {
    const bound = this.config.maxPendingProposals ?? RAFT_DRIVER_DEFAULTS.maxPendingProposals;
    if (this.closed || this.pendingProposals.length >= bound) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.pendingProposals.push({ data, resolve });
      this.schedule();
    });
  }

  /**
   * The state machine has applied everything through `index` and `data` is its snapshot: the core
   * and the storage drop the entries through `index`. Queued like any input, so it may be called
   * from onCommit; resolves once the snapshot is on disk. Fails when `index` is beyond what this
   * node has applied, or the driver is closed.
   */
  compact(index: number, data: Uint8Array): Promise<Result<void, RaftStorageError | Error>> {
    const bound = this.config.maxPendingCompactions ?? RAFT_DRIVER_DEFAULTS.maxPendingCompactions;
    if (this.closed) return Promise.resolve(err(new Error('raft driver closed')));
    if (this.pendingCompactions.length >= bound) return Promise.resolve(err(new Error('too many pending compactions')));
    return new Promise((resolve) => {
      this.pendingCompactions.push({ index, data, resolve });
      this.schedule();
    });
  }

  /** Stops ticking and taking input, and waits for the Ready round in progress. Does not close storage or transport. */
  async close(): Promise<void> {
    this.closed = true;
    this.scheduler.clearInterval(this.timer);
    for (const p of this.pendingProposals) p.resolve(undefined);
    this.pendingProposals = [];
    this.pendingMessages = [];
    await this.loop;
    for (const c of this.pendingCompactions) c.resolve(err(new Error('raft driver closed')));
    this.pendingCompactions = [];
  }

  private onTick(): void {
    this.pendingTicks = Math.min(this.pendingTicks + 1, this.config.maxPendingTicks ?? RAFT_DRIVER_DEFAULTS.maxPendingTicks);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.loop !== undefined) return;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
    });
  }

  /** Feeds queued input to the node; only legal with no Ready outstanding. */
  private drainInputs(): void {
    for (; this.pendingTicks > 0; this.pendingTicks--) this.node.tick();
    const messages = this.pendingMessages;
    this.pendingMessages = [];
    for (const m of messages) this.node.step(m);
    const proposals = this.pendingProposals;
    this.pendingProposals = [];
    for (const p of proposals) {
      const index = this.node.propose(p.data);
      p.resolve(index === undefined ? undefined : { index, term: this.node.term });
    }
  }

  /** Compacts core and storage; only legal with no Ready outstanding. Storage is written after the core, so a crash between leaves a longer log, which is safe. */
  private async runCompactions(): Promise<void> {
    const compactions = this.pendingCompactions;
    this.pendingCompactions = [];
    for (const c of compactions) {
      if (c.index > this.node.appliedIndex) {
        c.resolve(err(new Error(`cannot compact through ${c.index}: applied only through ${this.node.appliedIndex}`)));
        continue;
      }
      this.node.compact(c.index, c.data);
      c.resolve(await this.config.storage.compact(c.index, c.data));
    }
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      this.drainInputs();
      if (this.pendingCompactions.length > 0) {
        await this.runCompactions();
        continue; // input may have arrived meanwhile; drain it before the next Ready
      }
      if (!this.node.hasReady()) return;
      const ready = this.node.ready();
      // Order matters (see Ready): 1. persist and fsync, so a vote or an acknowledgement sent
      // below can never outrun the disk — a crash must not forget what peers were told;
      // 2. only then send; 3. apply committed entries (they are durable on a quorum already, so
      // applying them needs no wait on this round's own fsync, but stays after it for simplicity);
      // 4. advance, which lets the next round's input in.
      const written = await this.config.storage.write(ready);
      if (!written.ok) {
        this.closed = true;
        this.scheduler.clearInterval(this.timer);
        this.config.logger.error({ err: written.error }, 'raft persistence failed; driver stopped');
        this.config.onFatal?.(written.error);
        return;
      }
      this.config.sender.send(ready.messages);
      if (ready.snapshotMessages !== undefined) this.config.sender.send(ready.snapshotMessages);
      if (ready.snapshot !== undefined) this.config.onSnapshot?.(ready.snapshot);
      for (const entry of ready.committedEntries) this.config.onCommit(entry);
      this.node.advance();
    }
  }
}
