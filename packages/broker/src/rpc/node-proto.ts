/** proto/node.proto's service and message shapes (loaded by grpc-service.ts). */
import { loadGrpcService, type GrpcService } from './grpc-service.js';


export const NODE_PROTO_FILE = 'node.proto';

export interface PingRequest {
  fromNodeId: number;
  sentAtMs: number;
}

export interface PingResponse {
  nodeId: number;
  clusterId: string;
  sentAtMs: number;
  receivedAtMs: number;
}

export type NodeProto = GrpcService;


/** Loads (once) the tributary.node.v1.Node service. Throws if the proto file is missing: a broken install. */
export function loadNodeProto(): NodeProto {
  return loadGrpcService(NODE_PROTO_FILE, 'tributary.node.v1.Node');
}
