/**
 * InitProducerId (API 22), versions 0–4 (kafkajs sends 1, librdkafka 4).
 *
 * Idempotent producers only: a fresh producer id with epoch 0, from blocks reserved durably so
 * ids never repeat across restarts. v3+ with an existing producerId/epoch (KIP-360, librdkafka's
 * recovery after a sequence error) bumps that producer's epoch instead; Kafka would hand out a
 * new id, and either way the producer restarts its sequences at 0.
 * Differs from Kafka: there is no transaction coordinator yet, so a transactionalId is answered
 * with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, a non-retriable error, so clients fail fast and
 * say why rather than retry forever (as COORDINATOR_NOT_AVAILABLE would make them).
 */
import { ApiKey, defaultInitProducerIdResponse, type InitProducerIdRequest, type InitProducerIdResponse } from '@tributary/protocol';
import { Errors } from './data/error-codes.js';
import type { HandlerSpec, RequestContext } from './handler.js';

function failure(errorCode: number): InitProducerIdResponse {
  return { ...defaultInitProducerIdResponse(), errorCode, producerId: -1n, producerEpoch: -1 };
}

async function handleInitProducerId(request: InitProducerIdRequest, ctx: RequestContext): Promise<InitProducerIdResponse> {
  const broker = ctx.broker;
  if (request.transactionalId !== null) {
    broker.logger.info({ transactionalId: request.transactionalId, client: ctx.header.clientId }, 'transactional producer refused: transactions are not supported yet');
    return failure(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  const existing = ctx.apiVersion >= 3 && request.producerId >= 0n;
  const allocated = existing
    ? await broker.producers.bumpEpoch({ producerId: request.producerId, producerEpoch: request.producerEpoch })
    : await broker.producers.allocateProducerId();
  if (!allocated.ok) {
    broker.logger.warn({ err: allocated.error }, 'InitProducerId failed');
    return failure(allocated.error.code);
  }
  return { ...defaultInitProducerIdResponse(), errorCode: Errors.NONE, ...allocated.value };
}

export const initProducerIdHandler: HandlerSpec<typeof ApiKey.InitProducerId> = {
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 4,
  handle: handleInitProducerId,
  errorResponse: (_request, errorCode) => failure(errorCode),
};
