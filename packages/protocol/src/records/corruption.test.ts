/**
 * Hostile input: every corruption of a batch must come back as a typed error value, never as a
 * thrown exception, a RangeError or an out-of-memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { BATCH_HEADER_BYTES, BATCH_OFFSETS } from './batch-header.js';
import { CompressionCodec, compress, compressionCodecName } from './compression.js';
import { crc32c } from './crc32c.js';
import { CompressionError, RecordDecodeError } from './errors.js';
import type { Record } from './record.js';
import { decodeRecordBatch, encodeRecordBatch } from './record-batch.js';
import { allCodecs } from './testing/arbitraries.js';

const MiB = 1 << 20;

const records: Record[] = Array.from({ length: 6 }, (_, i) => ({
  attributes: 0,
  timestampDelta: i * 3,
  offsetDelta: i,
  key: i === 2 ? null : Buffer.from(`key-${i}`),
  value: i === 4 ? null : Buffer.from(`value ${i} `.repeat(4)),
  headers: [{ key: `h${i}`, value: i === 1 ? null : Buffer.from([i, i]) }],
}));

const samples = Promise.all(
  allCodecs.map(async (codec) => ({ codec, buf: await encodeRecordBatch({ baseOffset: 9n, baseTimestamp: 1000n, records }, { compression: codec }) })),
);

async function expectTypedError(buf: Buffer, what: string, options = {}): Promise<RecordDecodeError> {
  const result = await decodeRecordBatch(buf, options); // must resolve: a rejection fails the test
  assert.ok(!result.ok, `${what}: decoded without error`);
  assert.ok(result.error instanceof RecordDecodeError, `${what}: ${String(result.error)}`);
  return result.error;
}

/** Recomputes the CRC so the mutation reaches the parsers behind it. */
function fixCrc(buf: Buffer): Buffer {
  if (buf.length >= BATCH_HEADER_BYTES) buf.writeUInt32BE(crc32c(buf.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
  return buf;
}

test('flipping any byte gives a typed error, except in the fields outside the CRC', async () => {
  for (const { codec, buf } of await samples) {
    for (let i = 0; i < buf.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = Buffer.from(buf);
        bad[i] ^= mask;
        const what = `${compressionCodecName(codec)} byte ${i} ^ ${mask}`;
        const outsideCrc = i < BATCH_OFFSETS.batchLength || (i >= BATCH_OFFSETS.partitionLeaderEpoch && i < BATCH_OFFSETS.magic);
        if (outsideCrc) {
          // baseOffset and partitionLeaderEpoch are outside the CRC by Kafka's design (the leader
          // rewrites them in place), so a flip there decodes, with the changed value.
          const result = await decodeRecordBatch(bad);
          assert.ok(result.ok, what);
          assert.ok(result.value.baseOffset !== 9n || result.value.partitionLeaderEpoch !== -1, what);
        } else {
          await expectTypedError(bad, what);
        }
      }
    }
  }
});

test('truncation at every length gives a typed error', async () => {
  for (const { codec, buf } of await samples) {
    for (let n = 0; n < buf.length; n++) {
      await expectTypedError(buf.subarray(0, n), `${compressionCodecName(codec)} cut at ${n}`);
      // Also with batchLength shrunk to match and the CRC fixed, so the records parser sees the cut.
      if (n >= BATCH_HEADER_BYTES) {
        const cut = Buffer.from(buf.subarray(0, n));
        cut.writeInt32BE(n - 12, BATCH_OFFSETS.batchLength);
        await expectTypedError(fixCrc(cut), `${compressionCodecName(codec)} consistent cut at ${n}`);
      }
    }
  }
});

test('mutations behind a valid CRC give either a batch or a typed error', async () => {
  const all = await samples;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...all),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 8 })), { nil: null }),
      async ({ buf }, flips, splice) => {
        let bad = Buffer.from(buf);
        const body = bad.length - BATCH_OFFSETS.attributes;
        for (const [at, mask] of flips) bad[BATCH_OFFSETS.attributes + (at % body)] ^= mask;
        if (splice) {
          const at = BATCH_OFFSETS.attributes + (splice[0] % body);
          bad = Buffer.concat([bad.subarray(0, at), Buffer.from(splice[1]), bad.subarray(at + 1)]);
          bad.writeInt32BE(bad.length - 12, BATCH_OFFSETS.batchLength);
        }
        const result = await decodeRecordBatch(fixCrc(bad), { maxDecompressedBytes: MiB });
        if (!result.ok) assert.ok(result.error instanceof RecordDecodeError, String(result.error));
      },
    ),
    { numRuns: 3000 },
  );
});

test('hostile lengths inside a record are refused before slicing', async () => {
  const one = await encodeRecordBatch({ baseTimestamp: 0n, records: [records[0]] });
  const at = BATCH_HEADER_BYTES + 4; // length, attributes, timestamp, offset: 1 byte each here
  assert.equal(one[at], 2 * 5, 'key length varint of "key-0"');
  for (const hostile of [[0xfe, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x08], [0x03]]) {
    const bad = Buffer.concat([one.subarray(0, at), Buffer.from(hostile), one.subarray(at + 1)]);
    bad.writeInt32BE(bad.length - 12, BATCH_OFFSETS.batchLength);
    await expectTypedError(fixCrc(bad), `key length ${Buffer.from(hostile).toString('hex')}`);
  }
});

/** A batch holding one "record" whose compressed section inflates to `bomb`. */
function bombBatch(codec: CompressionCodec, compressed: Buffer): Buffer {
  const header = Buffer.alloc(BATCH_HEADER_BYTES);
  header.writeInt32BE(BATCH_HEADER_BYTES - 12 + compressed.length, BATCH_OFFSETS.batchLength);
  header.writeInt8(2, BATCH_OFFSETS.magic);
  header.writeInt16BE(codec, BATCH_OFFSETS.attributes);
  header.writeInt32BE(1, BATCH_OFFSETS.recordCount);
  return fixCrc(Buffer.concat([header, compressed]));
}

test('a batch carrying a 300 MiB gzip bomb is a typed error under the default limit', async () => {
  const bomb = bombBatch(CompressionCodec.Gzip, gzipSync(Buffer.alloc(300 * MiB), { level: 1 }));
  const error = await expectTypedError(bomb, 'gzip bomb');
  assert.equal(error.kind, 'compression');
  assert.ok(error.cause instanceof CompressionError && error.cause.kind === 'too-large');
  assert.equal(error.code, 10); // MESSAGE_TOO_LARGE
});

test('batches carrying bombs of every codec are typed errors with a small limit', async () => {
  const zeros = Buffer.alloc(32 * MiB);
  for (const codec of allCodecs.filter((c) => c !== CompressionCodec.None)) {
    const bomb = bombBatch(codec, await compress(codec, zeros));
    const error = await expectTypedError(bomb, compressionCodecName(codec), { maxDecompressedBytes: MiB });
    assert.equal(error.kind, 'compression', compressionCodecName(codec));
    assert.equal(error.code, 10, compressionCodecName(codec));
  }
});
