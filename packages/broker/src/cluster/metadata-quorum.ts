/**
 * This node's seat in the metadata quorum: the Raft driver over LevelDB and gRPC, and the
 * committed MetadataImage it builds by applying each committed entry (a batch of metadata
 * records) in order. Every node, leader or not, follows the same image; the active controller
 * (active-controller.ts) proposes through `propose` when this node leads.
 *
 * The image lives in memory: on start it is rebuilt from the persisted snapshot and the entries
 * after it. Every `snapshotIntervalEntries` applied entries the image is written as a Raft
 * snapshot (the same record-batch encoding) and the log behind it is dropped.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { realScheduler, type Random, type Result, type Scheduler } from '@tributary/common';
import {
  applyRecords,
  decodeRecordBatch,
  emptyMetadataImage,
  encodeRecordBatch,
  loadSnapshot,
  snapshotRecords,
  type MetadataImage,
  type MetadataRecord,
} from '@tributary/metadata';
import type { Entry, Role, Snapshot } from '@tributary/raft';
import type { HostPort, Voter } from '../config/broker-config.js';
import { RaftDriver, type ProposedEntry } from '../raft/raft-driver.js';
import { RaftStorage, type RaftLogStore, type RaftStorageError } from '../raft/raft-storage.js';
import { RaftTransport, raftRpcService } from '../raft/raft-transport.js';
import type { RpcNetwork } from '../rpc/rpc-network.js';
import type { AdditionalRpcService } from '../rpc/rpc-server.js';

export interface MetadataQuorumOptions {
  readonly nodeId: number;
  readonly voters: readonly Voter[];
  readonly dataDir: string;
  readonly logger: Logger;
  readonly random?: Random;
  /** Applied entries between snapshots (Kafka's metadata.log.max.snapshot.interval, in entries). */
  readonly snapshotIntervalEntries?: number;
  /** How long a proposal may take to commit before its caller is told it timed out. */
  readonly commitTimeoutMs?: number;
  readonly tickIntervalMs?: number;
  /** The node cannot persist Raft state: it must stop serving. */
  readonly onFatal?: (error: RaftStorageError) => void;
  readonly scheduler?: Scheduler;
  readonly network?: RpcNetwork;
  /** Opens the Raft storage directory; default LevelDB (RaftStorage). */
  readonly openStorage?: (directory: string) => Promise<Result<RaftLogStore, RaftStorageError>>;
}

/**
 * Raft timing for the metadata quorum: 50 ms ticks, a leader heartbeat every tick and elections
 * after 6 to 12 silent ticks (300-600 ms), so a dead controller is replaced well within a second
 * on a LAN. Check-quorum keeps a partitioned leader from lingering.
 */
export const METADATA_QUORUM_DEFAULTS = { snapshotIntervalEntries: 1000, commitTimeoutMs: 10_000, tickIntervalMs: 50, electionTimeoutTicks: 6, heartbeatTicks: 1 } as const;

export type ProposeOutcome =
  | { readonly kind: 'committed'; readonly offset: number }
  /** This node does not lead (any more). */
  | { readonly kind: 'not-leader' }
  /** Another entry committed at its index: leadership changed before it committed. */
  | { readonly kind: 'lost' }
  /** Not committed within commitTimeoutMs; it may still commit later. */
  | { readonly kind: 'timeout' };

interface PendingCommit {
  readonly term: number;
  readonly timer: unknown;
  readonly resolve: (outcome: ProposeOutcome) => void;
}

interface OffsetWaiter {
  readonly offset: number;
  readonly timer: unknown;
  readonly resolve: (reached: boolean) => void;
}

/** The Raft node id of a broker (the core names nodes by strings). */
export function raftNodeId(brokerId: number): string {
  return String(brokerId);
}

export class MetadataQuorum {
  private imageValue: MetadataImage = emptyMetadataImage;
  private readonly listeners = new Set<(image: MetadataImage) => void>();
  private readonly pending = new Map<number, PendingCommit>();
  private offsetWaiters: OffsetWaiter[] = [];
  private appliedSinceSnapshot = 0;
  private snapshotting = false;
  private driver: RaftDriver | undefined;
  private closed = false;
  private readonly scheduler: Scheduler;

