/**
 * ListOffsets (API 2), versions 0–7 (kafka-python sends 1, librdkafka 2, kafkajs 3).
 *
 * Timestamp -1 is the latest offset (the high watermark; the last stable offset is the same
 * since there are no transactions), -2 the earliest (log start), -3 (v7+) the record with the
 * largest timestamp (see data/max-timestamp.ts), anything else the first record at or after that
 * time (PartitionLog.offsetForTimestamp); a time with no record at or after it below the high
 * watermark answers offset -1. v0 answers in its old offsets array: one offset (Kafka v0 listed
 * segment base offsets; no client of ours relies on that). Leader-epoch check on v4+.
 */
import {
  ApiKey,
  defaultListOffsetsResponse,
  defaultListOffsetsResponseListOffsetsPartitionResponse,
  type ListOffsetsRequest,
  type ListOffsetsRequestListOffsetsPartition,
  type ListOffsetsResponse,
  type ListOffsetsResponseListOffsetsPartitionResponse,
} from '@tributary/protocol';
import type { OffsetAndTimestamp } from '@tributary/storage';
import type { BrokerContext } from '../broker-context.js';
import { Errors, errorCodeOf, leaderEpochError } from './data/error-codes.js';
import { maxTimestampOffset } from './data/max-timestamp.js';
import { missingPartitionError } from './data/partition-lookup.js';
import type { HandlerSpec, RequestContext } from './handler.js';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;

type Found = { readonly errorCode: number; readonly offset: number; readonly timestamp: number; readonly leaderEpoch: number };

function failed(errorCode: number): Found {
  return { errorCode, offset: -1, timestamp: -1, leaderEpoch: -1 };
}

async function lookUp(broker: BrokerContext, topic: string, request: ListOffsetsRequestListOffsetsPartition, version: number): Promise<Found> {
  const partition = broker.topics.partition(topic, request.partitionIndex);
  if (partition === undefined) return failed(missingPartitionError(broker.topics, topic, request.partitionIndex));
  if (version >= 4) {
    const epochError = leaderEpochError(request.currentLeaderEpoch, partition.leaderEpoch);
    if (epochError !== Errors.NONE) return failed(epochError);
  }
  const log = partition.log;
  const highWatermark = partition.highWatermark;
  const leaderEpoch = partition.leaderEpoch;
  if (log.offlineError) return failed(errorCodeOf(log.offlineError));
  if (request.timestamp === LATEST) return { errorCode: Errors.NONE, offset: highWatermark, timestamp: -1, leaderEpoch };
  if (request.timestamp === EARLIEST) return { errorCode: Errors.NONE, offset: log.logStartOffset, timestamp: -1, leaderEpoch };
  let found: { ok: true; value: OffsetAndTimestamp | null } | { ok: false; error: Error };
  if (request.timestamp === MAX_TIMESTAMP && version >= 7) {
    found = await maxTimestampOffset(log, highWatermark);
  } else {
    const timestamp = request.timestamp < BigInt(Number.MIN_SAFE_INTEGER) ? Number.MIN_SAFE_INTEGER : Number(request.timestamp);
    found = await log.offsetForTimestamp(timestamp);
  }
  if (!found.ok) return failed(errorCodeOf(found.error));
  // Records at or above the high watermark are not visible yet.
  if (found.value === null || found.value.offset >= highWatermark) return { errorCode: Errors.NONE, offset: -1, timestamp: -1, leaderEpoch: -1 };
  return { errorCode: Errors.NONE, offset: found.value.offset, timestamp: found.value.timestamp, leaderEpoch };
}

function partitionResponse(request: ListOffsetsRequestListOffsetsPartition, found: Found, version: number): ListOffsetsResponseListOffsetsPartitionResponse {
  const response = { ...defaultListOffsetsResponseListOffsetsPartitionResponse(), partitionIndex: request.partitionIndex, errorCode: found.errorCode };
  if (version === 0) {
    const offsets = found.errorCode === Errors.NONE && found.offset >= 0 && request.maxNumOffsets > 0 ? [BigInt(found.offset)] : [];
    return { ...response, oldStyleOffsets: offsets };
  }
  return {
    ...response,
    timestamp: BigInt(found.timestamp),
    offset: BigInt(found.offset),
    leaderEpoch: version >= 4 ? found.leaderEpoch : -1,
  };
}

async function handleListOffsets(request: ListOffsetsRequest, ctx: RequestContext): Promise<ListOffsetsResponse> {
  const version = ctx.apiVersion;
  const topics = [];
  for (const topic of request.topics) {
    const partitions = [];
    for (const p of topic.partitions) partitions.push(partitionResponse(p, await lookUp(ctx.broker, topic.name, p, version), version));
    topics.push({ name: topic.name, partitions });
  }
  return { ...defaultListOffsetsResponse(), topics };
}

function errorResponse(request: ListOffsetsRequest, errorCode: number): ListOffsetsResponse {
  return {
    ...defaultListOffsetsResponse(),
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ ...defaultListOffsetsResponseListOffsetsPartitionResponse(), partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

export const listOffsetsHandler: HandlerSpec<typeof ApiKey.ListOffsets> = {
  apiKey: ApiKey.ListOffsets,
  minVersion: 0,
  maxVersion: 7,
  handle: handleListOffsets,
  errorResponse,
};
