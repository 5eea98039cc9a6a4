/**
 * Runs this node's SwimView over gRPC (proto/membership.proto): every `probeIntervalMs` it probes
 * the next peer (round robin over a shuffled order); if the peer does not answer within
 * `probeTimeoutMs`, it asks up to `indirectProbes` other alive peers to probe it (PingReq), and
 * suspects it only when none reaches it, so one broken link does not condemn a node. Every
 * message carries the whole view. Probes never overlap: a round ends before the next starts.
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { realScheduler, systemClock, type Clock, type Random, type Scheduler } from '@tributary/common';
import type { Logger } from 'pino';
import type { HostPort } from '../config/broker-config.js';
import { loadGrpcService, type GrpcService } from '../rpc/grpc-service.js';
import { grpcNetwork, type RpcClient, type RpcNetwork } from '../rpc/rpc-network.js';
import type { AdditionalRpcService } from '../rpc/rpc-server.js';
import { SwimView, type MemberRecord, type MemberState } from './swim-view.js';

export interface SwimGossipOptions {
  readonly selfId: number;
  /** Every member's RPC address, this node's included. */
  readonly members: ReadonlyMap<number, HostPort>;
  readonly logger: Logger;
  readonly probeIntervalMs?: number;
  readonly probeTimeoutMs?: number;
  readonly indirectProbes?: number;
  readonly suspicionTimeoutMs?: number;
  /** Told of every state change of a peer (logs, metrics). */
  readonly onChange?: (nodeId: number, state: MemberState) => void;
  readonly network?: RpcNetwork;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  /** Probe order; default Math.random. */
  readonly random?: Random;
}

const mathRandom: Random = { next: () => Math.random(), int: (bound) => Math.floor(Math.random() * bound) };

/**
 * A dead member is noticed within about a probe round (the peers times the interval), plus the
 * probe timeout and the suspicion timeout: about half a second in a 3-node cluster.
 */
export const SWIM_DEFAULTS = { probeIntervalMs: 100, probeTimeoutMs: 100, indirectProbes: 2, suspicionTimeoutMs: 300 } as const;

type WireState = 'MEMBER_STATE_ALIVE' | 'MEMBER_STATE_SUSPECT' | 'MEMBER_STATE_DEAD';
interface WireMember { nodeId: number; incarnation: number; state: WireState }
interface Probe { fromNodeId: number; gossip: WireMember[] }
interface IndirectProbe { fromNodeId: number; targetNodeId: number; timeoutMs: number; gossip: WireMember[] }
interface ProbeAck { fromNodeId: number; reached: boolean; gossip: WireMember[] }

const toWire = (m: MemberRecord): WireMember => ({ nodeId: m.nodeId, incarnation: m.incarnation, state: `MEMBER_STATE_${m.state.toUpperCase()}` as WireState });
const fromWire = (m: WireMember): MemberRecord => ({ nodeId: m.nodeId, incarnation: m.incarnation, state: m.state.slice('MEMBER_STATE_'.length).toLowerCase() as MemberState });

function loadMembershipProto(): GrpcService {
  return loadGrpcService('membership.proto', 'tributary.membership.v1.Membership');
}

export class SwimGossip {
  readonly view: SwimView;
  private readonly clients = new Map<number, RpcClient>();
  private readonly timer: unknown;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly random: Random;
  private order: number[] = [];
  private probing = false;
  private closed = false;
  private readonly settings: { readonly [K in keyof typeof SWIM_DEFAULTS]: number };

  constructor(private readonly options: SwimGossipOptions) {
    this.settings = {
      probeIntervalMs: options.probeIntervalMs ?? SWIM_DEFAULTS.probeIntervalMs,
      probeTimeoutMs: options.probeTimeoutMs ?? SWIM_DEFAULTS.probeTimeoutMs,
      indirectProbes: options.indirectProbes ?? SWIM_DEFAULTS.indirectProbes,
      suspicionTimeoutMs: options.suspicionTimeoutMs ?? SWIM_DEFAULTS.suspicionTimeoutMs,
    };
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? realScheduler;
    this.random = options.random ?? mathRandom;
    // The start time orders incarnations across restarts of this node.
    this.view = new SwimView(options.selfId, [...options.members.keys()], this.clock.nowMs(), this.clock.monotonicMs(), this.settings.suspicionTimeoutMs);
    this.timer = this.scheduler.setInterval(() => void this.round(), this.settings.probeIntervalMs);
  }

