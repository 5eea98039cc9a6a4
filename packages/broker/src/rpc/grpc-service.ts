/**
 * Loads one service of a proto/ file at run time with @grpc/proto-loader, once per service. The
 * proto directory is resolved from this module's own location, which sits at the same depth in
 * src/ and dist/, so it works from both. Throws if the file is missing: a broken install.
 */
import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';
import { loadPackageDefinition, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';

/** The repository's proto/ directory. */
export const PROTO_DIR = fileURLToPath(new URL('../../../../proto/', import.meta.url));

export interface GrpcService {
  readonly service: ServiceDefinition;
  readonly Client: ServiceClientConstructor;
}

const loaded = new Map<string, GrpcService>();

/** `qualifiedName` is the package and service, e.g. 'tributary.raft.v1.Raft'. */
export function loadGrpcService(protoFile: string, qualifiedName: string): GrpcService {
  const key = `${protoFile}:${qualifiedName}`;
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  const definition = loadSync(protoFile, {
    includeDirs: [PROTO_DIR],
    keepCase: false,
    // Offsets and timestamps are safe integers everywhere in Tributary.
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  let node: unknown = loadPackageDefinition(definition);
  for (const part of qualifiedName.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'function') throw new Error(`${protoFile} has no service ${qualifiedName}`);
  const Client = node as ServiceClientConstructor;
  const service = { service: Client.service, Client };
  loaded.set(key, service);
  return service;
}
