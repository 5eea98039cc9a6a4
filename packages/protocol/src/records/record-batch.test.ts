import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BATCH_HEADER_BYTES, BATCH_OFFSETS, TimestampType, readBatchHeader } from './batch-header.js';
import { CompressionCodec, compressionCodecName } from './compression.js';
import { crc32c } from './crc32c.js';
import { RecordDecodeError } from './errors.js';
import type { Record } from './record.js';
import { decodeRecordBatch, encodeRecordBatch, verifyBatchCrc, type RecordBatchInput } from './record-batch.js';
import { allCodecs, batchInput } from './testing/arbitraries.js';

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

function plainRecord(i: number, extra: Partial<Record> = {}): Record {
  return {
    attributes: 0,
    timestampDelta: i * 10,
    offsetDelta: i,
    key: Buffer.from(`key-${i}`),
    value: Buffer.from(`value-${i}`.repeat(i + 1)),
    headers: i % 2 ? [{ key: 'h', value: Buffer.from([i]) }] : [],
    ...extra,
  };
}

const sample: RecordBatchInput = {
  baseOffset: 1000n,
  baseTimestamp: 1_700_000_000_000n,
  producerId: 42n,
  producerEpoch: 3,
  baseSequence: 7,
  records: [0, 1, 2, 3].map((i) => plainRecord(i)),
};

for (const codec of allCodecs) {
  test(`encode → decode round-trips any batch (${compressionCodecName(codec)})`, async () => {
    await fc.assert(
      fc.asyncProperty(batchInput, async (input) => {
        const buf = await encodeRecordBatch(input, { compression: codec });
        const batch = unwrap(await decodeRecordBatch(buf));
        const { records, ...fields } = batch;
        assert.deepEqual(fields, {
          baseOffset: input.baseOffset,
          partitionLeaderEpoch: input.partitionLeaderEpoch,
          magic: 2,
          crc: buf.readUInt32BE(BATCH_OFFSETS.crc),
          attributes: codec | (input.timestampType << 3) | (input.isTransactional ? 16 : 0) | (input.isControl ? 32 : 0),
          compression: codec,
          timestampType: input.timestampType,
          isTransactional: input.isTransactional,
          isControl: input.isControl,
          lastOffsetDelta: input.lastOffsetDelta,
          baseTimestamp: input.baseTimestamp,
          maxTimestamp: input.maxTimestamp,
          producerId: input.producerId,
          producerEpoch: input.producerEpoch,
          baseSequence: input.baseSequence,
        });
        assert.deepEqual(records, input.records);
        const header = unwrap(readBatchHeader(buf, 0));
        assert.equal(header.recordCount, input.records.length);
        assert.equal(header.batchLength, buf.length - 12);
      }),
      { numRuns: codec === CompressionCodec.None ? 300 : 100 },
    );
  });
}

test('defaults: offsets and timestamps derived as a producer would send them', async () => {
  const buf = await encodeRecordBatch(sample);
  const batch = unwrap(await decodeRecordBatch(buf));
  assert.equal(batch.partitionLeaderEpoch, -1);
  assert.equal(batch.lastOffsetDelta, 3);
  assert.equal(batch.maxTimestamp, sample.baseTimestamp + 30n);
  assert.equal(batch.timestampType, TimestampType.CreateTime);
  assert.equal(batch.compression, CompressionCodec.None);
  const empty = unwrap(await decodeRecordBatch(await encodeRecordBatch({ baseTimestamp: 5n, records: [] })));
  assert.equal(empty.records.length, 0);
  assert.equal(empty.maxTimestamp, 5n);
  assert.equal(empty.producerId, -1n);
  assert.equal(empty.producerEpoch, -1);
  assert.equal(empty.baseSequence, -1);
});

test('uncompressed keys and values are views into the input, not copies', async () => {
  const buf = await encodeRecordBatch(sample);
  const batch = unwrap(await decodeRecordBatch(buf));
  const record = batch.records[1];
  assert.ok(record.key && record.value);
  assert.equal(record.key.buffer, buf.buffer);
  assert.equal(record.value.buffer, buf.buffer);
  assert.equal(record.headers[0].value?.buffer, buf.buffer);
});

test('an empty compressed batch round-trips for every codec', async () => {
  for (const codec of allCodecs) {
    const buf = await encodeRecordBatch({ baseTimestamp: 0n, records: [] }, { compression: codec });
    assert.equal(unwrap(await decodeRecordBatch(buf)).records.length, 0, compressionCodecName(codec));
  }
});

