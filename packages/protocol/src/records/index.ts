export { CompressionError, RecordDecodeError } from './errors.js';
export type { CompressionErrorKind, RecordDecodeErrorKind } from './errors.js';
export {
  cursor,
  readUnsignedVarint,
  readVarint,
  readVarlong,
  readSafeVarlong,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  sizeOfSafeVarlong,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
  writeSafeVarlong,
} from './varint.js';
export type { ReadCursor } from './varint.js';
export { crc32c } from './crc32c.js';
export { CompressionCodec, compress, decompress, compressionCodecName, isCompressionCodec } from './compression.js';
export {
  BATCH_HEADER_BYTES,
  BATCH_OFFSETS,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  TimestampType,
  checkBatchFraming,
  encodeAttributes,
  readBatchHeader,
} from './batch-header.js';
export type { BatchFields, RecordBatchHeader } from './batch-header.js';
export { MIN_RECORD_BYTES, readRecord, sizeOfRecord, sizeOfRecordBody, writeRecord } from './record.js';
export type { Record, RecordHeader } from './record.js';
export { decodeRecordBatch, encodeRecordBatch, verifyBatchCrc } from './record-batch.js';
export type { DecodeOptions, EncodeOptions, RecordBatch, RecordBatchInput } from './record-batch.js';
export { splitBatches } from './split-batches.js';
export type { SplitBatch, SplitBatches } from './split-batches.js';
