/**
 * The server side of tributary.controller.v1.Controller: each call becomes one decision of the
 * active controller. A node that is not the active controller answers NOT_CONTROLLER with the
 * leader it knows of. A handler never throws: a failure is an Outcome with an error code.
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Clock } from '@tributary/common';
import type { ControllerResult, Decision, QuorumController } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import type { Logger } from 'pino';
import type { AdditionalRpcService } from '../rpc/rpc-server.js';
import type { ActiveController, ControllerAnswer } from './active-controller.js';
import { loadControllerProto, type ControllerMethod, type ControllerMethods, type Outcome } from './controller-proto.js';
import type { MetadataQuorum } from './metadata-quorum.js';

type Handler<M extends ControllerMethod> = (request: ControllerMethods[M][0]) => Promise<ControllerMethods[M][1]>;

export function controllerRpcService(controller: ActiveController, quorum: MetadataQuorum, clock: Clock, logger: Logger): AdditionalRpcService {
  const outcome = (answer: ControllerAnswer<unknown>): Outcome => ({
    errorCode: answer.ok ? 0 : answer.error.code,
    errorMessage: answer.ok ? '' : answer.error.message,
    controllerId: quorum.leaderId ?? -1,
    metadataOffset: answer.ok ? answer.offset : quorum.image.offset,
  });
  const decide = <T>(decision: (c: QuorumController) => ControllerResult<Decision<T>>) => controller.decide(decision);

  const handlers: { [M in ControllerMethod]: Handler<M> } = {
    async registerBroker(request) {
      const answer = await decide((c) =>
        c.registerBroker(
          { brokerId: request.brokerId, incarnationId: request.incarnationId, endpoints: request.endpoints, rack: request.rack === '' ? null : request.rack },
          clock.monotonicMs(),
        ),
      );
      return { outcome: outcome(answer), brokerEpoch: answer.ok ? answer.value.brokerEpoch : -1 };
    },
    async brokerHeartbeat(request) {
      const answer = await decide((c) =>
        c.heartbeat(request.brokerId, request.brokerEpoch, clock.monotonicMs(), { caughtUp: request.caughtUp, wantFence: request.wantFence, wantShutdown: request.wantShutdown }),
      );
      return { outcome: outcome(answer), isFenced: answer.ok ? answer.value.isFenced : true, shouldShutdown: answer.ok ? answer.value.shouldShutdown : false };
    },
    async createTopic(request) {
      const configs = new Map(request.configs.map((c) => [c.key, c.value] as const));
      const answer = await decide((c) => c.createTopic({ name: request.name, partitions: request.partitions, replicationFactor: request.replicationFactor, configs }));
      return { outcome: outcome(answer), topicId: answer.ok ? answer.value.topicId : '' };
    },
    async deleteTopic(request) {
      const answer = await decide((c) => c.deleteTopic(request.name));
      return { outcome: outcome(answer), topicId: answer.ok ? answer.value.topicId : '' };
    },
    async createPartitions(request) {
      const answer = await decide((c) => c.createPartitions(request.name, request.total));
      return { outcome: outcome(answer), topicId: answer.ok ? answer.value.topicId : '' };
    },
    async alterTopicConfigs(request) {
      const changes = new Map(request.changes.map((c) => [c.key, c.set ? c.value : null] as const));
      const answer = await decide((c) => c.alterTopicConfigs(request.name, changes));
      return { outcome: outcome(answer), topicId: answer.ok ? answer.value.topicId : '' };
    },
    async alterPartition(request) {
      const answer = await decide((c) => c.alterPartition({ ...request, newIsr: request.newIsr }));
      return answer.ok
        ? { outcome: outcome(answer), ...answer.value, isr: [...answer.value.isr] }
        : { outcome: outcome(answer), leader: -1, leaderEpoch: -1, partitionEpoch: -1, isr: [] };
    },
  };

  const implementation: Record<string, (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void> = {};
  for (const [method, handler] of Object.entries(handlers) as Array<[ControllerMethod, Handler<ControllerMethod>]>) {
    implementation[method] = (call, callback) => {
      (handler as (request: unknown) => Promise<unknown>)(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => {
          logger.error({ err: error, method }, 'controller request failed');
          const failed: Outcome = { errorCode: ErrorCode['UNKNOWN_SERVER_ERROR']!, errorMessage: String(error), controllerId: quorum.leaderId ?? -1, metadataOffset: quorum.image.offset };
          callback(null, { outcome: failed });
        },
      );
    };
  }
  return { service: loadControllerProto().service, implementation };
}
