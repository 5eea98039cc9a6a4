/**
 * Round trips for every message at every valid version: a random value encodes, decodes to an
 * equal value, and re-encodes to the same bytes. Values come from the schema (see
 * testing/schema-arbitraries.ts), not from the generator.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader, Writer } from './codec/index.js';
import * as generated from './generated/index.js';
import { messageArbitrary, schemaMessages, versionsOf } from './testing/schema-arbitraries.js';

type Encode = (w: Writer, v: unknown, version: number) => void;
type Decode = (r: Reader, version: number) => unknown;
const codecs = generated as unknown as Record<string, Encode | Decode | undefined>;

const runsPerVersion = Number(process.env.ROUNDTRIP_RUNS ?? 50);

describe('generated codecs round-trip every message at every version', () => {
  for (const message of schemaMessages) {
    const encode = codecs[`encode${message.name}`] as Encode | undefined;
    const decode = codecs[`decode${message.name}`] as Decode | undefined;
    test(message.name, () => {
      assert.ok(encode && decode, `no codec generated for ${message.name}`);
      for (const version of versionsOf(message)) {
        fc.assert(
          fc.property(messageArbitrary(message, version), (value) => {
            const w = new Writer(16);
            encode(w, value, version);
            const bytes = Buffer.from(w.finish());
            const r = new Reader(bytes);
            const decoded = decode(r, version);
            assert.equal(r.remaining, 0, `${message.name} v${version}: ${r.remaining} bytes left over`);
            assert.deepStrictEqual(decoded, value);
            const again = new Writer(16);
            encode(again, decoded, version);
            assert.ok(again.finish().equals(bytes), `${message.name} v${version}: re-encoding changed the bytes`);
          }),
          { numRuns: runsPerVersion, seed: 42 + version },
        );
      }
    });
  }
});

test('the API table covers every request/response pair with its key', () => {
  const keys = schemaMessages.filter((m) => m.type === 'request').map((m) => m.apiKey!);
  assert.deepEqual(Object.keys(generated.apis).map(Number).sort((a, b) => a - b), [...keys].sort((a, b) => a - b));
  assert.equal(generated.apis[generated.ApiKey.Produce].name, 'Produce');
  assert.equal(generated.apis[generated.ApiKey.ApiVersions].firstFlexibleVersion, 3);
});
