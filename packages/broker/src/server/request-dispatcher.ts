/**
 * From a request frame to a response frame: decode, find the handler, run it, encode. Every
 * failure becomes either an error response (UNSUPPORTED_VERSION, UNKNOWN_SERVER_ERROR) or a
 * reason to close the connection; nothing a client sends, and nothing a handler throws, escapes.
 */
import {
  ApiKey,
  ErrorCode,
  KafkaDecodeError,
  apis,
  decodeRequest,
  encodeResponse,
  type ApiResponses,
  type DecodedRequest,
  type RequestHeader,
} from '@tributary/protocol';
import type { Logger } from 'pino';
import type { BrokerContext } from '../broker-context.js';
import { CloseConnection, NO_RESPONSE, type AnyHandlerSpec, type HandlerSpec, type RequestContext } from '../handlers/handler.js';
import { API_VERSIONS_RANGE, unsupportedApiVersionsResponse } from '../handlers/api-versions.js';

/** Who sent a request: what a handler's RequestContext needs of the connection. */
export interface RequestOrigin {
  readonly connectionId: number;
  readonly clientAddress: string;
  /** The listener the connection was accepted on. */
  readonly listenerName: string;
  readonly signal: AbortSignal;
}

export type DispatchOutcome =
  | { readonly kind: 'respond'; readonly frame: Buffer }
  /** The request gets no response (Produce acks=0). */
  | { readonly kind: 'none' }
  | { readonly kind: 'close'; readonly reason: string };

/** Initial encode buffer; the writer grows as needed. */
const RESPONSE_SIZE_HINT_BYTES = 1024;

const close = (reason: string): DispatchOutcome => ({ kind: 'close', reason });

/** The API's name; every key the protocol does not know is 'unknown' (metric labels stay bounded). */
function apiName(apiKey: number): string {
  return (apis as Record<number, { name: string } | undefined>)[apiKey]?.name ?? 'unknown';
}

/** An error response for an API without a handler: only where the body has a top-level error code. */
function genericErrorResponse<K extends ApiKey>(apiKey: K, errorCode: number): ApiResponses[K] | null {
  const response = apis[apiKey].defaultResponse() as ApiResponses[K] & { errorCode?: number };
  if (!Object.prototype.hasOwnProperty.call(response, 'errorCode')) return null;
  response.errorCode = errorCode;
  return response;
}

export class RequestDispatcher {
  private readonly specs = new Map<number, AnyHandlerSpec>();

  constructor(
    specs: readonly AnyHandlerSpec[],
    private readonly broker: BrokerContext,
    private readonly logger: Logger,
  ) {
    for (const spec of specs) this.specs.set(spec.apiKey, spec);
  }

  async dispatch(frame: Buffer, origin: RequestOrigin): Promise<DispatchOutcome> {
    const started = this.broker.clock.monotonicMs();
    const decoded = decodeRequest(frame);
    if (!decoded.ok) {
      const key = decoded.header?.requestApiKey ?? -1;
      const outcome = decoded.error instanceof KafkaDecodeError ? this.malformed(decoded.error, decoded.header) : this.unsupportedHeader(decoded.header);
      this.broker.metrics.recordRequest(apiName(key), this.broker.clock.monotonicMs() - started, true);
      return outcome;
    }
    const request = decoded.value;
    const spec = this.specs.get(request.apiKey);
    const version = request.header.requestApiVersion;
    let outcome: DispatchOutcome;
    let failed = false;
    if (spec === undefined || version < spec.minVersion || version > spec.maxVersion) {
      outcome = this.unsupported(request, spec);
      failed = true;
    } else {
      const result = await this.run(spec as HandlerSpec<typeof request.apiKey>, request, origin);
      outcome = result.outcome;
      failed = result.failed;
    }
    this.broker.metrics.recordRequest(apis[request.apiKey].name, this.broker.clock.monotonicMs() - started, failed);
    return outcome;
  }

  private malformed(error: KafkaDecodeError, header: RequestHeader | null): DispatchOutcome {
    const what = header === null ? 'request' : `${apiName(header.requestApiKey)} v${header.requestApiVersion} request (correlation id ${header.correlationId})`;
    return close(`malformed ${what}: ${error.message}`);
  }

  /** A request the protocol package cannot decode at all (unknown key, or a version beyond its codecs). */
  private unsupportedHeader(header: RequestHeader | null): DispatchOutcome {
    if (header === null) return close('unreadable request header');
    if (header.requestApiKey === ApiKey.ApiVersions) return this.apiVersionsTooNew(header.correlationId);
    return close(`unsupported API key ${header.requestApiKey} (${apiName(header.requestApiKey)}) v${header.requestApiVersion}: no response can be built for it`);
  }

