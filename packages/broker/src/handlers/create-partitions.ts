/**
 * CreatePartitions, v0–3 (kafkajs and kafka-python send v1, librdkafka v0). Grows a topic to
 * `count` partitions; fewer or equal is INVALID_PARTITIONS. Manual assignments, when given, need
 * one entry per new partition, each placing it on this node alone. validateOnly checks only.
 *
 * Differs from Kafka: timeoutMs is not waited on (the partitions exist before the answer).
 */
import {
  ApiKey,
  ErrorCode,
  defaultCreatePartitionsResponse,
  type CreatePartitionsRequest,
  type CreatePartitionsRequestCreatePartitionsTopic,
  type CreatePartitionsResponse,
  type CreatePartitionsResponseCreatePartitionsTopicResult,
} from '@tributary/protocol';
import type { HandlerSpec, RequestContext } from './handler.js';

function result(name: string, errorCode: number, errorMessage: string | null): CreatePartitionsResponseCreatePartitionsTopicResult {
  return { name, errorCode, errorMessage };
}

/** Why the manual assignments cannot be honoured, or null. */
function invalidAssignments(topic: CreatePartitionsRequestCreatePartitionsTopic, current: number, nodeId: number): string | null {
  const assignments = topic.assignments;
  if (assignments === null) return null;
  const adding = topic.count - current;
  if (adding > 0 && assignments.length !== adding) return `Increasing the number of partitions by ${adding} but ${assignments.length} assignments provided.`;
  for (const assignment of assignments) {
    const ids = assignment.brokerIds;
    if (ids.length !== 1 || ids[0] !== nodeId) return `Replica assignment [${ids.join(', ')}] is not possible: this cluster has one broker, ${nodeId}.`;
  }
  return null;
}

async function createPartitions(request: CreatePartitionsRequest, ctx: RequestContext): Promise<CreatePartitionsResponse> {
  const response = defaultCreatePartitionsResponse();
  const counts = new Map<string, number>();
  for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
  for (const topic of request.topics) {
    if (counts.get(topic.name)! > 1) {
      response.results.push(result(topic.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.'));
      continue;
    }
    const current = ctx.broker.topics.topic(topic.name)?.partitions.length;
    const invalid = current === undefined ? null : invalidAssignments(topic, current, ctx.broker.nodeId);
    if (invalid !== null) {
      response.results.push(result(topic.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, invalid));
      continue;
    }
    const grown = await ctx.broker.topics.createPartitions(topic.name, topic.count, request.validateOnly);
    response.results.push(grown.ok ? result(topic.name, ErrorCode.NONE, null) : result(topic.name, grown.error.code, grown.error.message));
  }
  return response;
}

export const createPartitionsHandler: HandlerSpec<typeof ApiKey.CreatePartitions> = {
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  handle: createPartitions,
  errorResponse: (request, errorCode) => ({ ...defaultCreatePartitionsResponse(), results: request.topics.map((t) => result(t.name, errorCode, null)) }),
};
