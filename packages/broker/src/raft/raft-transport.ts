/**
 * Carries Raft messages between voters over tributary.raft.v1.Raft. Sending never blocks the
 * driver: messages go into a bounded per-peer queue (the oldest are dropped beyond the bound —
 * Raft resends what matters), and one call per peer is in flight at a time, which keeps per-peer
 * order. A failed call drops its batch and backs the peer off, doubling up to a bound; the
 * channel underneath reconnects on its own.
 *
 * InstallSnapshot carries a whole snapshot in one message, so a call may be large: the client's
 * channel allows messages up to `maxMessageBytes` (default 64 MiB), a snapshot travels in a batch
 * of its own, and one bigger than the bound is dropped with a warning (the leader retries it, so
 * raise the bound rather than let that repeat). The receiving RpcServer must allow the same size
 * (gRPC servers default to 4 MiB): pass `raftServerChannelOptions(maxMessageBytes)` to its Server.
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { realScheduler, type Scheduler } from '@tributary/common';
import type { Logger } from 'pino';
import type { Message, NodeId } from '@tributary/raft';
import type { HostPort } from '../config/broker-config.js';
import { grpcNetwork, type RpcClient, type RpcNetwork } from '../rpc/rpc-network.js';
import type { AdditionalRpcService } from '../rpc/rpc-server.js';
import { loadRaftProto, messageFromWire, messageToWire, type Ack, type RaftMessageBatch } from './raft-proto.js';

export interface RaftTransportConfig {
  readonly selfId: NodeId;
  /** Every other voter's --rpc-listen address. */
  readonly peers: ReadonlyMap<NodeId, HostPort>;
  readonly logger: Logger;
  /** Bound on messages waiting for one peer; the oldest are dropped beyond it. */
  readonly maxQueuedPerPeer?: number;
  /** Bound on messages in one Send call. */
  readonly maxBatchMessages?: number;
  readonly callTimeoutMs?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Bound on one gRPC message, i.e. on a snapshot's size on the wire (plus a little framing). */
  readonly maxMessageBytes?: number;
  readonly network?: RpcNetwork;
  readonly scheduler?: Scheduler;
}

export const RAFT_TRANSPORT_DEFAULTS = {
  maxQueuedPerPeer: 1024, maxBatchMessages: 64, callTimeoutMs: 2_000, minBackoffMs: 20, maxBackoffMs: 1_000, maxMessageBytes: 64 * 1024 * 1024,
} as const;

/** Room kept in maxMessageBytes for the envelope around a snapshot's data. */
const ENVELOPE_BYTES = 4096;

/** gRPC channel options that let a Raft server receive messages up to `maxMessageBytes`. */
export function raftServerChannelOptions(maxMessageBytes: number = RAFT_TRANSPORT_DEFAULTS.maxMessageBytes): Record<string, number> {
  return { 'grpc.max_receive_message_length': maxMessageBytes, 'grpc.max_send_message_length': maxMessageBytes };
}

interface PeerChannel {
  readonly client: RpcClient;
  queue: Message[];
  inFlight: boolean;
  backoffMs: number;
  backoffTimer: unknown;
  dropped: number;
}

/** The receiving side: hands every decoded message of each batch to `deliver`. */
export function raftRpcService(deliver: (messages: Message[]) => void): AdditionalRpcService {
  const { service } = loadRaftProto();
  const implementation = {
    send(call: ServerUnaryCall<RaftMessageBatch, Ack>, callback: sendUnaryData<Ack>) {
      const messages: Message[] = [];
      for (const w of call.request.messages) {
        const m = messageFromWire(w);
        if (m !== undefined) messages.push(m);
      }
      if (messages.length > 0) deliver(messages);
      callback(null, {});
    },
  };
  return { service, implementation };
}

export class RaftTransport {
  private readonly channels = new Map<NodeId, PeerChannel>();
  private readonly limits: { readonly [K in keyof typeof RAFT_TRANSPORT_DEFAULTS]: number };
  private closed = false;
  private readonly scheduler: Scheduler;