  private constructor(
    private readonly options: MetadataQuorumOptions,
    private readonly storage: RaftLogStore,
    private readonly transport: RaftTransport,
  ) {
    this.scheduler = options.scheduler ?? realScheduler;
  }

  /** Opens the Raft storage under `<dataDir>/metadata` and joins the quorum. */
  static async start(options: MetadataQuorumOptions): Promise<MetadataQuorum> {
    const storage = await (options.openStorage ?? RaftStorage.open)(join(options.dataDir, 'metadata'));
    if (!storage.ok) throw storage.error;
    const peers = new Map<string, HostPort>(options.voters.map((v) => [raftNodeId(v.nodeId), { host: v.host, port: v.port }]));
    const transport = new RaftTransport({
      selfId: raftNodeId(options.nodeId),
      peers,
      logger: options.logger,
      ...(options.network === undefined ? {} : { network: options.network }),
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    });
    const quorum = new MetadataQuorum(options, storage.value, transport);
    quorum.driver = await RaftDriver.start({
      id: raftNodeId(options.nodeId),
      voters: options.voters.map((v) => raftNodeId(v.nodeId)),
      storage: storage.value,
      sender: transport,
      onCommit: (entry) => quorum.onCommit(entry),
      onSnapshot: (snapshot) => quorum.onSnapshot(snapshot),
      onFatal: (error) => options.onFatal?.(error),
      logger: options.logger,
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      tickIntervalMs: options.tickIntervalMs ?? METADATA_QUORUM_DEFAULTS.tickIntervalMs,
      electionTimeoutTicks: METADATA_QUORUM_DEFAULTS.electionTimeoutTicks,
      heartbeatTicks: METADATA_QUORUM_DEFAULTS.heartbeatTicks,
    });
    return quorum;
  }

  /** The committed image (what every node agrees on). */
  get image(): MetadataImage {
    return this.imageValue;
  }

  get role(): Role {
    return this.raft().node.role;
  }

  get term(): number {
    return this.raft().node.term;
  }

  /** The broker id of the Raft leader this node knows of. */
  get leaderId(): number | undefined {
    const leader = this.raft().node.leaderId;
    return leader === undefined ? undefined : Number(leader);
  }

  /**
   * This node leads, and its image holds every entry of its log: everything earlier leaders
   * wrote is applied, so a controller built on this image decides from the whole history.
   */
  get leaderCaughtUp(): boolean {
    const node = this.raft().node;
    return node.role === 'leader' && this.pending.size === 0 && this.imageValue.offset >= node.lastIndex;
  }

  /** The gRPC service peers send Raft messages to. */
  rpcService(): AdditionalRpcService {
    return raftRpcService((messages) => this.driver?.receive(messages));
  }

