/**
 * kafkajs (CommonJS) as an independent record-batch codec for cross-checks. Test support only.
 *
 * kafkajs ships gzip; snappy and LZ4 come from the independent kafkajs-snappy (snappyjs, pure JS)
 * and kafkajs-lz4 (lz4 npm) codecs. No independent zstd compressor is installed here, so zstd
 * uses a small adapter over @mongodb-js/zstd — the library our own codec uses — and therefore only
 * checks the batch framing around zstd, not the zstd stream itself.
 */
import { createRequire } from 'node:module';
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';

const require = createRequire(import.meta.url);

const kafkajs = require('kafkajs');
const SnappyCodec = require('kafkajs-snappy');
const LZ4Codec = require('kafkajs-lz4');

export const kafkajsCompression: { readonly None: number; readonly GZIP: number; readonly Snappy: number; readonly LZ4: number; readonly ZSTD: number } =
  kafkajs.CompressionTypes;

const codecs = kafkajs.CompressionCodecs;
codecs[kafkajs.CompressionTypes.Snappy] = SnappyCodec;
codecs[kafkajs.CompressionTypes.LZ4] = new LZ4Codec().codec;
codecs[kafkajs.CompressionTypes.ZSTD] = () => ({
  compress: async (encoder: { buffer: Buffer }) => zstdCompress(encoder.buffer),
  decompress: async (buffer: Buffer) => zstdDecompress(buffer),
});

const { RecordBatch: kafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
const kafkajsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const KafkajsDecoder = require('kafkajs/src/protocol/decoder');
const Long = require('kafkajs/src/utils/long');

/** kafkajs headers: an object, a repeated key holding an array of values. */
export type KafkajsHeaders = { [key: string]: Buffer | null | (Buffer | null)[] };

export interface KafkajsRecordInput {
  readonly offsetDelta: number;
  readonly timestampDelta: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: KafkajsHeaders;
}

export interface KafkajsBatchInput {
  readonly compression: number;
  readonly firstOffset: bigint;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly partitionLeaderEpoch: number;
  readonly lastOffsetDelta: number;
  readonly transactional: boolean;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly firstSequence: number;
  readonly records: readonly KafkajsRecordInput[];
}

export async function kafkajsEncodeBatch(input: KafkajsBatchInput): Promise<Buffer> {
  const encoder = await kafkajsRecordBatch({
    ...input,
    firstOffset: Long.fromValue(input.firstOffset),
    firstTimestamp: Long.fromValue(input.firstTimestamp),
    maxTimestamp: Long.fromValue(input.maxTimestamp),
    producerId: Long.fromValue(input.producerId),
    records: input.records.map((r) => kafkajsRecord(r)),
  });
  return encoder.buffer as Buffer;
}

export interface KafkajsDecodedRecord {
  readonly timestamp: string;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: KafkajsHeaders;
}

export interface KafkajsDecodedBatch {
  readonly firstOffset: string;
  readonly firstTimestamp: string;
  readonly maxTimestamp: string;
  readonly partitionLeaderEpoch: number;
  readonly lastOffsetDelta: number;
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly firstSequence: number;
  readonly inTransaction: boolean;
  readonly isControlBatch: boolean;
  readonly records: readonly KafkajsDecodedRecord[];
}

export async function kafkajsDecodeBatch(buf: Buffer): Promise<KafkajsDecodedBatch> {
  return (await kafkajsBatchDecoder(new KafkajsDecoder(buf))) as KafkajsDecodedBatch;
}

/** How kafkajs's record decoder folds a header list into its headers object. */
export function toKafkajsHeaders(headers: readonly { key: string; value: Buffer | null }[]): KafkajsHeaders {
  const out: KafkajsHeaders = {};
  for (const { key, value } of headers) {
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    const next = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    // Like kafkajs's computed-key spread: an own property even for a key such as "__proto__".
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** How kafkajs's record encoder unfolds its headers object into the header list it writes. */
export function fromKafkajsHeaders(headers: KafkajsHeaders): { key: string; value: Buffer | null }[] {
  return Object.keys(headers).flatMap((key) => {
    const value = headers[key];
    return Array.isArray(value) ? value.map((v) => ({ key, value: v })) : [{ key, value }];
  });
}
