/**
 * Cross-checks against kafkajs 2.2.4's record batch codec, an independent implementation:
 * batches kafkajs writes decode with ours, and batches we write decode with kafkajs, for every
 * codec. See testing/kafkajs.ts for which compressor backs each kafkajs codec (zstd has no
 * independent implementation installed, so its check covers the batch framing only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimestampType } from './batch-header.js';
import { CompressionCodec, compressionCodecName } from './compression.js';
import { decodeRecordBatch, encodeRecordBatch } from './record-batch.js';
import { allCodecs, batchInput, bytes, nullableBytes } from './testing/arbitraries.js';
import {
  fromKafkajsHeaders,
  kafkajsCompression,
  kafkajsDecodeBatch,
  kafkajsEncodeBatch,
  toKafkajsHeaders,
  type KafkajsBatchInput,
  type KafkajsHeaders,
} from './testing/kafkajs.js';

const toKafkajsCodec: { readonly [C in CompressionCodec]: number } = {
  [CompressionCodec.None]: kafkajsCompression.None,
  [CompressionCodec.Gzip]: kafkajsCompression.GZIP,
  [CompressionCodec.Snappy]: kafkajsCompression.Snappy,
  [CompressionCodec.Lz4]: kafkajsCompression.LZ4,
  [CompressionCodec.Zstd]: kafkajsCompression.ZSTD,
};

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

// kafkajs cannot write a null header value (its size computation calls Buffer.byteLength(null)),
// and its headers object orders integer-like keys first; keys are prefixed to stay in order.
const kafkajsHeaders: fc.Arbitrary<KafkajsHeaders> = fc
  .uniqueArray(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 8 }).map((k) => `h-${k}`), fc.oneof(bytes(16), fc.array(bytes(16), { minLength: 1, maxLength: 3 }))), {
    maxLength: 4,
    selector: ([key]) => key,
  })
  .map((entries) => Object.fromEntries(entries));

const kafkajsBatch = (compression: number): fc.Arbitrary<KafkajsBatchInput> =>
  fc.record({
    compression: fc.constant(compression),
    firstOffset: fc.bigInt({ min: 0n, max: 1n << 62n }),
    firstTimestamp: fc.bigInt({ min: 0n, max: 1n << 50n }),
    maxTimestamp: int64,
    partitionLeaderEpoch: int32,
    lastOffsetDelta: int32,
    transactional: fc.boolean(),
    producerId: int64,
    producerEpoch: fc.integer({ min: -32768, max: 32767 }),
    firstSequence: int32,
    records: fc
      .array(fc.record({ timestampDelta: fc.integer({ min: -1e9, max: 1e9 }), key: nullableBytes(), value: nullableBytes(200), headers: kafkajsHeaders }), { maxLength: 10 })
      .map((records) => records.map((r, i) => ({ ...r, offsetDelta: i }))),
  });

async function checkKafkajsToOurs(input: KafkajsBatchInput, codec: CompressionCodec): Promise<void> {
  const buf = await kafkajsEncodeBatch(input);
  const decoded = await decodeRecordBatch(buf);
  if (!decoded.ok) throw decoded.error;
  const batch = decoded.value;
  assert.equal(batch.compression, codec);
  assert.equal(batch.baseOffset, input.firstOffset);
  assert.equal(batch.baseTimestamp, input.firstTimestamp);
  assert.equal(batch.maxTimestamp, input.maxTimestamp);
  assert.equal(batch.partitionLeaderEpoch, input.partitionLeaderEpoch);
  assert.equal(batch.lastOffsetDelta, input.lastOffsetDelta);
  assert.equal(batch.isTransactional, input.transactional);
  assert.equal(batch.producerId, input.producerId);
  assert.equal(batch.producerEpoch, input.producerEpoch);
  assert.equal(batch.baseSequence, input.firstSequence);
  assert.deepEqual(
    batch.records,
    input.records.map((r) => ({ attributes: 0, ...r, headers: fromKafkajsHeaders(r.headers) })),
  );
}

for (const codec of allCodecs) {
  const name = compressionCodecName(codec);

  test(`batches kafkajs writes decode with ours (${name})`, async () => {
    await fc.assert(
      fc.asyncProperty(kafkajsBatch(toKafkajsCodec[codec]), (input) => checkKafkajsToOurs(input, codec)),
      { numRuns: 60 },
    );
  });

  test(`batches we write decode with kafkajs (${name})`, async () => {
    await fc.assert(
      fc.asyncProperty(batchInput, async (input) => {
        // kafkajs folds headers with `obj[key] === undefined`, so a key such as "valueOf" finds
        // Object.prototype's method and decodes wrong. A kafkajs quirk, not a wire difference.
        fc.pre(input.records.every((r) => r.headers.every((h) => !(h.key in Object.prototype))));
        const buf = await encodeRecordBatch(input, { compression: codec });
        const theirs = await kafkajsDecodeBatch(buf);
        assert.equal(theirs.firstOffset, input.baseOffset.toString());
        assert.equal(theirs.firstTimestamp, input.baseTimestamp.toString());
        assert.equal(theirs.maxTimestamp, input.maxTimestamp.toString());
        assert.equal(theirs.partitionLeaderEpoch, input.partitionLeaderEpoch);
        assert.equal(theirs.lastOffsetDelta, input.lastOffsetDelta);
        assert.equal(theirs.producerId, input.producerId.toString());
        assert.equal(theirs.producerEpoch, input.producerEpoch);
        assert.equal(theirs.firstSequence, input.baseSequence);
        assert.equal(theirs.inTransaction, input.isTransactional);
        assert.equal(theirs.isControlBatch, input.isControl);
        const logAppend = input.timestampType === TimestampType.LogAppendTime;
        assert.deepEqual(
          theirs.records.map((r) => ({ timestamp: r.timestamp, offset: r.offset, key: r.key, value: r.value, headers: { ...r.headers } })),
          input.records.map((r) => ({
            timestamp: logAppend ? input.maxTimestamp.toString() : (input.baseTimestamp + BigInt(r.timestampDelta)).toString(),
            offset: (input.baseOffset + BigInt(r.offsetDelta)).toString(),
            key: r.key,
            value: r.value,
            headers: { ...toKafkajsHeaders(r.headers) },
          })),
        );
      }),
      { numRuns: 60 },
    );
  });

  test(`large multi-block batches cross-decode both ways (${name})`, async () => {
    const records = Array.from({ length: 200 }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: i,
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`payload ${i} `.repeat(300)),
      headers: { trace: Buffer.from(String(i)) },
    }));
    const input: KafkajsBatchInput = {
      compression: toKafkajsCodec[codec],
      firstOffset: 77n,
      firstTimestamp: 1_700_000_000_000n,
      maxTimestamp: 1_700_000_000_199n,
      partitionLeaderEpoch: 5,
      lastOffsetDelta: 199,
      transactional: false,
      producerId: -1n,
      producerEpoch: -1,
      firstSequence: -1,
      records,
    };
    await checkKafkajsToOurs(input, codec);
    const ours = await encodeRecordBatch(
      {
        baseOffset: 77n,
        baseTimestamp: 1_700_000_000_000n,
        partitionLeaderEpoch: 5,
        records: records.map((r) => ({ ...r, attributes: 0, headers: fromKafkajsHeaders(r.headers) })),
      },
      { compression: codec },
    );
    const theirs = await kafkajsDecodeBatch(ours);
    assert.equal(theirs.records.length, 200);
    assert.deepEqual(theirs.records[199].value, records[199].value);
    assert.equal(theirs.records[199].offset, '276');
    if (codec === CompressionCodec.None) {
      // Same fields, no compressor in between: the encodings must agree byte for byte.
      assert.deepEqual(ours, await kafkajsEncodeBatch(input));
    }
  });
}
