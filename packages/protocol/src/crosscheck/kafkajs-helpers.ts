/**
 * Test support for cross-checking our codecs against kafkajs 2.2.4, an independent implementation
 * of the Kafka protocol (CommonJS, loaded from its source tree). Requests go kafkajs → us: kafkajs
 * encodes a whole frame (`protocol/request.js`, header v1), we decode it. Responses go us → kafkajs:
 * we encode a whole frame, kafkajs strips it the way `network/connection.js` does and decodes the
 * body with the per-version `decode` (never `parse`, which throws on error codes).
 *
 * kafkajs implements no flexible (KIP-482) version of the APIs checked here, so every frame uses
 * request header v1 and response header v0, without tagged fields.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { apis, decodeRequest, encodeRequest, encodeResponse, type ApiKey, type ApiRequests, type ApiResponses } from '../index.js';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any */
/** kafkajs values are untyped JavaScript. */
export type Js = any;

/** Loads a module from kafkajs's source tree, e.g. `kafkajs('protocol/decoder')`. */
export function kafkajs(path: string): Js {
  return require(`kafkajs/src/${path}`) as Js;
}

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  encode(): Promise<{ buffer: Buffer }>;
}
interface KafkajsResponse {
  decode(rawData: Buffer): Promise<Js>;
}
interface KafkajsApi {
  versions: string[];
  protocol(o: { version: number }): (args: Js) => { request: KafkajsRequest; response: KafkajsResponse };
}

/** `requests/<dir>/index.js`: kafkajs's version table for one API. */
function kafkajsApi(dir: string): KafkajsApi {
  return kafkajs(`protocol/requests/${dir}`) as KafkajsApi;
}

/** The versions kafkajs implements for an API, ascending. */
export function kafkajsVersions(dir: string): number[] {
  return kafkajsApi(dir).versions.map(Number).sort((a, b) => a - b);
}