  /** Whether this node currently believes `nodeId` is alive (unknown nodes count as alive). */
  isAlive(nodeId: number): boolean {
    const state = this.view.stateOf(nodeId);
    return state === undefined || state === 'alive';
  }

  /** The members this node holds dead (suspected and not refuted within the suspicion timeout). */
  deadMembers(): Set<number> {
    return new Set(this.view.peers.filter((id) => this.view.stateOf(id) === 'dead'));
  }

  rpcService(): AdditionalRpcService {
    const implementation = {
      ping: (call: ServerUnaryCall<Probe, ProbeAck>, callback: sendUnaryData<ProbeAck>) => {
        this.absorb(call.request.gossip);
        callback(null, this.ack(true));
      },
      pingReq: (call: ServerUnaryCall<IndirectProbe, ProbeAck>, callback: sendUnaryData<ProbeAck>) => {
        this.absorb(call.request.gossip);
        const timeoutMs = Math.min(call.request.timeoutMs, 1_000);
        void this.probe(call.request.targetNodeId, timeoutMs).then((reached) => callback(null, this.ack(reached)));
      },
    };
    return { service: loadMembershipProto().service, implementation };
  }

  close(): void {
    this.closed = true;
    this.scheduler.clearInterval(this.timer);
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private ack(reached: boolean): ProbeAck {
    return { fromNodeId: this.options.selfId, reached, gossip: this.view.digest().map(toWire) };
  }

  private absorb(gossip: readonly WireMember[]): void {
    for (const changed of this.view.merge(gossip.map(fromWire), this.clock.monotonicMs())) this.report(changed.nodeId, changed.state);
  }

  private report(nodeId: number, state: MemberState): void {
    this.options.logger.info({ member: nodeId, state }, `member ${state}`);
    this.options.onChange?.(nodeId, state);
  }

  private async round(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      for (const died of this.view.tick(this.clock.monotonicMs())) this.report(died, 'dead');
      const target = this.nextTarget();
      if (target === undefined) return;
      if (await this.probe(target, this.settings.probeTimeoutMs)) return;
      if (await this.probeIndirectly(target)) return;
      if (this.view.suspect(target, this.clock.monotonicMs())) this.report(target, 'suspect');
    } finally {
      this.probing = false;
    }
  }

  private nextTarget(): number | undefined {
    if (this.order.length === 0) this.order = shuffle(this.view.peers.filter((id) => this.options.members.has(id)), this.random);
    return this.order.shift();
  }

  /** A direct probe; merges the ack's gossip. */
  private async probe(target: number, timeoutMs: number): Promise<boolean> {
    const client = this.clientFor(target);
    if (client === undefined) return false;
    const result = await client.call('ping', { fromNodeId: this.options.selfId, gossip: this.view.digest().map(toWire) } satisfies Probe, timeoutMs);
    if (!result.ok || this.closed) return false;
    this.absorb((result.response as ProbeAck).gossip);
    return true;
  }

  /** Asks up to `indirectProbes` other alive peers to probe `target`; true if any reached it. */
  private async probeIndirectly(target: number): Promise<boolean> {
    const helpers = shuffle(this.view.peers.filter((id) => id !== target && this.isAlive(id)), this.random).slice(0, this.settings.indirectProbes);
    if (helpers.length === 0) return false;
    const timeoutMs = this.settings.probeTimeoutMs;
    const answers = await Promise.all(
      helpers.map(async (helper) => {
        const client = this.clientFor(helper);
        if (client === undefined) return false;
        const request: IndirectProbe = { fromNodeId: this.options.selfId, targetNodeId: target, timeoutMs, gossip: this.view.digest().map(toWire) };
        const result = await client.call('pingReq', request, 2 * timeoutMs + 50);
        if (!result.ok || this.closed) return false;
        const ack = result.response as ProbeAck;
        this.absorb(ack.gossip);
        return ack.reached;
      }),
    );
    return answers.some(Boolean);
  }

  private clientFor(nodeId: number): RpcClient | undefined {
    const existing = this.clients.get(nodeId);
    if (existing !== undefined) return existing;
    const address = this.options.members.get(nodeId);
    if (address === undefined) return undefined;
    const client = (this.options.network ?? grpcNetwork).client(address, loadMembershipProto(), {
      'grpc.initial_reconnect_backoff_ms': 50,
      'grpc.max_reconnect_backoff_ms': 500,
    });
    this.clients.set(nodeId, client);
    return client;
  }
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
