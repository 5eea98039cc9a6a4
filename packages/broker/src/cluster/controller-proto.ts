/**
 * proto/controller.proto, loaded at run time with @grpc/proto-loader, and the TypeScript shapes of
 * its messages as the loader decodes them (camelCase, longs as numbers, defaults filled in).
 */
import { loadGrpcService, type GrpcService } from '../rpc/grpc-service.js';

export const CONTROLLER_PROTO_FILE = 'controller.proto';

export interface Outcome {
  errorCode: number;
  errorMessage: string;
  controllerId: number;
  metadataOffset: number;
}

export interface WireEndpoint {
  name: string;
  host: string;
  port: number;
  securityProtocol: number;
}

export interface RegisterBrokerRequest {
  brokerId: number;
  incarnationId: string;
  endpoints: WireEndpoint[];
  rack: string;
}
export interface RegisterBrokerResponse {
  outcome: Outcome;
  brokerEpoch: number;
}
export interface BrokerHeartbeatRequest {
  brokerId: number;
  brokerEpoch: number;
  caughtUp: boolean;
  wantFence: boolean;
  wantShutdown: boolean;
}
export interface BrokerHeartbeatResponse {
  outcome: Outcome;
  isFenced: boolean;
  shouldShutdown: boolean;
}
export interface CreateTopicRequest {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Array<{ key: string; value: string }>;
}
export interface DeleteTopicRequest {
  name: string;
}
export interface CreatePartitionsRequest {
  name: string;
  total: number;
}
export interface AlterTopicConfigsRequest {
  name: string;
  changes: Array<{ key: string; set: boolean; value: string }>;
}
export interface TopicChangeResponse {
  outcome: Outcome;
  topicId: string;
}
export interface AlterPartitionRequest {
  topicId: string;
  partition: number;
  leaderId: number;
  brokerEpoch: number;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: number[];
}
export interface AlterPartitionResponse {
  outcome: Outcome;
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
}

/** Each method's request and response, by the camelCase method name grpc-js gives clients. */
export interface ControllerMethods {
  registerBroker: [RegisterBrokerRequest, RegisterBrokerResponse];
  brokerHeartbeat: [BrokerHeartbeatRequest, BrokerHeartbeatResponse];
  createTopic: [CreateTopicRequest, TopicChangeResponse];
  deleteTopic: [DeleteTopicRequest, TopicChangeResponse];
  createPartitions: [CreatePartitionsRequest, TopicChangeResponse];
  alterTopicConfigs: [AlterTopicConfigsRequest, TopicChangeResponse];
  alterPartition: [AlterPartitionRequest, AlterPartitionResponse];
}
export type ControllerMethod = keyof ControllerMethods;

export type ControllerProto = GrpcService;


/** Loads (once) the tributary.controller.v1.Controller service. Throws if the proto file is missing: a broken install. */
export function loadControllerProto(): ControllerProto {
  return loadGrpcService(CONTROLLER_PROTO_FILE, 'tributary.controller.v1.Controller');
}
