/**
 * DeleteRecords (API 21), versions 0–2 (kafkajs and librdkafka send 1).
 *
 * Moves each partition's log start to the given offset (PartitionLog.deleteRecordsBefore, durable
 * before the answer); -1 means the high watermark. An offset above the high watermark, or below
 * zero other than -1, is OFFSET_OUT_OF_RANGE. The answer's lowWatermark is the new log start.
 * On a single broker there are no replicas to wait for, so timeoutMs is not used.
 */
import {
  ApiKey,
  defaultDeleteRecordsResponse,
  defaultDeleteRecordsResponseDeleteRecordsPartitionResult,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
  type DeleteRecordsResponseDeleteRecordsPartitionResult,
} from '@tributary/protocol';
import type { BrokerContext } from '../broker-context.js';
import { Errors, errorCodeOf } from './data/error-codes.js';
import { missingPartitionError } from './data/partition-lookup.js';
import type { HandlerSpec, RequestContext } from './handler.js';

/** DeleteRecords' "up to the high watermark". */
const HIGH_WATERMARK = -1n;

function result(partitionIndex: number, errorCode: number, lowWatermark: number): DeleteRecordsResponseDeleteRecordsPartitionResult {
  return { ...defaultDeleteRecordsResponseDeleteRecordsPartitionResult(), partitionIndex, errorCode, lowWatermark: BigInt(lowWatermark) };
}

async function deletePartition(broker: BrokerContext, topic: string, partitionIndex: number, requested: bigint): Promise<DeleteRecordsResponseDeleteRecordsPartitionResult> {
  const partition = broker.topics.partition(topic, partitionIndex);
  if (partition === undefined) return result(partitionIndex, missingPartitionError(broker.topics, topic, partitionIndex), -1);
  const highWatermark = partition.highWatermark;
  const offset = requested === HIGH_WATERMARK ? BigInt(highWatermark) : requested;
  if (offset < 0n || offset > BigInt(highWatermark)) return result(partitionIndex, Errors.OFFSET_OUT_OF_RANGE, -1);
  const deleted = await partition.log.deleteRecordsBefore(Number(offset));
  if (!deleted.ok) return result(partitionIndex, errorCodeOf(deleted.error), -1);
  broker.logger.info({ topic, partition: partitionIndex, logStartOffset: deleted.value }, 'deleted records');
  return result(partitionIndex, Errors.NONE, deleted.value);
}

async function handleDeleteRecords(request: DeleteRecordsRequest, ctx: RequestContext): Promise<DeleteRecordsResponse> {
  const topics = await Promise.all(
    request.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(t.partitions.map((p) => deletePartition(ctx.broker, t.name, p.partitionIndex, p.offset))),
    })),
  );
  return { ...defaultDeleteRecordsResponse(), topics };
}

function errorResponse(request: DeleteRecordsRequest, errorCode: number): DeleteRecordsResponse {
  return {
    ...defaultDeleteRecordsResponse(),
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => result(p.partitionIndex, errorCode, -1)) })),
  };
}

export const deleteRecordsHandler: HandlerSpec<typeof ApiKey.DeleteRecords> = {
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle: handleDeleteRecords,
  errorResponse,
};
