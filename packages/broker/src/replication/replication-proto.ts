/**
 * proto/replication.proto, loaded at run time with @grpc/proto-loader, and the shapes of its
 * messages as the loader decodes them (camelCase, longs as numbers, defaults filled in).
 */
import { loadGrpcService, type GrpcService } from '../rpc/grpc-service.js';

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

export type ReplicationProto = GrpcService;


/** Loads (once) the tributary.replication.v1.Replication service. Throws if the proto file is missing: a broken install. */
export function loadReplicationProto(): ReplicationProto {
  return loadGrpcService(REPLICATION_PROTO_FILE, 'tributary.replication.v1.Replication');
}
