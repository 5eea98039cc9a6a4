/**
 * DeleteTopics, v0–6 (kafkajs and librdkafka send v1, kafka-python v3). Topics by name (v0–5,
 * `topicNames`) or, from v6, by name or by topic id. Per-topic error codes; messages from v5.
 * A topic is gone, durably, before its result is sent. TOPIC_DELETION_DISABLED when the broker's
 * delete.topic.enable is false; internal topics cannot be deleted (INVALID_REQUEST).
 *
 * Differs from Kafka: timeoutMs is not waited on (deletion completes before the answer).
 */
import { ApiKey, ErrorCode, defaultDeleteTopicsResponse, type DeleteTopicsRequest, type DeleteTopicsResponse, type DeleteTopicsResponseDeletableTopicResult } from '@tributary/protocol';
import type { HandlerSpec, RequestContext } from './handler.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

interface Target {
  readonly name: string | null;
  readonly topicId: string;
}

function result(target: Target, errorCode: number, errorMessage: string | null): DeleteTopicsResponseDeletableTopicResult {
  return { name: target.name, topicId: target.topicId, errorCode, errorMessage };
}

function targetsOf(request: DeleteTopicsRequest, apiVersion: number): Target[] {
  if (apiVersion >= 6) return request.topics.map((t) => ({ name: t.name, topicId: t.topicId }));
  return request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}

/** Why a target cannot be deleted before looking it up, or null. */
function invalidTarget(target: Target, seen: Map<string, number>): string | null {
  const byName = target.name !== null;
  const byId = target.topicId !== ZERO_UUID;
  if (byName && byId) return 'You may not specify both topic name and topic id.';
  if (!byName && !byId) return 'Neither topic name nor id were specified.';
  return seen.get(byName ? `n:${target.name}` : `i:${target.topicId}`)! > 1 ? (byName ? 'Duplicate topic name.' : 'Duplicate topic id.') : null;
}

async function deleteOne(target: Target, ctx: RequestContext): Promise<DeleteTopicsResponseDeletableTopicResult> {
  const topics = ctx.broker.topics;
  let name = target.name;
  if (name === null) {
    const topic = topics.topicById(target.topicId);
    if (topic === undefined) return result(target, ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${target.topicId} does not exist.`);
    name = topic.name;
  }
  const topicId = topics.topic(name)?.topicId ?? target.topicId;
  const deleted = await topics.deleteTopic(name);
  return deleted.ok ? result({ name, topicId }, ErrorCode.NONE, null) : result({ name, topicId: target.topicId }, deleted.error.code, deleted.error.message);
}

async function deleteTopics(request: DeleteTopicsRequest, ctx: RequestContext): Promise<DeleteTopicsResponse> {
  const response = defaultDeleteTopicsResponse();
  const targets = targetsOf(request, ctx.apiVersion);
  const seen = new Map<string, number>();
  for (const t of targets) {
    const key = t.name !== null ? `n:${t.name}` : `i:${t.topicId}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const target of targets) {
    const invalid = invalidTarget(target, seen);
    if (invalid !== null) response.responses.push(result(target, ErrorCode.INVALID_REQUEST, invalid));
    else if (!ctx.broker.config.deleteTopicEnable) response.responses.push(result(target, ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.'));
    else response.responses.push(await deleteOne(target, ctx));
  }
  return response;
}

export const deleteTopicsHandler: HandlerSpec<typeof ApiKey.DeleteTopics> = {
  apiKey: ApiKey.DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  handle: deleteTopics,
  errorResponse: (request, errorCode) => ({
    ...defaultDeleteTopicsResponse(),
    responses: [...request.topicNames.map((name) => ({ name, topicId: ZERO_UUID })), ...request.topics].map((t) => result(t, errorCode, null)),
  }),
};
