/**
 * OffsetCommit, v0–8 (kafka-python v2, kafkajs v5, librdkafka v7). Answered once the offsets are
 * durable in `__consumer_offsets`. Partitions of topics this broker does not have get
 * UNKNOWN_TOPIC_OR_PARTITION, as in Kafka; retention times (v2–4) are ignored: committed offsets
 * do not expire yet.
 */
import { ApiKey, ErrorCode, type OffsetCommitRequest, type OffsetCommitResponse } from '@tributary/protocol';
import { submitGroupRequest } from '../group/group-requests.js';
import { partitionExists } from './data/partition-lookup.js';
import type { HandlerSpec, RequestContext } from './handler.js';

async function offsetCommit(request: OffsetCommitRequest, ctx: RequestContext): Promise<OffsetCommitResponse> {
  const topics = ctx.broker.topics;
  const unknown: OffsetCommitResponse['topics'] = [];
  const known: OffsetCommitRequest['topics'] = [];
  for (const t of request.topics) {
    // The coordinator need not hold the partition (in a cluster it usually does not): it must exist.
    const exists = t.partitions.filter((p) => partitionExists(topics, t.name, p.partitionIndex));
    const missing = t.partitions.filter((p) => !partitionExists(topics, t.name, p.partitionIndex));
    if (exists.length > 0) known.push({ ...t, partitions: exists });
    if (missing.length > 0) unknown.push({ name: t.name, partitions: missing.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })) });
  }
  const response = await submitGroupRequest('OffsetCommit', request.groupId, { ...request, topics: known }, ctx);
  return { ...response, topics: [...response.topics, ...unknown] };
}

export const offsetCommitHandler: HandlerSpec<typeof ApiKey.OffsetCommit> = {
  apiKey: ApiKey.OffsetCommit,
  minVersion: 0,
  maxVersion: 8,
  handle: offsetCommit,
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
};