const Decoder = kafkajs('protocol/decoder');
const createRequest = kafkajs('protocol/request') as (o: { correlationId: number; clientId: string | null; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;

// ---------------------------------------------------------------------------------------------
// Requests: kafkajs encodes, we decode.

export interface Header {
  correlationId: number;
  clientId: string | null;
}

export const defaultHeader: Header = { correlationId: 0x2a2b2c2d, clientId: 'kafkajs-crosscheck' };

/** Encodes a request with kafkajs (through its per-API version table) and frames it with `request.js`. */
export async function kafkajsRequestFrame(dir: string, version: number, args: Js, header: Header = defaultHeader): Promise<Buffer> {
  const { request } = kafkajsApi(dir).protocol({ version })(args);
  assert.equal(request.apiVersion, version, `kafkajs ${dir} v${version} built a v${request.apiVersion} request`);
  const frame = await createRequest({ correlationId: header.correlationId, clientId: header.clientId, request });
  return frame.buffer;
}

/**
 * Encodes a request with kafkajs, decodes the frame (size prefix stripped) with ours, checks the
 * header, and returns our decoded body. Our decoder rejects trailing bytes, so a body that kafkajs
 * wrote longer than we read fails here. Also checks that our request encoder turns the decoded
 * body back into kafkajs's exact frame.
 */
export async function decodeKafkajsRequest<K extends ApiKey>(
  apiKey: K,
  dir: string,
  version: number,
  args: Js,
  header: Header = defaultHeader,
): Promise<ApiRequests[K]> {
  const frame = await kafkajsRequestFrame(dir, version, args, header);
  const what = `${apis[apiKey].name} v${version}`;
  assert.equal(frame.readInt32BE(0), frame.length - 4, `${what}: size prefix`);
  const decoded = decodeRequest(frame.subarray(4));
  if (!decoded.ok) assert.fail(`${what}: our decoder rejected the kafkajs frame: ${decoded.error.message}`);
  assert.equal(decoded.value.apiKey, apiKey, `${what}: api key`);
  assert.deepStrictEqual(
    decoded.value.header,
    { requestApiKey: apiKey, requestApiVersion: version, correlationId: header.correlationId, clientId: header.clientId },
    `${what}: header`,
  );
  // And the other way: our encoder, given what we decoded, writes kafkajs's bytes exactly.
  const again = encodeRequest(apiKey, version, header.correlationId, header.clientId, decoded.value.body as ApiRequests[K]);
  if (!again.ok) assert.fail(`${what}: our encoder failed on the decoded body: ${again.error.message}`);
  assert.ok(again.value.equals(frame), `${what}: our re-encoding differs from kafkajs's frame\n ours:    ${again.value.toString('hex')}\n kafkajs: ${frame.toString('hex')}`);
  return decoded.value.body as ApiRequests[K];
}

// ---------------------------------------------------------------------------------------------
// Responses: we encode, kafkajs decodes.

/**
 * kafkajs's decoders never check that they read a whole body, so we record, for the buffer under
 * test, the furthest offset any kafkajs `Decoder` read reached on it (wrapping the prototype's
 * `read*` and `forward` methods once). A response we encode with extra trailing bytes then fails.
 */
let tracked: { buffer: Buffer; end: number } | null = null;
{
  const proto = Decoder.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const original = proto[name];
    if (typeof original !== 'function' || !/^(read|forward)/.test(name)) continue;
    proto[name] = function (this: { buffer: Buffer; offset: number }, ...args: unknown[]) {
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (tracked !== null && this.buffer === tracked.buffer) tracked.end = Math.max(tracked.end, this.offset);
      return result;
    };
  }
}

/** Runs `decode` on `payload` and returns its value with how far into `payload` kafkajs read. */
export async function decodeTracked(payload: Buffer, decode: (raw: Buffer) => Promise<Js>): Promise<{ value: Js; end: number }> {
  assert.equal(tracked, null, 'decodeTracked is not reentrant');
  tracked = { buffer: payload, end: 0 };
  try {
    const value = await decode(payload);
    return { value, end: tracked.end };
  } finally {
    tracked = null;
  }
}

/**
 * Encodes a response body with ours, then does what kafkajs's Connection does with a frame (read
 * the size, take that many bytes, read the correlation id, keep the rest) and decodes the rest with
 * kafkajs's decoder for this version. Asserts the framing and that kafkajs read every byte.
 * `args` are the request arguments, for the few kafkajs response modules built from them.
 */
export async function kafkajsDecodeResponse<K extends ApiKey>(
  apiKey: K,
  dir: string,
  version: number,
  body: ApiResponses[K],
  args: Js = {},
  correlationId = 0x0badcafe,
): Promise<Js> {
  const what = `${apis[apiKey].name} v${version}`;
  const encoded = encodeResponse(apiKey, version, correlationId, body);
  if (!encoded.ok) assert.fail(`${what}: our encoder failed: ${encoded.error.message}`);
  const frame = encoded.value;
  const outer = new Decoder(frame);
  const size = outer.readInt32();
  assert.equal(size, frame.length - 4, `${what}: size prefix`);
  const inner = new Decoder(outer.readBytes(size));
  assert.equal(inner.readInt32(), correlationId, `${what}: correlation id`);
  const payload: Buffer = inner.readAll();
  const { response } = kafkajsApi(dir).protocol({ version })(args);
  const { value, end } = await decodeTracked(payload, (raw) => response.decode(raw));
  assert.equal(end, payload.length, `${what}: kafkajs read ${end} of the ${payload.length} body bytes`);
  return value;
}

/** kafkajs's throttle fields: v-old responses have `throttleTime`; from the version where the broker
 * stopped throttling before answering (KIP-219), kafkajs reports it as `clientSideThrottleTime`. */
export function throttle(ms: number, clientSideFrom: number, version: number): Js {
  return version >= clientSideFrom ? { throttleTime: 0, clientSideThrottleTime: ms } : { throttleTime: ms };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

export const int8 = fc.integer({ min: -128, max: 127 });
export const int16 = fc.integer({ min: -32768, max: 32767 });
export const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
export const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
/** Any error code but UNSUPPORTED_VERSION (35), on which several kafkajs decoders throw. */
export const errorCode = int16.filter((code) => code !== 35);
/** Unicode text (multi-byte UTF-8 included, so byte and character lengths differ). */
export const text = fc.string({ unit: 'grapheme', maxLength: 10 });
export const nullableText = fc.option(text, { nil: null });
export const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
/** Distinct names: kafkajs sorts some results by name, and requests name topics once each. */
export const names = (maxLength: number, minLength = 0) => fc.uniqueArray(text, { minLength, maxLength });
export const header: fc.Arbitrary<Header> = fc.record({ correlationId: int32, clientId: nullableText }, { noNullPrototype: true });

/** Zips distinct names with a per-name arbitrary: `[name, value]` pairs. */
export function named<T>(arb: fc.Arbitrary<T>, maxLength: number, minLength = 0): fc.Arbitrary<Array<[string, T]>> {
  return names(maxLength, minLength).chain((ns) => fc.tuple(...ns.map((n) => fc.tuple(fc.constant(n), arb))));
}

/** Distinct partition numbers, each with a value. */
export function partitioned<T>(arb: fc.Arbitrary<T>, maxLength: number, minLength = 0): fc.Arbitrary<Array<[number, T]>> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: 0x7fffffff }), { minLength, maxLength })
    .chain((ps) => fc.tuple(...ps.map((p) => fc.tuple(fc.constant(p), arb))));
}

export const RUNS = Number(process.env.CROSSCHECK_RUNS ?? 40);

/** Runs an async property for each version, with a reproducible seed per version. */
export async function forVersions<T>(versions: number[], arb: (version: number) => fc.Arbitrary<T>, check: (value: T, version: number) => Promise<void>): Promise<void> {
  for (const version of versions) {
    await fc.assert(
      fc.asyncProperty(arb(version), (value) => check(value, version)),
      { numRuns: RUNS, seed: 0x5eed + version, includeErrorInReport: true },
    );
  }
}

