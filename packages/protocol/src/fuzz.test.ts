/**
 * Fuzzing the decoders: random, truncated, mutated and oversized input never throws an untyped
 * error, never hangs (each test has a time limit) and never allocates beyond the frame limit;
 * every failure is a typed decode error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameTooLargeError, KafkaDecodeError, UnsupportedApiError } from './codec/errors.js';
import { FrameSplitter } from './framing/frame-splitter.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './framing/messages.js';
import { apis, type ApiKey } from './generated/api.js';
import { messageArbitrary, schemaMessages, versionsOf, type RawMessage } from './testing/schema-arbitraries.js';

const runs = Number(process.env.FUZZ_RUNS ?? 10000);
const FRAME_LIMIT = 64 * 1024;

const requestSchemas = schemaMessages.filter((m) => m.type === 'request');
const responseSchemas = new Map(schemaMessages.filter((m) => m.type === 'response').map((m) => [m.apiKey!, m]));

/** A valid frame body (no size prefix) of a random API, version and value. */
function validFrame(kind: 'request' | 'response'): fc.Arbitrary<{ apiKey: ApiKey; version: number; frame: Buffer }> {
  return fc.constantFrom(...requestSchemas).chain((request: RawMessage) => {
    const apiKey = request.apiKey as ApiKey;
    const schema = kind === 'request' ? request : responseSchemas.get(apiKey)!;
    return fc.constantFrom(...versionsOf(request)).chain((version) =>
      messageArbitrary(schema, version).map((value) => {
        const encoded =
          kind === 'request'
            ? encodeRequest(apiKey, version, 7, 'fuzz', value as never)
            : encodeResponse(apiKey, version, 7, value as never);
        assert.ok(encoded.ok, encoded.ok ? '' : encoded.error.message);
        return { apiKey, version, frame: Buffer.from(encoded.value.subarray(4)) };
      }),
    );
  });
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('big-length' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(frame: Buffer, m: Mutation): Buffer {
  if (frame.length === 0) return frame;
  const at = m.at % frame.length;
  switch (m.kind) {
    case 'truncate':
      return frame.subarray(0, at);
    case 'flip': {
      const copy = Buffer.from(frame);
      copy[at] = m.value;
      return copy;
    }
    case 'insert':
      return Buffer.concat([frame.subarray(0, at), Buffer.from(m.bytes), frame.subarray(at)]);
    case 'big-length': {
      // A huge length or count where one might be: the decoder must not believe it.
      const copy = Buffer.from(frame);
      copy.fill(0x7f, at, Math.min(at + 4, copy.length));
      return copy;
    }
  }
}

function assertTypedRequestOutcome(frame: Buffer): void {
  const result = decodeRequest(frame);
  if (!result.ok) assert.ok(result.error instanceof KafkaDecodeError || result.error instanceof UnsupportedApiError, String(result.error));
}

describe('decoder fuzzing', { timeout: 120_000 }, () => {
  test('random bytes as a request', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => assertTypedRequestOutcome(Buffer.from(bytes))), { numRuns: runs });
  });

  test('random bytes behind a valid request header', () => {
    const headers = fc.constantFrom(...requestSchemas).chain((m) =>
      fc.constantFrom(...versionsOf(m)).map((v) => {
        const h = Buffer.alloc(10);
        h.writeInt16BE(m.apiKey!, 0);
        h.writeInt16BE(v, 2);
        h.writeInt32BE(1, 4);
        h.writeInt16BE(-1, 8);
        return h;
      }),
    );
    fc.assert(
      fc.property(headers, fc.uint8Array({ maxLength: 256 }), (h, bytes) => assertTypedRequestOutcome(Buffer.concat([h, Buffer.from(bytes)]))),
      { numRuns: runs },
    );
  });

  test('mutated valid requests of every API', () => {
    fc.assert(fc.property(validFrame('request'), mutation, ({ frame }, m) => assertTypedRequestOutcome(mutate(frame, m))), { numRuns: runs });
  });

  test('truncated valid requests fail at every cut with a typed error', () => {
    fc.assert(
      fc.property(validFrame('request'), ({ frame }) => {
        for (let cut = 0; cut < frame.length; cut++) {
          const result = decodeRequest(frame.subarray(0, cut));
          assert.ok(!result.ok, `a request cut to ${cut} of ${frame.length} bytes decoded`);
          assert.ok(result.error instanceof KafkaDecodeError || result.error instanceof UnsupportedApiError);
        }
      }),
      { numRuns: Math.ceil(runs / 10) },
    );
  });

  test('mutated valid responses of every API', () => {
    fc.assert(
      fc.property(validFrame('response'), mutation, ({ apiKey, version, frame }, m) => {
        const result = decodeResponse(apiKey, version, mutate(frame, m));
        if (!result.ok) assert.ok(result.error instanceof KafkaDecodeError, String(result.error));
      }),
      { numRuns: runs },
    );
  });

  test('random streams through the frame splitter stay within the frame limit', () => {
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2048 }), { maxLength: 40 }), (chunks) => {
        const splitter = new FrameSplitter({ frameBytesMax: FRAME_LIMIT });
        for (const chunk of chunks) {
          const result = splitter.push(Buffer.from(chunk));
          if (!result.ok) {
            assert.ok(result.error instanceof FrameTooLargeError || result.error instanceof KafkaDecodeError);
            break;
          }
          for (const frame of result.value) {
            assert.ok(frame.length <= FRAME_LIMIT);
            assertTypedRequestOutcome(frame);
          }
          assert.ok(splitter.bufferedBytes <= FRAME_LIMIT + 4);
        }
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
      }),
      { numRuns: runs },
    );
    assert.ok(peak < 64 * 1024 * 1024, `array buffers grew by ${peak} bytes`);
  });

  test('every API decodes its own default request at every version', () => {
    for (const request of requestSchemas) {
      const apiKey = request.apiKey as ApiKey;
      for (const version of versionsOf(request)) {
        const frame = encodeRequest(apiKey, version, 1, null, apis[apiKey].defaultRequest() as never);
        // Some defaults are not writable at every version (e.g. a null that an old version lacks).
        if (!frame.ok) continue;
        const result = decodeRequest(frame.value.subarray(4));
        assert.ok(result.ok, `${request.name} v${version}: ${result.ok ? '' : result.error.message}`);
      }
    }
  });
});
