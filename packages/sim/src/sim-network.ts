/**
 * The simulated network between node incarnations. Every gRPC call goes through its service's
 * real protobuf serializers (what does not encode fails here as it would on the wire), takes a
 * seeded delay each way, and may be dropped or blocked per direction. A call settles once: with
 * the response, or as failed at its timeout. Calls to or from a dead incarnation go nowhere.
 */
import type { Random } from '@tributary/common';
import type { AdditionalRpcService, GrpcService, RpcClient, RpcNetwork, RpcResult } from '@tributary/broker';
import type { VirtualTime } from './virtual-time.js';

interface MethodDefinition {
  readonly originalName?: string;
  readonly requestSerialize: (value: unknown) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
  readonly responseSerialize: (value: unknown) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => unknown;
}

type Handler = (call: { request: unknown }, callback: (error: Error | null, response?: unknown) => void) => void;

interface Endpoint {
  readonly nodeId: number;
  readonly incarnation: string;
  readonly services: readonly AdditionalRpcService[];
}

export interface NetworkFaults {
  /** Chance that one message (either direction) is lost. */
  dropRate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export class SimNetwork {
  readonly faults: NetworkFaults = { dropRate: 0, minDelayMs: 1, maxDelayMs: 8 };
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly alive = new Set<string>();
  /** "from>to" pairs whose messages are lost. */
  private readonly blocked = new Set<string>();
  calls = 0;
  lost = 0;

  constructor(
    private readonly time: VirtualTime,
    private readonly random: Random,
    /** The node id behind each RPC address "host:port". */
    private readonly addresses: ReadonlyMap<string, number>,
  ) {}

  /** The incarnation now serves `services` at its node's address. */
  attach(nodeId: number, incarnation: string, services: readonly AdditionalRpcService[]): void {
    for (const [address, id] of this.addresses) if (id === nodeId) this.endpoints.set(address, { nodeId, incarnation, services });
    this.alive.add(incarnation);
  }

  /** A crash: nothing reaches the incarnation, nothing it sent arrives any more. */
  detach(incarnation: string): void {
    this.alive.delete(incarnation);
    for (const [address, endpoint] of this.endpoints) if (endpoint.incarnation === incarnation) this.endpoints.delete(address);
  }

  block(from: number, to: number): void {
    this.blocked.add(`${from}>${to}`);
  }

  unblock(from: number, to: number): void {
    this.blocked.delete(`${from}>${to}`);
  }

  healAll(): void {
    this.blocked.clear();
    this.faults.dropRate = 0;
  }

  isBlocked(from: number, to: number): boolean {
    return this.blocked.has(`${from}>${to}`);
  }

  /** Whether a message from → to gets through now (and, if so, after how long). */
  passage(from: number, to: number): number | undefined {
    if (from !== to && this.blocked.has(`${from}>${to}`)) return undefined;
    if (from !== to && this.faults.dropRate > 0 && this.random.next() < this.faults.dropRate) return undefined;
    const { minDelayMs, maxDelayMs } = this.faults;
    return minDelayMs + this.random.int(Math.max(1, maxDelayMs - minDelayMs + 1));
  }

  /** The RpcNetwork one incarnation's clients use. */
  networkFor(nodeId: number, incarnation: string): RpcNetwork {
    return {
      client: (target, service) => this.client(nodeId, incarnation, `${target.host}:${target.port}`, service),
    };
  }

  private client(fromNode: number, incarnation: string, address: string, service: GrpcService): RpcClient {
    let closed = false;
    return {
      call: (method, request, timeoutMs) => {
        if (closed || !this.alive.has(incarnation)) return new Promise<RpcResult>(() => undefined);
        return new Promise<RpcResult>((resolve) => {
          let settled = false;
          const settle = (result: RpcResult): void => {
            if (settled || !this.alive.has(incarnation)) return;
            settled = true;
            resolve(result);
          };
          this.calls++;
          this.time.schedule(incarnation, timeoutMs, () => settle({ ok: false, message: `deadline exceeded (${timeoutMs} ms)` }));
          this.send(fromNode, address, service, method, request, settle);
        });
      },
      close: () => {
        closed = true;
      },
    };
  }

  private send(fromNode: number, address: string, service: GrpcService, method: string, request: unknown, settle: (result: RpcResult) => void): void {
    const definition = methodOf(service, method);
    if (definition === undefined) {
      settle({ ok: false, message: `no method ${method}` });
      return;
    }
    const requestBytes = definition.requestSerialize(request);
    const target = this.addresses.get(address);
    const there = target === undefined ? undefined : this.passage(fromNode, target);
    if (target === undefined || there === undefined) {
      this.lost++;
      return;
    }
    this.time.schedule('network', there, () => {
      const endpoint = this.endpoints.get(address);
      if (endpoint === undefined) return; // nobody listening: the caller times out
      const handler = handlerOf(endpoint.services, service, method);
      if (handler === undefined) return;
      const serving = endpoint.incarnation;
      const respond = (error: Error | null, response?: unknown): void => {
        if (!this.alive.has(serving)) return;
        const back = this.passage(target, fromNode);
        if (back === undefined) {
          this.lost++;
          return;
        }
        const result: RpcResult =
          error !== null || response === undefined
            ? { ok: false, message: error?.message ?? 'empty response' }
            : { ok: true, response: definition.responseDeserialize(definition.responseSerialize(response)) };
        this.time.schedule('network', back, () => settle(result));
      };
      try {
        handler({ request: definition.requestDeserialize(requestBytes) }, respond);
      } catch (error) {
        respond(error as Error);
      }
    });
  }
}

function methodOf(service: GrpcService, method: string): MethodDefinition | undefined {
  const definitions = service.service as unknown as Record<string, MethodDefinition>;
  return definitions[method] ?? Object.values(definitions).find((d) => d.originalName === method);
}

function handlerOf(services: readonly AdditionalRpcService[], service: GrpcService, method: string): Handler | undefined {
  const served = services.find((s) => s.service === service.service);
  if (served === undefined) return undefined;
  const definitions = service.service as unknown as Record<string, MethodDefinition>;
  const implementation = served.implementation as unknown as Record<string, Handler | undefined>;
  if (implementation[method] !== undefined) return implementation[method];
  for (const [name, definition] of Object.entries(definitions)) {
    if (name === method || definition.originalName === method) return implementation[name] ?? (definition.originalName === undefined ? undefined : implementation[definition.originalName]);
  }
  return undefined;
}