  /** KIP-511: a v0 body with UNSUPPORTED_VERSION and our ApiVersions range; the connection stays. */
  private apiVersionsTooNew(correlationId: number): DispatchOutcome {
    const spec = this.specs.get(ApiKey.ApiVersions);
    const range = spec === undefined ? API_VERSIONS_RANGE : spec;
    return this.encode(ApiKey.ApiVersions, 0, correlationId, unsupportedApiVersionsResponse(range));
  }

  /** A decodable request at a version (or of an API) we do not serve: UNSUPPORTED_VERSION where possible. */
  private unsupported(request: DecodedRequest, spec: AnyHandlerSpec | undefined): DispatchOutcome {
    const { apiKey, header } = request;
    if (apiKey === ApiKey.ApiVersions) return this.apiVersionsTooNew(header.correlationId);
    const typedSpec = spec as HandlerSpec<typeof apiKey> | undefined;
    const body = typedSpec?.errorResponse?.(request.body as never, ErrorCode.UNSUPPORTED_VERSION) ?? genericErrorResponse(apiKey, ErrorCode.UNSUPPORTED_VERSION);
    const served = spec === undefined ? 'not served' : `served at v${spec.minVersion}-${spec.maxVersion}`;
    if (body === null || body instanceof CloseConnection) return close(`unsupported ${apis[apiKey].name} v${header.requestApiVersion} (${served})`);
    this.logger.debug({ api: apis[apiKey].name, version: header.requestApiVersion }, `unsupported version (${served}): answered UNSUPPORTED_VERSION`);
    return this.encode(apiKey, header.requestApiVersion, header.correlationId, body);
  }

  private async run<K extends ApiKey>(spec: HandlerSpec<K>, request: DecodedRequest, origin: RequestOrigin): Promise<{ outcome: DispatchOutcome; failed: boolean }> {
    const { header } = request;
    const body = request.body as Parameters<HandlerSpec<K>['handle']>[0];
    const ctx: RequestContext = {
      header,
      apiVersion: header.requestApiVersion,
      connectionId: origin.connectionId,
      clientAddress: origin.clientAddress,
      listenerName: origin.listenerName,
      broker: this.broker,
      signal: origin.signal,
    };
    let response: ApiResponses[K] | typeof NO_RESPONSE | CloseConnection;
    try {
      response = await spec.handle(body, ctx);
    } catch (error) {
      this.logger.error({ err: error, api: apis[spec.apiKey].name, version: header.requestApiVersion, connectionId: origin.connectionId }, 'handler failed');
      return { outcome: this.failure(spec, body, header, 'handler failed'), failed: true };
    }
    if (response === NO_RESPONSE) return { outcome: { kind: 'none' }, failed: false };
    if (response instanceof CloseConnection) return { outcome: close(`${apis[spec.apiKey].name}: ${response.reason}`), failed: true };
    const encoded = this.encode(spec.apiKey, header.requestApiVersion, header.correlationId, response);
    if (encoded.kind === 'respond') return { outcome: encoded, failed: false };
    this.logger.error({ api: apis[spec.apiKey].name, version: header.requestApiVersion, reason: encoded.kind === 'close' ? encoded.reason : '' }, 'handler response could not be encoded');
    return { outcome: this.failure(spec, body, header, 'response could not be encoded'), failed: true };
  }

  /** After a handler failed: its error response with UNKNOWN_SERVER_ERROR, or close. */
  private failure<K extends ApiKey>(spec: HandlerSpec<K>, body: Parameters<HandlerSpec<K>['handle']>[0], header: RequestHeader, what: string): DispatchOutcome {
    const name = `${apis[spec.apiKey].name} v${header.requestApiVersion}`;
    if (spec.errorResponse === undefined) return close(`${name} ${what} and has no error response`);
    let errorBody: ApiResponses[K] | CloseConnection;
    try {
      errorBody = spec.errorResponse(body, ErrorCode.UNKNOWN_SERVER_ERROR);
    } catch (error) {
      this.logger.error({ err: error, api: name }, 'error response failed');
      return close(`${name} ${what}, and so did its error response`);
    }
    if (errorBody instanceof CloseConnection) return close(`${name} ${what}: ${errorBody.reason}`);
    return this.encode(spec.apiKey, header.requestApiVersion, header.correlationId, errorBody);
  }

  private encode<K extends ApiKey>(apiKey: K, version: number, correlationId: number, body: ApiResponses[K]): DispatchOutcome {
    let result: ReturnType<typeof encodeResponse>;
    try {
      result = encodeResponse(apiKey, version, correlationId, body, RESPONSE_SIZE_HINT_BYTES);
    } catch (error) {
      // An encoder meeting a value of the wrong shape (a handler bug) may throw something other than a typed error.
      return close(`${apis[apiKey].name} v${version} response could not be encoded: ${(error as Error).message}`);
    }
    return result.ok ? { kind: 'respond', frame: result.value } : close(`${apis[apiKey].name} v${version} response could not be encoded: ${result.error.message}`);
  }
}
