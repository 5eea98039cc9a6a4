/**
 * What a Kafka API handler is. One file per API in handlers/, each exporting a `HandlerSpec`
 * (the versions it serves and the function). The listener decodes, dispatches, encodes.
 */
import type { ApiKey, ApiRequests, ApiResponses, RequestHeader } from '@tributary/protocol';
import type { BrokerContext } from '../broker-context.js';

/** Returned by a handler for a request that gets no response (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no-response');

/**
 * Returned by a handler (or an error response) to close the connection instead of answering:
 * how Kafka reports a failed acks=0 produce, whose client expects no response at all.
 */
export class CloseConnection {
  constructor(readonly reason: string) {}
}

export interface RequestContext {
  readonly header: RequestHeader;
  readonly apiVersion: number;
  readonly connectionId: number;
  /** The client's address, for logs. */
  readonly clientAddress: string;
  /** The listener the connection came in on: Metadata and FindCoordinator answer with its addresses. */
  readonly listenerName: string;
  readonly broker: BrokerContext;
  /** Aborted when the connection closes or the broker shuts down: long polls end early. */
  readonly signal: AbortSignal;
}

export type Handler<K extends ApiKey> = (request: ApiRequests[K], ctx: RequestContext) => Promise<ApiResponses[K] | typeof NO_RESPONSE | CloseConnection>;

export interface HandlerSpec<K extends ApiKey> {
  readonly apiKey: K;
  /** The versions advertised in ApiVersions and accepted. */
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly handle: Handler<K>;
  /**
   * The response to send when `handle` fails unexpectedly (throws): the same request answered
   * with `errorCode` everywhere it applies. Without it, the connection is closed instead.
   */
  readonly errorResponse?: (request: ApiRequests[K], errorCode: number) => ApiResponses[K] | CloseConnection;
}

export type AnyHandlerSpec = { [K in ApiKey]: HandlerSpec<K> }[ApiKey];
