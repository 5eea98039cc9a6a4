/**
 * Record batch v2 (magic 2): encoding, CRC verification and full decoding. The header layout is
 * in batch-header.ts, one record's layout in record.ts.
 *
 * Decoding returns a Result and never throws on bad input: every length is checked against the
 * bytes present before anything is sliced or allocated, decompression is bounded, and the record
 * count must match the records actually present.
 */
import { err, invariant, limits, ok, type Result } from '@tributary/common';
import {
  BATCH_HEADER_BYTES,
  BATCH_OFFSETS,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  TimestampType,
  checkBatchFraming,
  encodeAttributes,
  readBatchHeader,
  type BatchFields,
  type RecordBatchHeader,
} from './batch-header.js';
import { CompressionCodec, compress, compressionCodecName, decompress } from './compression.js';
import { crc32c } from './crc32c.js';
import { CompressionError, RecordDecodeError } from './errors.js';
import { MIN_RECORD_BYTES, readRecord, sizeOfRecordBody, writeRecord, type Record } from './record.js';
import { cursor, sizeOfVarint } from './varint.js';

export interface RecordBatch extends BatchFields {
  readonly records: readonly Record[];
}

/** What `encodeRecordBatch` needs; omitted fields take the values a non-idempotent producer sends. */
export interface RecordBatchInput {
  /** Default 0n: the leader assigns real offsets on append. */
  readonly baseOffset?: bigint;
  /** Default -1 (NO_PARTITION_LEADER_EPOCH), as producers send it. */
  readonly partitionLeaderEpoch?: number;
  readonly timestampType?: TimestampType;
  readonly isTransactional?: boolean;
  readonly isControl?: boolean;
  readonly baseTimestamp: bigint;
  /** Default: baseTimestamp + the largest record timestampDelta (baseTimestamp when empty). */
  readonly maxTimestamp?: bigint;
  /** Default: the last record's offsetDelta (0 when empty). Compacted batches keep their original. */
  readonly lastOffsetDelta?: number;
  /** Default -1n / -1 / -1: no idempotence. */
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly records: readonly Record[];
}

export interface EncodeOptions {
  /** Default None. Only the records section is compressed; the header stays readable. */
  readonly compression?: CompressionCodec;
}

export interface DecodeOptions {
  /** Largest decompressed records section accepted; default `limits.decompressedBatchBytesMax`. */
  readonly maxDecompressedBytes?: number;
  /** Largest record count accepted; default `limits.batchRecordsMax`. */
  readonly maxRecords?: number;
}