test('a large batch (several compression blocks) round-trips for every codec', async () => {
  const records = Array.from({ length: 300 }, (_, i) => plainRecord(i % 40, { offsetDelta: i, value: Buffer.alloc(2000, i) }));
  for (const codec of allCodecs) {
    const buf = await encodeRecordBatch({ baseTimestamp: 0n, records }, { compression: codec });
    if (codec !== CompressionCodec.None) assert.ok(buf.length < 300 * 2000 / 4, `${compressionCodecName(codec)} compresses`);
    const batch = unwrap(await decodeRecordBatch(buf));
    assert.deepEqual(batch.records, records, compressionCodecName(codec));
  }
});

test('readBatchHeader parses the header alone, at an offset, without the records', async () => {
  const buf = await encodeRecordBatch(sample, { compression: CompressionCodec.Zstd });
  const padded = Buffer.concat([Buffer.alloc(5, 0xaa), buf.subarray(0, BATCH_HEADER_BYTES)]);
  const header = unwrap(readBatchHeader(padded, 5));
  assert.equal(header.baseOffset, 1000n);
  assert.equal(header.recordCount, 4);
  assert.equal(header.lastOffsetDelta, 3);
  assert.equal(header.producerId, 42n);
  assert.equal(header.producerEpoch, 3);
  assert.equal(header.baseSequence, 7);
  assert.equal(header.compression, CompressionCodec.Zstd);
  assert.equal(header.batchLength, buf.length - 12);
  const short = readBatchHeader(padded, 6);
  assert.ok(!short.ok && short.error.kind === 'truncated');
});

test('verifyBatchCrc accepts an intact batch and reports a mismatch as a typed error', async () => {
  const buf = await encodeRecordBatch(sample);
  assert.ok(verifyBatchCrc(buf).ok);
  const bad = Buffer.from(buf);
  bad[bad.length - 1] ^= 1;
  const result = verifyBatchCrc(bad);
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'crc-mismatch');
  assert.equal(result.error.code, 2); // CORRUPT_MESSAGE
  const trailing = verifyBatchCrc(Buffer.concat([buf, Buffer.alloc(1)]));
  assert.ok(!trailing.ok && trailing.error.kind === 'malformed');
});

/** Rewrites a field and fixes the CRC, to reach the checks behind it. */
function patch(buf: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(buf);
  edit(copy);
  copy.writeUInt32BE(crc32c(copy.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
  return copy;
}

async function decodeError(buf: Buffer): Promise<RecordDecodeError> {
  const result = await decodeRecordBatch(buf);
  assert.ok(!result.ok, 'expected a decode error');
  assert.ok(result.error instanceof RecordDecodeError);
  return result.error;
}

test('the header record count must match the records present', async () => {
  for (const codec of allCodecs) {
    const buf = await encodeRecordBatch(sample, { compression: codec });
    for (const count of [0, 3, 5, 1000, 0x7fffffff, -1]) {
      const error = await decodeError(patch(buf, (b) => b.writeInt32BE(count, BATCH_OFFSETS.recordCount)));
      assert.equal(error.kind, 'malformed', `${compressionCodecName(codec)} count ${count}: ${error.message}`);
    }
  }
});

test('magic other than 2, unknown codec and over-limit counts are typed errors', async () => {
  const buf = await encodeRecordBatch(sample);
  const magic1 = await decodeError(patch(buf, (b) => b.writeInt8(1, BATCH_OFFSETS.magic)));
  assert.equal(magic1.kind, 'unsupported-magic');
  assert.equal(magic1.code, 43); // UNSUPPORTED_FOR_MESSAGE_FORMAT
  const codec6 = await decodeError(patch(buf, (b) => b.writeInt16BE(6, BATCH_OFFSETS.attributes)));
  assert.equal(codec6.kind, 'compression');
  assert.equal(codec6.code, 76); // UNSUPPORTED_COMPRESSION_TYPE
  const limited = await decodeRecordBatch(buf, { maxRecords: 3 });
  assert.ok(!limited.ok && limited.error.kind === 'malformed');
});

test('a record whose declared length disagrees with its fields is a typed error', async () => {
  const one = await encodeRecordBatch({ baseTimestamp: 0n, records: [plainRecord(0)] });
  // The first record's length varint sits right after the header; grow it by one (into a trailing byte).
  const grown = Buffer.concat([one, Buffer.from([0])]);
  grown.writeInt32BE(grown.length - 12, BATCH_OFFSETS.batchLength);
  grown[BATCH_HEADER_BYTES] += 2; // zigzag: +1 in length
  const error = await decodeError(patch(grown, () => {}));
  assert.equal(error.kind, 'malformed');
});
