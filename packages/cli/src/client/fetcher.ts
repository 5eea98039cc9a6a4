/**
 * Fetch: one sessionless Fetch request for some partitions of one topic on their leader,
 * its record batches decoded (every codec), records before the asked offset and control
 * batches dropped. A truncated last batch is left for the next fetch, as Kafka's clients do.
 */
import { err, ok, type Result } from '@tributary/common';
import {
  ApiKey,
  ErrorCode,
  TimestampType,
  ZERO_UUID,
  decodeRecordBatch,
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  splitBatches,
  type RecordHeader,
} from '@tributary/protocol';
import { apiRanges } from './api-ranges.js';
import { ClientError } from './client-error.js';
import type { KafkaClient, NegotiatedConnection } from './kafka-client.js';

export interface FetchedRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface PartitionFetch {
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly records: FetchedRecord[];
  /** Where the next fetch of this partition starts. */
  readonly nextOffset: bigint;
}

export interface FetchOptions {
  /** How long the broker may hold the request waiting for data. */
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
  /** 0 read uncommitted, 1 read committed. */
  readonly isolationLevel: number;
}

export const defaultFetchOptions: FetchOptions = {
  maxWaitMs: 500,
  maxBytes: 50 * 1024 * 1024,
  partitionMaxBytes: 1024 * 1024,
  isolationLevel: 0,
};

export async function fetchPartitions(
  client: KafkaClient,
  leader: NegotiatedConnection,
  topic: string,
  positions: ReadonlyMap<number, bigint>,
  options: FetchOptions = defaultFetchOptions,
): Promise<Result<Map<number, PartitionFetch>, ClientError>> {
  const request = {
    ...defaultFetchRequest(),
    maxWaitMs: options.maxWaitMs,
    minBytes: 1,
    maxBytes: options.maxBytes,
    isolationLevel: options.isolationLevel,
    topics: [
      {
        topic,
        topicId: ZERO_UUID,
        partitions: [...positions].map(([partition, fetchOffset]) => ({
          ...defaultFetchRequestFetchPartition(),
          partition,
          fetchOffset,
          partitionMaxBytes: options.partitionMaxBytes,
        })),
      },
    ],
  };
  const response = await client.call(ApiKey.Fetch, apiRanges.fetch, () => request, leader, options.maxWaitMs);
  if (!response.ok) return response;
  if (response.value.body.errorCode !== ErrorCode.NONE) return err(ClientError.fromCode(response.value.body.errorCode, `fetch from ${topic}`));
  const results = new Map<number, PartitionFetch>();
  for (const t of response.value.body.responses) {
    if (t.topic !== topic) continue;
    for (const p of t.partitions) {
      const start = positions.get(p.partitionIndex);
      if (start === undefined) continue;
      const decoded = await decodePartition(topic, p.partitionIndex, start, p.records);
      if (!decoded.ok) return decoded;
      results.set(p.partitionIndex, {
        errorCode: p.errorCode,
        highWatermark: p.highWatermark,
        logStartOffset: p.logStartOffset,
        records: decoded.value.records,
        nextOffset: decoded.value.nextOffset,
      });
    }
  }
  return ok(results);
}

async function decodePartition(
  topic: string,
  partition: number,
  start: bigint,
  blob: Buffer | null,
): Promise<Result<{ records: FetchedRecord[]; nextOffset: bigint }, ClientError>> {
  const records: FetchedRecord[] = [];
  let nextOffset = start;
  if (blob === null || blob.length === 0) return ok({ records, nextOffset });
  const split = splitBatches(blob);
  if (!split.ok) return err(new ClientError('protocol', `bad record batches from ${topic}-${partition}: ${split.error.message}`));
  for (const { header, bytes } of split.value.batches) {
    const batchEnd = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
    if (header.isControl) {
      if (batchEnd > nextOffset) nextOffset = batchEnd;
      continue;
    }
    const batch = await decodeRecordBatch(bytes);
    if (!batch.ok) return err(new ClientError('protocol', `cannot decode a batch of ${topic}-${partition} at offset ${header.baseOffset}: ${batch.error.message}`));
    const logAppendTime = batch.value.timestampType === TimestampType.LogAppendTime;
    for (const record of batch.value.records) {
      const offset = header.baseOffset + BigInt(record.offsetDelta);
      if (offset < start) continue;
      const timestamp = logAppendTime ? batch.value.maxTimestamp : batch.value.baseTimestamp + BigInt(record.timestampDelta);
      records.push({ partition, offset, timestamp, key: record.key, value: record.value, headers: record.headers });
    }
    if (batchEnd > nextOffset) nextOffset = batchEnd;
  }
  return ok({ records, nextOffset });
}