/** Encodes a complete batch: header, length, CRC-32C over attributes..end, records compressed as one stream. */
export async function encodeRecordBatch(input: RecordBatchInput, options: EncodeOptions = {}): Promise<Buffer> {
  const compression = options.compression ?? CompressionCodec.None;
  const bodySizes = input.records.map(sizeOfRecordBody);
  let recordsSize = 0;
  for (const size of bodySizes) recordsSize += sizeOfVarint(size) + size;

  let out: Buffer;
  if (compression === CompressionCodec.None) {
    // Write records straight into the batch: one allocation, no intermediate copy.
    out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + recordsSize);
    writeRecords(out, BATCH_HEADER_BYTES, input.records, bodySizes);
  } else {
    const plain = Buffer.allocUnsafe(recordsSize);
    writeRecords(plain, 0, input.records, bodySizes);
    const compressed = await compress(compression, plain);
    out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
    compressed.copy(out, BATCH_HEADER_BYTES);
  }
  writeHeader(out, input, compression);
  out.writeUInt32BE(crc32c(out.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
  return out;
}

function writeRecords(buf: Buffer, start: number, records: readonly Record[], bodySizes: readonly number[]): void {
  let pos = start;
  for (let i = 0; i < records.length; i++) pos = writeRecord(buf, pos, records[i], bodySizes[i]);
  invariant(pos === buf.length, 'records did not fill the space sized for them');
}

function defaultMaxTimestamp(input: RecordBatchInput): bigint {
  if (input.records.length === 0) return input.baseTimestamp;
  let maxDelta = input.records[0].timestampDelta;
  for (const record of input.records) if (record.timestampDelta > maxDelta) maxDelta = record.timestampDelta;
  return input.baseTimestamp + BigInt(maxDelta);
}

function writeHeader(out: Buffer, input: RecordBatchInput, compression: CompressionCodec): void {
  const records = input.records;
  const attributes = encodeAttributes(
    compression,
    input.timestampType ?? TimestampType.CreateTime,
    input.isTransactional ?? false,
    input.isControl ?? false,
  );
  const lastOffsetDelta = input.lastOffsetDelta ?? (records.length > 0 ? records[records.length - 1].offsetDelta : 0);
  const maxTimestamp = input.maxTimestamp ?? defaultMaxTimestamp(input);
  out.writeBigInt64BE(int64(input.baseOffset ?? 0n, 'baseOffset'), BATCH_OFFSETS.baseOffset);
  out.writeInt32BE(int32(out.length - LOG_OVERHEAD, 'batchLength'), BATCH_OFFSETS.batchLength);
  out.writeInt32BE(int32(input.partitionLeaderEpoch ?? -1, 'partitionLeaderEpoch'), BATCH_OFFSETS.partitionLeaderEpoch);
  out.writeInt8(CURRENT_MAGIC, BATCH_OFFSETS.magic);
  out.writeInt16BE(attributes, BATCH_OFFSETS.attributes);
  out.writeInt32BE(int32(lastOffsetDelta, 'lastOffsetDelta'), BATCH_OFFSETS.lastOffsetDelta);
  out.writeBigInt64BE(int64(input.baseTimestamp, 'baseTimestamp'), BATCH_OFFSETS.baseTimestamp);
  out.writeBigInt64BE(int64(maxTimestamp, 'maxTimestamp'), BATCH_OFFSETS.maxTimestamp);
  out.writeBigInt64BE(int64(input.producerId ?? -1n, 'producerId'), BATCH_OFFSETS.producerId);
  out.writeInt16BE(int16(input.producerEpoch ?? -1, 'producerEpoch'), BATCH_OFFSETS.producerEpoch);
  out.writeInt32BE(int32(input.baseSequence ?? -1, 'baseSequence'), BATCH_OFFSETS.baseSequence);
  out.writeInt32BE(int32(records.length, 'record count'), BATCH_OFFSETS.recordCount);
}

// Encoding input comes from our own code, so a value that does not fit its field is a bug:
// an InvariantError, not Buffer's RangeError.
function int64(value: bigint, field: string): bigint {
  invariant(BigInt.asIntN(64, value) === value, () => `${field} out of int64 range: ${value}`);
  return value;
}

function int32(value: number, field: string): number {
  invariant((value | 0) === value, () => `${field} out of int32 range: ${value}`);
  return value;
}

function int16(value: number, field: string): number {
  invariant((value << 16) >> 16 === value, () => `${field} out of int16 range: ${value}`);
  return value;
}

/**
 * Checks that `buf` is exactly one whole batch with a matching CRC-32C; returns its header.
 * Cheap (no decompression): what a produce path needs before appending the bytes as they are.
 */
export function verifyBatchCrc(buf: Buffer): Result<RecordBatchHeader, RecordDecodeError> {
  // The CRC is checked before the other header fields, so a corrupted attribute or count is
  // reported as corruption rather than as, say, an unknown codec.
  const framing = checkBatchFraming(buf, 0);
  if (framing) return err(framing);
  const size = LOG_OVERHEAD + buf.readInt32BE(BATCH_OFFSETS.batchLength);
  if (buf.length < size) {
    return err(new RecordDecodeError('truncated', `record batch declares ${size} bytes, ${buf.length} present`));
  }
  if (buf.length > size) {
    return err(new RecordDecodeError('malformed', `${buf.length - size} bytes follow the record batch (use splitBatches for several)`));
  }
  const stored = buf.readUInt32BE(BATCH_OFFSETS.crc);
  const actual = crc32c(buf.subarray(BATCH_OFFSETS.attributes));
  if (actual !== stored) {
    return err(new RecordDecodeError('crc-mismatch', `record batch CRC-32C is ${hex(actual)}, header says ${hex(stored)}`));
  }
  return readBatchHeader(buf, 0);
}

function hex(crc: number): string {
  return `0x${crc.toString(16).padStart(8, '0')}`;
}

/** Decodes one whole batch (exactly `buf`): header, CRC, decompression, every record. */
export async function decodeRecordBatch(
  buf: Buffer,
  options: DecodeOptions = {},
): Promise<Result<RecordBatch, RecordDecodeError>> {
  const verified = verifyBatchCrc(buf);
  if (!verified.ok) return verified;
  const { batchLength: _length, recordCount, ...fields } = verified.value;
  const maxRecords = options.maxRecords ?? limits.batchRecordsMax;
  if (recordCount > maxRecords) {
    return err(new RecordDecodeError('malformed', `record count ${recordCount} exceeds the limit of ${maxRecords}`));
  }
  const section = await recordsSection(buf, fields.compression, options);
  if (!section.ok) return section;
  try {
    return ok({ ...fields, records: readRecords(section.value, recordCount) });
  } catch (e) {
    if (e instanceof RecordDecodeError) return err(e);
    throw e;
  }
}

/** The records bytes: a view into `buf` when uncompressed, else the bounded decompression. */
async function recordsSection(
  buf: Buffer,
  compression: CompressionCodec,
  options: DecodeOptions,
): Promise<Result<Buffer, RecordDecodeError>> {
  const stored = buf.subarray(BATCH_HEADER_BYTES);
  if (compression === CompressionCodec.None) return ok(stored);
  try {
    return ok(await decompress(compression, stored, options.maxDecompressedBytes ?? limits.decompressedBatchBytesMax));
  } catch (e) {
    if (!(e instanceof CompressionError)) throw e;
    const message = `cannot decompress ${compressionCodecName(compression)} records: ${e.message}`;
    return err(new RecordDecodeError('compression', message, { cause: e }));
  }
}

function readRecords(section: Buffer, count: number): Record[] {
  // Each record takes at least MIN_RECORD_BYTES, so a count the bytes cannot hold is refused
  // before any work, whatever the header claims.
  if (count > section.length / MIN_RECORD_BYTES) {
    throw new RecordDecodeError('malformed', `batch declares ${count} records, its ${section.length} record bytes cannot hold them`);
  }
  const c = cursor(section);
  const records: Record[] = [];
  for (let i = 0; i < count; i++) {
    if (c.pos >= c.end) throw new RecordDecodeError('malformed', `batch declares ${count} records but holds ${i}`);
    records.push(readRecord(c));
  }
  if (c.pos !== c.end) {
    throw new RecordDecodeError('malformed', `batch declares ${count} records but ${c.end - c.pos} bytes follow them`);
  }
  return records;
}
