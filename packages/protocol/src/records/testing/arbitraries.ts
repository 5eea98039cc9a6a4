/**
 * fast-check arbitraries for records and batches. Test support only (not exported).
 */
import fc from 'fast-check';
import { TimestampType } from '../batch-header.js';
import { CompressionCodec } from '../compression.js';
import type { Record, RecordHeader } from '../record.js';
import type { RecordBatchInput } from '../record-batch.js';

export const allCodecs: readonly CompressionCodec[] = [
  CompressionCodec.None,
  CompressionCodec.Gzip,
  CompressionCodec.Snappy,
  CompressionCodec.Lz4,
  CompressionCodec.Zstd,
];

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export const bytes = (maxLength = 48): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

export const nullableBytes = (maxLength = 48): fc.Arbitrary<Buffer | null> =>
  fc.option(bytes(maxLength), { nil: null, freq: 4 });

/** Any Unicode (well-formed UTF-16, so UTF-8 round-trips). */
export const headerKey = fc.string({ unit: 'grapheme', maxLength: 12 });

/** fc.record builds null-prototype objects; decoded values are plain objects, and deepEqual compares prototypes. */
const plain = <T extends object>(value: T): T => ({ ...value });

export const header: fc.Arbitrary<RecordHeader> = fc.record({ key: headerKey, value: nullableBytes(24) }).map(plain);

export const timestampDelta = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
);

export const record: fc.Arbitrary<Record> = fc.record({
  attributes: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -128, max: 127 }) }),
  timestampDelta,
  offsetDelta: fc.oneof({ weight: 4, arbitrary: fc.nat(1000) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  key: nullableBytes(),
  value: nullableBytes(96),
  headers: fc.array(header, { maxLength: 4 }),
}).map(plain);

const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

/** Every header field explicit (maxTimestamp too, so no default can overflow int64). */
export const batchInput: fc.Arbitrary<Required<RecordBatchInput>> = fc.record({
  baseOffset: int64,
  partitionLeaderEpoch: int32,
  timestampType: fc.constantFrom(TimestampType.CreateTime, TimestampType.LogAppendTime),
  isTransactional: fc.boolean(),
  isControl: fc.boolean(),
  baseTimestamp: int64,
  maxTimestamp: int64,
  lastOffsetDelta: int32,
  producerId: int64,
  producerEpoch: fc.integer({ min: -32768, max: 32767 }),
  baseSequence: int32,
  records: fc.array(record, { maxLength: 12 }),
}).map(plain);