  constructor(private readonly config: RaftTransportConfig) {
    this.scheduler = config.scheduler ?? realScheduler;
    this.limits = {
      maxQueuedPerPeer: config.maxQueuedPerPeer ?? RAFT_TRANSPORT_DEFAULTS.maxQueuedPerPeer,
      maxBatchMessages: config.maxBatchMessages ?? RAFT_TRANSPORT_DEFAULTS.maxBatchMessages,
      callTimeoutMs: config.callTimeoutMs ?? RAFT_TRANSPORT_DEFAULTS.callTimeoutMs,
      minBackoffMs: config.minBackoffMs ?? RAFT_TRANSPORT_DEFAULTS.minBackoffMs,
      maxBackoffMs: config.maxBackoffMs ?? RAFT_TRANSPORT_DEFAULTS.maxBackoffMs,
      maxMessageBytes: config.maxMessageBytes ?? RAFT_TRANSPORT_DEFAULTS.maxMessageBytes,
    };
    const raftService = loadRaftProto();
    for (const [id, address] of config.peers) {
      if (id === config.selfId) continue;
      // The channel's own reconnect backoff is bounded like ours, so a peer that comes back is reached soon.
      const channelOptions = {
        'grpc.initial_reconnect_backoff_ms': this.limits.minBackoffMs,
        'grpc.max_reconnect_backoff_ms': this.limits.maxBackoffMs,
        ...raftServerChannelOptions(this.limits.maxMessageBytes),
      };
      const client = (config.network ?? grpcNetwork).client(address, raftService, channelOptions);
      this.channels.set(id, { client, queue: [], inFlight: false, backoffMs: 0, backoffTimer: undefined, dropped: 0 });
    }
  }

  /** Queues each message for its addressee and returns at once. Messages to unknown nodes are dropped. */
  send(messages: readonly Message[]): void {
    if (this.closed) return;
    const touched = new Set<PeerChannel>();
    for (const m of messages) {
      const channel = this.channels.get(m.to);
      if (channel === undefined) continue;
      if (m.type === 'installSnapshot' && m.data.byteLength + ENVELOPE_BYTES > this.limits.maxMessageBytes) {
        channel.dropped++;
        this.config.logger.warn({ to: m.to, bytes: m.data.byteLength, maxMessageBytes: this.limits.maxMessageBytes }, 'raft snapshot exceeds maxMessageBytes; dropped');
        continue;
      }
      channel.queue.push(m);
      if (channel.queue.length > this.limits.maxQueuedPerPeer) {
        channel.queue.shift();
        channel.dropped++;
      }
      touched.add(channel);
    }
    for (const channel of touched) this.pump(channel);
  }

  /** Messages dropped for `peer` because its queue was full or its call failed. */
  droppedFor(peer: NodeId): number {
    return this.channels.get(peer)?.dropped ?? 0;
  }

  close(): void {
    this.closed = true;
    for (const channel of this.channels.values()) {
      if (channel.backoffTimer !== undefined) this.scheduler.clearTimeout(channel.backoffTimer);
      channel.queue = [];
      channel.client.close();
    }
  }

  /** How many queued messages the next call takes: a snapshot goes alone, to keep each call within maxMessageBytes. */
  private batchLength(queue: readonly Message[]): number {
    const limit = Math.min(queue.length, this.limits.maxBatchMessages);
    for (let i = 0; i < limit; i++) {
      if (queue[i].type === 'installSnapshot') return Math.max(i, 1);
    }
    return limit;
  }

  private pump(channel: PeerChannel): void {
    if (this.closed || channel.inFlight || channel.backoffTimer !== undefined || channel.queue.length === 0) return;
    const batch = channel.queue.splice(0, this.batchLength(channel.queue));
    channel.inFlight = true;
    void channel.client.call('send', { messages: batch.map(messageToWire) } satisfies RaftMessageBatch, this.limits.callTimeoutMs).then((result) => {
      channel.inFlight = false;
      if (this.closed) return;
      if (result.ok) {
        channel.backoffMs = 0;
      } else {
        // Raft tolerates the loss; resending stale votes or appends would only add noise.
        channel.dropped += batch.length;
        channel.backoffMs = Math.min(this.limits.maxBackoffMs, Math.max(this.limits.minBackoffMs, channel.backoffMs * 2));
        this.config.logger.debug({ to: batch[0]?.to, backoffMs: channel.backoffMs, err: result.message }, 'raft send failed');
        channel.backoffTimer = this.scheduler.setTimeout(() => {
          channel.backoffTimer = undefined;
          this.pump(channel);
        }, channel.backoffMs);
        return;
      }
      this.pump(channel);
    });
  }
}
