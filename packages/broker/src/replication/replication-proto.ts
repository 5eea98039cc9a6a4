/**
 * proto/replication.proto, loaded at run time with @grpc/proto-loader, and the shapes of its
 * messages as the loader decodes them (camelCase, longs as numbers, defaults filled in).
 */
import { loadSync } from '@grpc/proto-loader';
import { loadPackageDefinition, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { PROTO_DIR } from '../rpc/node-proto.js';

export const REPLICATION_PROTO_FILE = 'replication.proto';

export interface PartitionFetch {
  topicId: string;
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  maxBytes: number;
}
export interface ReplicaFetchRequest {
  replicaId: number;
  brokerEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: PartitionFetch[];
}
export interface PartitionData {
  topicId: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  records: Uint8Array;
}
export interface ReplicaFetchResponse {
  partitions: PartitionData[];
}
export interface EpochQuery {
  topicId: string;
  partition: number;
  currentLeaderEpoch: number;
  leaderEpoch: number;
}
export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  partitions: EpochQuery[];
}
export interface EpochAnswer {
  topicId: string;
  partition: number;
  errorCode: number;
  leaderEpoch: number;
  endOffset: number;
  logStartOffset: number;
}
export interface OffsetForLeaderEpochResponse {
  partitions: EpochAnswer[];
}

export interface ReplicationProto {
  readonly service: ServiceDefinition;
  readonly Client: ServiceClientConstructor;
}

let cached: ReplicationProto | undefined;

/** Loads (once) the tributary.replication.v1.Replication service. Throws if the proto file is missing: a broken install. */
export function loadReplicationProto(): ReplicationProto {
  if (cached !== undefined) return cached;
  const definition = loadSync(REPLICATION_PROTO_FILE, { includeDirs: [PROTO_DIR], keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  const grpcObject = loadPackageDefinition(definition) as unknown as { tributary: { replication: { v1: { Replication: ServiceClientConstructor } } } };
  const Client = grpcObject.tributary.replication.v1.Replication;
  cached = { service: Client.service, Client };
  return cached;
}
