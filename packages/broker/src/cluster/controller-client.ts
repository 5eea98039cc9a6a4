/**
 * Calls the active controller from any node (itself included, over the same gRPC path). The
 * target is the leader this node's quorum knows of, else the hint of the last NOT_CONTROLLER
 * answer, else each voter in turn. NOT_CONTROLLER and transport failures are retried with a
 * bounded backoff until the caller's deadline; every other answer is returned as is.
 *
 * A retried change may have been applied by the first attempt (a timeout is not a refusal), so a
 * retried CreateTopic can answer TOPIC_ALREADY_EXISTS for the caller's own topic, as in Kafka.
 */
import { credentials, type Client } from '@grpc/grpc-js';
import { ErrorCode } from '@tributary/protocol';
import type { Logger } from 'pino';
import type { HostPort, Voter } from '../config/broker-config.js';
import { grpcAddress } from '../rpc/rpc-server.js';
import { loadControllerProto, type ControllerMethod, type ControllerMethods, type Outcome } from './controller-proto.js';

export interface ControllerClientOptions {
  readonly voters: readonly Voter[];
  /** The controller this node believes is active (the metadata quorum's leader). */
  readonly knownLeader: () => number | undefined;
  readonly logger: Logger;
  /** Bound on one call attempt. */
  readonly attemptTimeoutMs?: number;
}

export type ControllerCallResult<R> = { readonly ok: true; readonly response: R } | { readonly ok: false; readonly code: number; readonly message: string };

const NOT_CONTROLLER = ErrorCode['NOT_CONTROLLER']!;
const REQUEST_TIMED_OUT = ErrorCode['REQUEST_TIMED_OUT']!;
const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 500;

type UnaryMethod = (request: unknown, options: { deadline: number }, callback: (error: Error | null, response?: unknown) => void) => void;

export class ControllerClient {
  private readonly clients = new Map<number, Client & Record<string, UnaryMethod>>();
  private hint: number | undefined;
  private nextVoter = 0;
  private closed = false;

  constructor(private readonly options: ControllerClientOptions) {}

  /**
   * Calls `method` on the active controller, retrying until `timeoutMs` has passed. A response's
   * Outcome other than NOT_CONTROLLER is returned for the caller to read.
   */
  async call<M extends ControllerMethod>(method: M, request: ControllerMethods[M][0], timeoutMs: number): Promise<ControllerCallResult<ControllerMethods[M][1]>> {
    const deadline = Date.now() + timeoutMs;
    let backoffMs = MIN_BACKOFF_MS;
    let last = 'no controller reachable';
    while (!this.closed) {
      const target = this.target();
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const attempt = await this.attempt(target, method, request, Math.min(remaining, this.options.attemptTimeoutMs ?? 5_000));
      if (attempt.ok) {
        const outcome = (attempt.response as { outcome: Outcome }).outcome;
        if (outcome.errorCode !== NOT_CONTROLLER) {
          this.hint = target;
          return { ok: true, response: attempt.response as ControllerMethods[M][1] };
        }
        last = `node ${target} is not the controller`;
        this.hint = outcome.controllerId >= 0 && outcome.controllerId !== target ? outcome.controllerId : undefined;
      } else {
        last = `node ${target}: ${attempt.message}`;
        this.hint = undefined;
      }
      if (this.hint === undefined) this.nextVoter++;
      const pause = Math.min(backoffMs, Math.max(0, deadline - Date.now()));
      await new Promise((resolve) => setTimeout(resolve, pause));
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }
    return { ok: false, code: REQUEST_TIMED_OUT, message: `the controller did not answer in ${timeoutMs} ms (${last})` };
  }

  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private target(): number {
    const known = this.hint ?? this.options.knownLeader();
    if (known !== undefined && this.options.voters.some((v) => v.nodeId === known)) return known;
    const voters = this.options.voters;
    return voters[this.nextVoter % voters.length]!.nodeId;
  }

  private attempt(target: number, method: ControllerMethod, request: unknown, timeoutMs: number): Promise<{ ok: true; response: unknown } | { ok: false; message: string }> {
    const client = this.clientFor(target);
    return new Promise((resolve) => {
      const unary = client[method] as UnaryMethod;
      unary.call(client, request, { deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error !== null || response === undefined) resolve({ ok: false, message: error?.message ?? 'empty response' });
        else resolve({ ok: true, response });
      });
    });
  }

  private clientFor(nodeId: number): Client & Record<string, UnaryMethod> {
    let client = this.clients.get(nodeId);
    if (client === undefined) {
      const voter = this.options.voters.find((v) => v.nodeId === nodeId)!;
      const address: HostPort = { host: voter.host, port: voter.port };
      const { Client: ControllerServiceClient } = loadControllerProto();
      client = new ControllerServiceClient(grpcAddress(address), credentials.createInsecure(), {
        'grpc.initial_reconnect_backoff_ms': MIN_BACKOFF_MS,
        'grpc.max_reconnect_backoff_ms': MAX_BACKOFF_MS,
      }) as unknown as Client & Record<string, UnaryMethod>;
      this.clients.set(nodeId, client);
    }
    return client;
  }
}
