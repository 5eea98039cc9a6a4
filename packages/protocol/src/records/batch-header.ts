/**
 * The fixed 61-byte header of a record batch v2 (magic 2), readable without touching the records.
 * The broker's produce and fetch paths need base offset, count, last offset delta and the
 * producer id/epoch/sequence without paying for decompression.
 *
 *   offset  size  field
 *        0     8  baseOffset             ┐ not covered by the CRC: the broker rewrites them
 *        8     4  batchLength            │ (bytes after this field)
 *       12     4  partitionLeaderEpoch   ┘ in place without recomputing it
 *       16     1  magic (2)
 *       17     4  crc (CRC-32C of bytes 21..end, unsigned)
 *       21     2  attributes
 *       23     4  lastOffsetDelta
 *       27     8  baseTimestamp
 *       35     8  maxTimestamp
 *       43     8  producerId
 *       51     2  producerEpoch
 *       53     4  baseSequence
 *       57     4  recordCount
 *       61        records (compressed as one stream when attributes name a codec)
 */
import { err, invariant, ok, type Result } from '@tributary/common';
import { CompressionCodec, isCompressionCodec } from './compression.js';
import { CompressionError, RecordDecodeError } from './errors.js';

export const BATCH_OFFSETS = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const;

/** Bytes before batchLength's payload starts (baseOffset + batchLength): Kafka's LOG_OVERHEAD. */
export const LOG_OVERHEAD = 12;
/** Size of the batch header, and so of the smallest (empty) batch. */
export const BATCH_HEADER_BYTES = BATCH_OFFSETS.records;
export const CURRENT_MAGIC = 2;

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

const ATTR_CODEC_MASK = 0x07;
const ATTR_TIMESTAMP_TYPE = 0x08;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;

/** Header fields shared by the parsed header and the decoded batch. */
export interface BatchFields {
  readonly baseOffset: bigint;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  /** CRC-32C as stored (unsigned). */
  readonly crc: number;
  /** The raw int16; the fields below are decoded from it. Bit 6 (KIP-534 delete horizon) is kept here. */
  readonly attributes: number;
  readonly compression: CompressionCodec;
  readonly timestampType: TimestampType;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

export interface RecordBatchHeader extends BatchFields {
  /** Bytes after the batchLength field; the whole batch is `LOG_OVERHEAD + batchLength` bytes. */
  readonly batchLength: number;
  readonly recordCount: number;
}

export function encodeAttributes(
  compression: CompressionCodec,
  timestampType: TimestampType,
  isTransactional: boolean,
  isControl: boolean,
): number {
  return (
    compression |
    (timestampType === TimestampType.LogAppendTime ? ATTR_TIMESTAMP_TYPE : 0) |
    (isTransactional ? ATTR_TRANSACTIONAL : 0) |
    (isControl ? ATTR_CONTROL : 0)
  );
}

/**
 * The checks that come before anything else can be trusted: the 61 header bytes are present,
 * the magic is 2 (the layout, CRC included, depends on it) and the length is possible.
 */
export function checkBatchFraming(buf: Buffer, offset = 0): RecordDecodeError | null {
  invariant(Number.isSafeInteger(offset) && offset >= 0, () => `bad batch offset ${offset}`);
  if (buf.length - offset < BATCH_HEADER_BYTES) {
    return new RecordDecodeError('truncated', `record batch header needs ${BATCH_HEADER_BYTES} bytes, ${Math.max(0, buf.length - offset)} present`);
  }
  const magic = buf.readInt8(offset + BATCH_OFFSETS.magic);
  if (magic !== CURRENT_MAGIC) {
    return new RecordDecodeError('unsupported-magic', `record batch magic ${magic} is not supported (only 2)`);
  }
  const batchLength = buf.readInt32BE(offset + BATCH_OFFSETS.batchLength);
  if (batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD) {
    return new RecordDecodeError('malformed', `record batch length ${batchLength} is shorter than its header`);
  }
  return null;
}

/**
 * Parses the header of the batch at `offset`. Checks that the 61 header bytes are present, the
 * magic is 2, the length and count are possible and the codec is known; it does not require the
 * rest of the batch to be present, nor check the CRC.
 */
export function readBatchHeader(buf: Buffer, offset = 0): Result<RecordBatchHeader, RecordDecodeError> {
  const framing = checkBatchFraming(buf, offset);
  if (framing) return err(framing);
  const at = (field: number): number => offset + field;
  const recordCount = buf.readInt32BE(at(BATCH_OFFSETS.recordCount));
  if (recordCount < 0) {
    return err(new RecordDecodeError('malformed', `negative record count ${recordCount}`));
  }
  const attributes = buf.readInt16BE(at(BATCH_OFFSETS.attributes));
  const compression = attributes & ATTR_CODEC_MASK;
  if (!isCompressionCodec(compression)) {
    return err(new RecordDecodeError('compression', `unknown compression codec id ${compression}`, {
      cause: new CompressionError('unsupported-codec', `unknown compression codec id ${compression}`),
    }));
  }
  return ok({
    baseOffset: buf.readBigInt64BE(at(BATCH_OFFSETS.baseOffset)),
    batchLength: buf.readInt32BE(at(BATCH_OFFSETS.batchLength)),
    partitionLeaderEpoch: buf.readInt32BE(at(BATCH_OFFSETS.partitionLeaderEpoch)),
    magic: CURRENT_MAGIC,
    crc: buf.readUInt32BE(at(BATCH_OFFSETS.crc)),
    attributes,
    compression,
    timestampType: attributes & ATTR_TIMESTAMP_TYPE ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
    lastOffsetDelta: buf.readInt32BE(at(BATCH_OFFSETS.lastOffsetDelta)),
    baseTimestamp: buf.readBigInt64BE(at(BATCH_OFFSETS.baseTimestamp)),
    maxTimestamp: buf.readBigInt64BE(at(BATCH_OFFSETS.maxTimestamp)),
    producerId: buf.readBigInt64BE(at(BATCH_OFFSETS.producerId)),
    producerEpoch: buf.readInt16BE(at(BATCH_OFFSETS.producerEpoch)),
    baseSequence: buf.readInt32BE(at(BATCH_OFFSETS.baseSequence)),
    recordCount,
  });
}
