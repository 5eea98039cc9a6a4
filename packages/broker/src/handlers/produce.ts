/**
 * Produce (API 0), versions 0–9 (clients send 7; 9 is the first flexible one).
 *
 * - acks 0, 1 and -1; anything else is INVALID_REQUIRED_ACKS. On one broker acks=1 and acks=all
 *   both answer once the append is durable (PartitionLog.appendAsLeader); acks=0 gets no
 *   response, after the append, so a connection's requests still run in order.
 * - Only record batches (magic 2) are stored: message sets v0/v1, which Produce v0–2 may carry,
 *   get UNSUPPORTED_FOR_MESSAGE_FORMAT (Kafka would convert them). As for v3+ in Kafka, each
 *   partition's records must be exactly one batch.
 * - Differs from Kafka: an unknown topic is created here when auto.create.topics.enable is on
 *   (Kafka creates only on Metadata), so a client that produces without asking first still works.
 * - Transactions are not supported yet: a transactionalId gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
import type { ProduceRequest, ProduceResponse, ProduceResponsePartitionProduceResponse } from '@tributary/protocol';
import { ApiKey, defaultProduceResponse, defaultProduceResponsePartitionProduceResponse } from '@tributary/protocol';
import type { BrokerContext } from '../broker-context.js';
import type { TopicState } from '../state/topic-manager.js';
import { Errors } from './data/error-codes.js';
import { producePartition, produceError, type PartitionProduceResult } from './data/produce-partition.js';
import { CloseConnection, NO_RESPONSE, type HandlerSpec, type RequestContext } from './handler.js';

const VALID_ACKS = new Set([0, 1, -1]);

function partitionResponse(index: number, result: PartitionProduceResult): ProduceResponsePartitionProduceResponse {
  return {
    ...defaultProduceResponsePartitionProduceResponse(),
    index,
    errorCode: result.errorCode,
    baseOffset: BigInt(result.baseOffset),
    logAppendTimeMs: BigInt(result.logAppendTimeMs),
    logStartOffset: BigInt(result.logStartOffset),
    errorMessage: result.errorMessage,
  };
}

/** The same answer for every partition of the request. */
function uniformResponse(request: ProduceRequest, errorCode: number, errorMessage: string | null): ProduceResponse {
  return {
    ...defaultProduceResponse(),
    responses: request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p) => partitionResponse(p.index, produceError(errorCode, errorMessage))),
    })),
  };
}

/** The topic, created first when it is missing and auto-creation is on; undefined otherwise. */
async function resolveTopic(broker: BrokerContext, name: string): Promise<TopicState | undefined> {
  const existing = broker.topics.topic(name);
  if (existing || !broker.config.autoCreateTopics || !broker.topics.validateTopicName(name).ok) return existing;
  const created = await broker.topics.createTopic({ name, numPartitions: -1, replicationFactor: -1, configs: {}, validateOnly: false });
  if (created.ok) {
    broker.logger.info({ topic: name }, 'auto-created topic on produce');
    return created.value;
  }
  // Another request may have created it meanwhile.
  return broker.topics.topic(name);
}

async function handleProduce(request: ProduceRequest, ctx: RequestContext): Promise<ProduceResponse | typeof NO_RESPONSE | CloseConnection> {
  const broker = ctx.broker;
  if (!VALID_ACKS.has(request.acks)) {
    return uniformResponse(request, Errors.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${request.acks}`);
  }
  if (request.transactionalId !== null) {
    if (request.acks === 0) return new CloseConnection('acks=0 produce with a transactional id: transactions are not supported yet');
    return uniformResponse(request, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported yet');
  }
  const responses = await Promise.all(
    request.topicData.map(async (topicData) => {
      const topic = await resolveTopic(broker, topicData.name);
      const results = await Promise.all(
        topicData.partitionData.map((p): Promise<PartitionProduceResult> => {
          if (topic === undefined) return Promise.resolve(produceError(Errors.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${topicData.name}`));
          if (topic.isInternal) return Promise.resolve(produceError(Errors.INVALID_TOPIC_EXCEPTION, `cannot produce to internal topic ${topic.name}`));
          return producePartition(broker, topic, p.index, p.records, { acks: request.acks, timeoutMs: request.timeoutMs });
        }),
      );
      return { name: topicData.name, partitionResponses: results.map((r, i) => partitionResponse(topicData.partitionData[i].index, r)) };
    }),
  );
  if (request.acks === 0) {
    // The client expects no answer; as Kafka does, a failure closes the connection so it notices.
    const failed = responses.flatMap((t) => t.partitionResponses).find((p) => p.errorCode !== Errors.NONE);
    return failed === undefined ? NO_RESPONSE : new CloseConnection(`acks=0 produce failed with error ${failed.errorCode}: ${failed.errorMessage ?? ''}`);
  }
  return { ...defaultProduceResponse(), responses };
}

export const produceHandler: HandlerSpec<typeof ApiKey.Produce> = {
  apiKey: ApiKey.Produce,
  minVersion: 0,
  maxVersion: 9,
  handle: handleProduce,
  errorResponse: (request, errorCode) => (request.acks === 0 ? new CloseConnection(`acks=0 produce failed with error ${errorCode}`) : uniformResponse(request, errorCode, null)),
};
