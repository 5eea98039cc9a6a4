/**
 * Calls the active controller from any node (itself included, over the same gRPC path). The
 * target is the leader this node's quorum knows of, else the hint of the last NOT_CONTROLLER
 * answer, else each voter in turn. NOT_CONTROLLER and transport failures are retried with a
 * bounded backoff until the caller's deadline; every other answer is returned as is.
 *
 * A retried change may have been applied by the first attempt (a timeout is not a refusal), so a
 * retried CreateTopic can answer TOPIC_ALREADY_EXISTS for the caller's own topic, as in Kafka.
 */
import { realScheduler, sleep, systemClock, type Clock, type Scheduler } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';
import type { Logger } from 'pino';
import type { Voter } from '../config/broker-config.js';
import { grpcNetwork, type RpcClient, type RpcNetwork } from '../rpc/rpc-network.js';
import { loadControllerProto, type ControllerMethod, type ControllerMethods, type Outcome } from './controller-proto.js';

export interface ControllerClientOptions {
  readonly voters: readonly Voter[];
  /** The controller this node believes is active (the metadata quorum's leader). */
  readonly knownLeader: () => number | undefined;
  readonly logger: Logger;
  /** Bound on one call attempt. */
  readonly attemptTimeoutMs?: number;
  readonly network?: RpcNetwork;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
}

export type ControllerCallResult<R> = { readonly ok: true; readonly response: R } | { readonly ok: false; readonly code: number; readonly message: string };

const NOT_CONTROLLER = ErrorCode['NOT_CONTROLLER']!;
const REQUEST_TIMED_OUT = ErrorCode['REQUEST_TIMED_OUT']!;
const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 500;

export class ControllerClient {
  private readonly clients = new Map<number, RpcClient>();
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private hint: number | undefined;
  private nextVoter = 0;
  private closed = false;

  constructor(private readonly options: ControllerClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? realScheduler;
  }

  /**
   * Calls `method` on the active controller, retrying until `timeoutMs` has passed. A response's
   * Outcome other than NOT_CONTROLLER is returned for the caller to read.
   */
  async call<M extends ControllerMethod>(method: M, request: ControllerMethods[M][0], timeoutMs: number): Promise<ControllerCallResult<ControllerMethods[M][1]>> {
    const deadline = this.clock.monotonicMs() + timeoutMs;
    let backoffMs = MIN_BACKOFF_MS;
    let last = 'no controller reachable';
    while (!this.closed) {
      const target = this.target();
      const remaining = deadline - this.clock.monotonicMs();
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
      const pause = Math.min(backoffMs, Math.max(0, deadline - this.clock.monotonicMs()));
      await sleep(this.scheduler, pause);
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

  private async attempt(target: number, method: ControllerMethod, request: unknown, timeoutMs: number): Promise<{ ok: true; response: unknown } | { ok: false; message: string }> {
    return this.clientFor(target).call(method, request, timeoutMs);
  }

  private clientFor(nodeId: number): RpcClient {
    let client = this.clients.get(nodeId);
    if (client === undefined) {
      const voter = this.options.voters.find((v) => v.nodeId === nodeId)!;
      client = (this.options.network ?? grpcNetwork).client({ host: voter.host, port: voter.port }, loadControllerProto(), {
        'grpc.initial_reconnect_backoff_ms': MIN_BACKOFF_MS,
        'grpc.max_reconnect_backoff_ms': MAX_BACKOFF_MS,
      });
      this.clients.set(nodeId, client);
    }
    return client;
  }
}
