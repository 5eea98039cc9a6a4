/**
 * Whole Kafka messages on the wire: a frame body is a header followed by a request or response
 * body. The broker decodes requests and encodes responses; clients and tests do the reverse.
 * Decoding never throws for bad bytes: it returns a typed error (with the header when that much
 * was readable, so a broker can still answer with the request's correlation id).
 */
import { type Result, ok, err } from '@tributary/common';
import { KafkaDecodeError, KafkaEncodeError, UnsupportedApiError } from '../codec/errors.js';
import { Reader } from '../codec/reader.js';
import { Writer } from '../codec/writer.js';
import { apis, type ApiKey, type ApiRequests, type ApiResponses } from '../generated/api.js';
import { decodeRequestHeader, encodeRequestHeader, type RequestHeader } from '../generated/request-header.js';
import { decodeResponseHeader, encodeResponseHeader } from '../generated/response-header.js';
import { isApiKey, requestHeaderVersion, responseHeaderVersion } from './headers.js';

/** A decoded request. Narrow on `header.requestApiKey` ... or use `apiKey`, which is typed. */
export type DecodedRequest = {
  [K in ApiKey]: { apiKey: K; header: RequestHeader; body: ApiRequests[K] };
}[ApiKey];

export type RequestDecodeResult =
  | { readonly ok: true; readonly value: DecodedRequest }
  | { readonly ok: false; readonly error: KafkaDecodeError | UnsupportedApiError; readonly header: RequestHeader | null };

const FIXED_HEADER_BYTES = 8;

function isSupportedVersion(apiKey: ApiKey, version: number): boolean {
  const api = apis[apiKey];
  return version >= api.minVersion && version <= api.maxVersion;
}

/** Reads what can be read of a header whose API or version we do not know (header v1 layout). */
function bestEffortHeader(frame: Buffer): RequestHeader | null {
  if (frame.length < FIXED_HEADER_BYTES) return null;
  const r = new Reader(frame);
  const header: RequestHeader = { requestApiKey: r.int16(), requestApiVersion: r.int16(), correlationId: r.int32(), clientId: null };
  try {
    header.clientId = r.nullableString(false);
  } catch (e) {
    if (!(e instanceof KafkaDecodeError)) throw e;
  }
  return header;
}

/** Decodes a request frame body (without its size prefix). */
export function decodeRequest(frame: Buffer): RequestDecodeResult {
  if (frame.length < FIXED_HEADER_BYTES) {
    return { ok: false, error: new KafkaDecodeError(`request of ${frame.length} bytes is shorter than a header`, 0), header: null };
  }
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  if (!isApiKey(apiKey) || !isSupportedVersion(apiKey, version)) {
    return { ok: false, error: new UnsupportedApiError(apiKey, version), header: bestEffortHeader(frame) };
  }
  const r = new Reader(frame);
  let header: RequestHeader | null = null;
  try {
    header = decodeRequestHeader(r, requestHeaderVersion(apiKey, version));
    const body = apis[apiKey].decodeRequest(r, version);
    if (r.remaining !== 0) r.fail(`${r.remaining} bytes after the end of ${apis[apiKey].name} v${version} request`);
    return { ok: true, value: { apiKey, header, body } as DecodedRequest };
  } catch (e) {
    if (e instanceof KafkaDecodeError) return { ok: false, error: e, header: header ?? bestEffortHeader(frame) };
    throw e;
  }
}

/** Encodes a value with a size prefix, turning encoder failures into a typed error. */
function encodeFrame(write: (w: Writer) => void, sizeHint: number): Result<Buffer, KafkaEncodeError> {
  const w = new Writer(sizeHint);
  w.int32(0);
  try {
    write(w);
  } catch (e) {
    if (e instanceof KafkaEncodeError) return err(e);
    // Node's range errors (an int16 field holding 70000, say) are encoding errors too.
    if (e instanceof RangeError || e instanceof TypeError) return err(new KafkaEncodeError(e.message));
    throw e;
  }
  w.patchInt32(0, w.length - 4);
  return ok(w.finish());
}

/** Encodes a request frame, size prefix included (client side). */
export function encodeRequest<K extends ApiKey>(
  apiKey: K,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: ApiRequests[K],
  sizeHint = 256,
): Result<Buffer, KafkaEncodeError> {
  if (!isSupportedVersion(apiKey, version)) return err(new KafkaEncodeError(`${apis[apiKey].name} has no version ${version}`));
  return encodeFrame((w) => {
    const header: RequestHeader = { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId };
    encodeRequestHeader(w, header, requestHeaderVersion(apiKey, version));
    apis[apiKey].encodeRequest(w, body, version);
  }, sizeHint);
}

/** Encodes a response frame, size prefix included (broker side). */
export function encodeResponse<K extends ApiKey>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: ApiResponses[K],
  sizeHint = 256,
): Result<Buffer, KafkaEncodeError> {
  if (!isSupportedVersion(apiKey, version)) return err(new KafkaEncodeError(`${apis[apiKey].name} has no version ${version}`));
  return encodeFrame((w) => {
    encodeResponseHeader(w, { correlationId }, responseHeaderVersion(apiKey, version));
    apis[apiKey].encodeResponse(w, body, version);
  }, sizeHint);
}

/** Decodes a response frame body (without its size prefix) for a request we sent (client side). */
export function decodeResponse<K extends ApiKey>(
  apiKey: K,
  version: number,
  frame: Buffer,
): Result<{ correlationId: number; body: ApiResponses[K] }, KafkaDecodeError> {
  const r = new Reader(frame);
  try {
    const { correlationId } = decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
    const body = apis[apiKey].decodeResponse(r, version) as ApiResponses[K];
    if (r.remaining !== 0) r.fail(`${r.remaining} bytes after the end of ${apis[apiKey].name} v${version} response`);
    return ok({ correlationId, body });
  } catch (e) {
    if (e instanceof KafkaDecodeError) return err(e);
    throw e;
  }
}
