/**
 * proto/node.proto, loaded at run time with @grpc/proto-loader. The path is resolved from this
 * module's own location, which sits at the same depth in src/ and dist/, so it works from both.
 */
import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';
import { loadPackageDefinition, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';

/** The repository's proto/ directory. */
export const PROTO_DIR = fileURLToPath(new URL('../../../../proto/', import.meta.url));
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

export interface NodeProto {
  readonly service: ServiceDefinition;
  readonly Client: ServiceClientConstructor;
}

let cached: NodeProto | undefined;

/** Loads (once) the tributary.node.v1.Node service. Throws if the proto file is missing: a broken install. */
export function loadNodeProto(): NodeProto {
  if (cached !== undefined) return cached;
  const definition = loadSync(NODE_PROTO_FILE, {
    includeDirs: [PROTO_DIR],
    keepCase: false,
    // Offsets and timestamps are safe integers everywhere in Tributary.
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const grpcObject = loadPackageDefinition(definition) as unknown as { tributary: { node: { v1: { Node: ServiceClientConstructor } } } };
  const Client = grpcObject.tributary.node.v1.Node;
  cached = { service: Client.service, Client };
  return cached;
}
