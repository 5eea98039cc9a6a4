/**
 * One pass of Fetch over its partitions, in request order, as Kafka's readFromLocalLog does:
 * each partition gets min(partitionMaxBytes, bytes left of maxBytes); the first partition that
 * returns data may exceed both by one batch (v3+), so a consumer never stalls on a large batch.
 * Only batches below the high watermark are returned.
 */
import { splitBatches, type FetchRequest, type FetchResponseFetchableTopicResponse, type FetchResponsePartitionData, type FetchRequestFetchPartition } from '@tributary/protocol';
import { defaultFetchResponsePartitionData } from '@tributary/protocol';
import type { BrokerContext } from '../../broker-context.js';
import type { PartitionHandle } from '../../state/topic-manager.js';
import { Errors, errorCodeOf, leaderEpochError } from './error-codes.js';

/** READ_COMMITTED; behaves as READ_UNCOMMITTED until transactions exist (last stable offset = high watermark). */
const READ_COMMITTED = 1;

export interface FetchPass {
  readonly responses: FetchResponseFetchableTopicResponse[];
  /** Bytes of records in the pass. */
  readonly bytes: number;
  /** Whether any partition has an error (Kafka answers such a fetch at once). */
  readonly hasError: boolean;
  /** Bytes and records per topic, for metrics. */
  readonly perTopic: Map<string, { bytes: number; records: number }>;
}

export interface FetchPassOptions {
  readonly version: number;
  /** The response's byte budget (already capped by the broker's limit). */
  readonly maxBytes: number;
}

function errorPartition(partitionIndex: number, errorCode: number): FetchResponsePartitionData {
  return {
    ...defaultFetchResponsePartitionData(),
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: Buffer.alloc(0),
  };
}

function countRecords(records: Buffer): number {
  const split = splitBatches(records);
  if (!split.ok) return 0;
  let count = 0;
  for (const { header } of split.value.batches) count += header.recordCount;
  return count;
}

interface PartitionRead {
  readonly data: FetchResponsePartitionData;
  readonly bytes: number;
}

async function readPartition(
  partition: PartitionHandle,
  request: FetchRequestFetchPartition,
  options: FetchPassOptions & { readonly limitBytes: number; readonly minOneBatch: boolean; readonly readCommitted: boolean },
): Promise<PartitionRead> {
  const index = request.partition;
  if (options.version >= 9) {
    const epochError = leaderEpochError(request.currentLeaderEpoch, partition.leaderEpoch);
    if (epochError !== Errors.NONE) return { data: errorPartition(index, epochError), bytes: 0 };
  }
  const log = partition.log;
  const highWatermark = partition.highWatermark;
  const fetchOffset = request.fetchOffset;
  if (fetchOffset < BigInt(log.logStartOffset) || fetchOffset > BigInt(log.logEndOffset)) {
    return { data: errorPartition(index, Errors.OFFSET_OUT_OF_RANGE), bytes: 0 };
  }
  const offset = Number(fetchOffset);
  const maxBytes = Math.max(0, Math.min(request.partitionMaxBytes, options.limitBytes));
  let records: Buffer = Buffer.alloc(0);
  if (offset < highWatermark && (maxBytes > 0 || options.minOneBatch)) {
    const read = await log.read(offset, { maxBytes, minOneBatch: options.minOneBatch, maxOffset: highWatermark });
    if (!read.ok) return { data: errorPartition(index, errorCodeOf(read.error)), bytes: 0 };
    records = read.value.records;
  }
  const data: FetchResponsePartitionData = {
    ...defaultFetchResponsePartitionData(),
    partitionIndex: index,
    errorCode: Errors.NONE,
    highWatermark: BigInt(highWatermark),
    lastStableOffset: BigInt(highWatermark),
    logStartOffset: BigInt(log.logStartOffset),
    abortedTransactions: options.readCommitted ? [] : null,
    preferredReadReplica: -1,
    records,
  };
  return { data, bytes: records.length };
}

export async function fetchPass(broker: BrokerContext, request: FetchRequest, options: FetchPassOptions): Promise<FetchPass> {
  let remaining = options.maxBytes;
  let bytes = 0;
  let hasError = false;
  // Before v3 the limits are hard (no maxBytes, no oversized first batch).
  let minOneBatch = options.version >= 3;
  const perTopic = new Map<string, { bytes: number; records: number }>();
  const readCommitted = options.version >= 4 && request.isolationLevel === READ_COMMITTED;
  const responses: FetchResponseFetchableTopicResponse[] = [];
  for (const topicRequest of request.topics) {
    const topic = broker.topics.topic(topicRequest.topic);
    const partitions: FetchResponsePartitionData[] = [];
    for (const partitionRequest of topicRequest.partitions) {
      const partition = topic === undefined ? undefined : broker.topics.partition(topic.name, partitionRequest.partition);
      if (partition === undefined) {
        const exists = topic?.partitions[partitionRequest.partition] !== undefined;
        partitions.push(errorPartition(partitionRequest.partition, exists ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION));
        hasError = true;
        continue;
      }
      const read = await readPartition(partition, partitionRequest, { ...options, limitBytes: remaining, minOneBatch, readCommitted });
      partitions.push(read.data);
      if (read.data.errorCode !== Errors.NONE) hasError = true;
      if (read.bytes > 0) {
        minOneBatch = false;
        remaining -= read.bytes;
        bytes += read.bytes;
        const tally = perTopic.get(topicRequest.topic) ?? { bytes: 0, records: 0 };
        tally.bytes += read.bytes;
        tally.records += countRecords(read.data.records!);
        perTopic.set(topicRequest.topic, tally);
      }
    }
    responses.push({ topic: topicRequest.topic, topicId: topicRequest.topicId, partitions });
  }
  return { responses, bytes, hasError, perTopic };
}