/** `localeCompare` by a key: the order kafkajs sorts some responses in. */
export function byLocale<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => key(a).localeCompare(key(b));
}

/** `obj` when `cond`, else nothing: for fields a version has. */
export function when<T extends object>(cond: boolean, obj: T): Partial<T> {
  return cond ? obj : {};
}

/**
 * The APIs cross-checked, by kafkajs request directory, with the versions kafkajs 2.2.4
 * implements (all non-flexible). Skipped because kafkajs has no encoder/decoder for them:
 * OffsetFetch v0 (kafkajs starts at v1). Every other listed API is covered at every kafkajs version.
 */
export const KAFKAJS_VERSIONS: Record<string, number[]> = {
  apiVersions: [0, 1, 2],
  metadata: [0, 1, 2, 3, 4, 5, 6],
  produce: [0, 1, 2, 3, 4, 5, 6, 7],
  fetch: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  listOffsets: [0, 1, 2, 3],
  createTopics: [0, 1, 2, 3],
  deleteTopics: [0, 1],
  createPartitions: [0, 1],
  describeConfigs: [0, 1, 2],
  alterConfigs: [0, 1],
  initProducerId: [0, 1],
  deleteRecords: [0, 1],
  findCoordinator: [0, 1, 2],
  joinGroup: [0, 1, 2, 3, 4, 5],
  syncGroup: [0, 1, 2, 3],
  heartbeat: [0, 1, 2, 3],
  leaveGroup: [0, 1, 2, 3],
  offsetCommit: [0, 1, 2, 3, 4, 5],
  offsetFetch: [1, 2, 3, 4],
  listGroups: [0, 1, 2],
  describeGroups: [0, 1, 2],
  deleteGroups: [0, 1],
  saslHandshake: [0, 1],
};

// ---------------------------------------------------------------------------------------------
// Record data: kafkajs builds and reads message sets (magic 0/1) and record batches (magic 2).

const MessageSet = kafkajs('protocol/messageSet');
const MessageSetDecoder = kafkajs('protocol/messageSet/decoder');
const { RecordBatch } = kafkajs('protocol/recordBatch/v0');
const RecordBatchDecoder = kafkajs('protocol/recordBatch/v0/decoder');
const Record = kafkajs('protocol/recordBatch/record/v0');

export interface Message {
  key: Buffer | null;
  value: Buffer;
  /** Milliseconds, > 0 (kafkajs replaces a 0 timestamp with the current time). */
  timestamp: number;
}

export const message: fc.Arbitrary<Message> = fc.record(
  { key: fc.option(bytes, { nil: null }), value: bytes, timestamp: fc.integer({ min: 1, max: 2 ** 42 }) },
  { noNullPrototype: true },
);

/** Size of a legacy message set holding `messages` uncompressed, in message format `magic`. */
export function messageSetSize(messages: Message[], magic: 0 | 1): number {
  // offset, size; crc, magic, attributes, [timestamp], key, value
  return messages.reduce((n, m) => n + 8 + 4 + 4 + 1 + 1 + (magic === 1 ? 8 : 0) + 4 + (m.key?.length ?? 0) + 4 + m.value.length, 0);
}

/** Decodes exactly one record batch filling `records` with kafkajs; returns the batch. */
export async function kafkajsRecordBatch(records: Buffer): Promise<Js> {
  const d = new Decoder(records);
  const batch = await RecordBatchDecoder(d);
  assert.equal(d.offset, records.length, `record batch of ${d.offset} bytes in a ${records.length}-byte records field`);
  return batch;
}

/** Decodes a legacy message set filling `records` with kafkajs; returns its messages. */
export async function kafkajsMessageSet(records: Buffer): Promise<Js[]> {
  return (await MessageSetDecoder(new Decoder(records), records.length)) as Js[];
}

/** A record batch (magic 2) built by kafkajs, as the bytes of a records field. */
export async function kafkajsRecordBatchBytes(firstOffset: bigint, messages: Message[]): Promise<Buffer> {
  const timestamps = messages.map((m) => m.timestamp);
  const firstTimestamp = Math.min(...timestamps);
  const batch = await RecordBatch({
    firstOffset: String(firstOffset),
    firstTimestamp,
    maxTimestamp: Math.max(...timestamps),
    lastOffsetDelta: messages.length - 1,
    records: messages.map((m, i) => Record({ key: m.key, value: m.value, offsetDelta: i, timestampDelta: m.timestamp - firstTimestamp })),
  });
  return batch.buffer as Buffer;
}

/** A legacy message set built by kafkajs, as the bytes of a records field. */
export function kafkajsMessageSetBytes(messages: Message[], magic: 0 | 1): Buffer {
  return MessageSet({ messageVersion: magic, compression: 0, entries: messages }).buffer as Buffer;
}