  /** Called with each new committed image; returns the unsubscribe function. */
  onImage(listener: (image: MetadataImage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once the image has applied `offset`, false after `timeoutMs` or on close. */
  waitForOffset(offset: number, timeoutMs: number): Promise<boolean> {
    if (this.imageValue.offset >= offset) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: OffsetWaiter = {
        offset,
        resolve,
        timer: this.scheduler.setTimeout(() => {
          this.offsetWaiters = this.offsetWaiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.offsetWaiters.push(waiter);
    });
  }

  /** Appends `records` as one entry and resolves once it commits (or cannot). */
  async propose(records: readonly MetadataRecord[]): Promise<ProposeOutcome> {
    if (this.closed) return { kind: 'not-leader' };
    const proposed: ProposedEntry | undefined = await this.raft().propose(encodeRecordBatch(records));
    if (proposed === undefined) return { kind: 'not-leader' };
    if (this.imageValue.offset >= proposed.index) return { kind: 'lost' }; // committed over already (cannot normally happen)
    const timeoutMs = this.options.commitTimeoutMs ?? METADATA_QUORUM_DEFAULTS.commitTimeoutMs;
    return new Promise((resolve) => {
      const timer = this.scheduler.setTimeout(() => {
        this.pending.delete(proposed.index);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.pending.set(proposed.index, { term: proposed.term, timer, resolve });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.driver?.close();
    this.transport.close();
    for (const [, p] of this.pending) {
      this.scheduler.clearTimeout(p.timer);
      p.resolve({ kind: 'not-leader' });
    }
    this.pending.clear();
    for (const w of this.offsetWaiters) {
      this.scheduler.clearTimeout(w.timer);
      w.resolve(false);
    }
    this.offsetWaiters = [];
    await this.storage.close();
  }

  private raft(): RaftDriver {
    if (this.driver === undefined) throw new Error('metadata quorum not started');
    return this.driver;
  }

  private onCommit(entry: Entry): void {
    const p = this.pending.get(entry.index);
    if (p !== undefined) {
      this.pending.delete(entry.index);
      this.scheduler.clearTimeout(p.timer);
      p.resolve(entry.term === p.term ? { kind: 'committed', offset: entry.index } : { kind: 'lost' });
    }
    // After a restart the driver replays from the snapshot; what the image holds is skipped.
    if (entry.index <= this.imageValue.offset) return;
    this.imageValue = this.applyEntry(entry);
    this.appliedSinceSnapshot++;
    this.publish();
    this.maybeSnapshot();
  }

  private applyEntry(entry: Entry): MetadataImage {
    if (entry.kind === 'noop' || entry.data.length === 0) return { ...this.imageValue, offset: entry.index };
    const records = decodeRecordBatch(entry.data);
    const applied = records.ok ? applyRecords(this.imageValue, records.value, entry.index) : records;
    if (applied.ok) return applied.value;
    // Every node refuses the same entry the same way, so the images stay equal; it is a
    // controller bug or a damaged log, and loud.
    this.options.logger.error({ offset: entry.index, err: applied.error }, 'metadata entry refused; skipped');
    return { ...this.imageValue, offset: entry.index };
  }

  private onSnapshot(snapshot: Snapshot): void {
    const records = decodeRecordBatch(snapshot.data);
    const loaded = records.ok ? loadSnapshot(records.value, snapshot.index) : records;
    if (!loaded.ok) {
      this.options.logger.error({ offset: snapshot.index, err: loaded.error }, 'metadata snapshot unreadable; image kept');
      return;
    }
    this.imageValue = loaded.value;
    this.appliedSinceSnapshot = 0;
    for (const [index, p] of this.pending) {
      if (index > snapshot.index) continue;
      this.pending.delete(index);
      this.scheduler.clearTimeout(p.timer);
      p.resolve({ kind: 'lost' });
    }
    this.options.logger.info({ offset: snapshot.index, bytes: snapshot.data.length }, 'metadata image loaded from snapshot');
    this.publish();
  }

  private publish(): void {
    const image = this.imageValue;
    if (this.offsetWaiters.length > 0) {
      const reached = this.offsetWaiters.filter((w) => w.offset <= image.offset);
      this.offsetWaiters = this.offsetWaiters.filter((w) => w.offset > image.offset);
      for (const w of reached) {
        this.scheduler.clearTimeout(w.timer);
        w.resolve(true);
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(image);
      } catch (error) {
        this.options.logger.error({ err: error }, 'metadata listener failed');
      }
    }
  }

  private maybeSnapshot(): void {
    const interval = this.options.snapshotIntervalEntries ?? METADATA_QUORUM_DEFAULTS.snapshotIntervalEntries;
    if (this.snapshotting || this.appliedSinceSnapshot < interval) return;
    const image = this.imageValue;
    this.snapshotting = true;
    void this.raft()
      .compact(image.offset, encodeRecordBatch(snapshotRecords(image)))
      .then((result) => {
        if (result.ok) {
          this.appliedSinceSnapshot = Math.max(0, this.imageValue.offset - image.offset);
          this.options.logger.info({ offset: image.offset }, 'metadata snapshot written');
        } else if (!this.closed) {
          this.options.logger.warn({ offset: image.offset, err: result.error }, 'metadata snapshot failed; retried later');
        }
      })
      .finally(() => {
        this.snapshotting = false;
      });
  }
}
