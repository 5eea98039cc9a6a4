/**
 * How a node's gRPC clients reach their peers: injected, so the simulation can carry calls over a
 * seeded network (through the services' real protobuf serializers) while a real node uses gRPC.
 * A call always settles exactly once, with the response or a failure, within its timeout.
 */
import { credentials, type Client } from '@grpc/grpc-js';
import type { HostPort } from '../config/broker-config.js';
import type { GrpcService } from './grpc-service.js';
import { grpcAddress } from './rpc-server.js';

export type RpcResult = { readonly ok: true; readonly response: unknown } | { readonly ok: false; readonly message: string };

export interface RpcClient {
  /** Calls the unary `method` (its name as the generated client spells it, e.g. 'fetch'). */
  call(method: string, request: unknown, timeoutMs: number): Promise<RpcResult>;
  close(): void;
}

export interface RpcNetwork {
  /** A client of `service` at `target`; channel options (message size, reconnect backoff) are gRPC's. */
  client(target: HostPort, service: GrpcService, channelOptions?: Readonly<Record<string, number>>): RpcClient;
}

type UnaryMethod = (request: unknown, options: { deadline: number }, callback: (error: Error | null, response?: unknown) => void) => void;

/**
 * After this many failed calls in a row the channel is replaced: a peer restarted at a new address
 * (a pod, a container) can otherwise stay unreachable until the kernel's TCP connect timeout.
 */
const FAILURES_BEFORE_NEW_CHANNEL = 5;

class GrpcRpcClient implements RpcClient {
  private client: Client & Record<string, UnaryMethod>;
  private failuresInARow = 0;
  private closed = false;

  constructor(
    private readonly target: HostPort,
    private readonly service: GrpcService,
    private readonly channelOptions: Readonly<Record<string, number>>,
  ) {
    this.client = this.newClient();
  }

  call(method: string, request: unknown, timeoutMs: number): Promise<RpcResult> {
    if (this.closed) return Promise.resolve({ ok: false, message: 'client closed' });
    const client = this.client;
    return new Promise((resolve) => {
      const unary = client[method];
      if (typeof unary !== 'function') {
        resolve({ ok: false, message: `no method ${method}` });
        return;
      }
      unary.call(client, request, { deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error === null && response !== undefined) {
          this.failuresInARow = 0;
          resolve({ ok: true, response });
          return;
        }
        this.noteFailure(client);
        resolve({ ok: false, message: error?.message ?? 'empty response' });
      });
    });
  }

  close(): void {
    this.closed = true;
    this.client.close();
  }

  private noteFailure(failed: Client): void {
    if (this.closed || failed !== this.client) return;
    if (++this.failuresInARow < FAILURES_BEFORE_NEW_CHANNEL) return;
    this.failuresInARow = 0;
    failed.close();
    this.client = this.newClient();
  }

  private newClient(): Client & Record<string, UnaryMethod> {
    return new this.service.Client(grpcAddress(this.target), credentials.createInsecure(), { ...this.channelOptions }) as unknown as Client & Record<string, UnaryMethod>;
  }
}

/** The real network: one gRPC channel per client. */
export const grpcNetwork: RpcNetwork = {
  client: (target, service, channelOptions = {}) => new GrpcRpcClient(target, service, channelOptions),
};
