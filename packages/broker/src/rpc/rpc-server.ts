/**
 * The broker-to-broker gRPC server on --rpc-listen, serving tributary.node.v1.Node. Today it
 * answers Ping; replication and the controller quorum build on it.
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { HostPort } from '../config/broker-config.js';
import { loadNodeProto, type PingRequest, type PingResponse } from './node-proto.js';

export interface NodeIdentity {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly nowMs: () => number;
}

/** gRPC wants `[ipv6]:port` for IPv6 hosts. */
export function grpcAddress(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** A further service to serve beside Node (e.g. tributary.raft.v1.Raft). */
export interface AdditionalRpcService {
  readonly service: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/** Largest broker-to-broker gRPC message (a Raft snapshot is sent whole), matching the Raft transport's default. */
export const RPC_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;

export class RpcServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(
    listen: HostPort,
    identity: NodeIdentity,
    logger: Logger,
    services: readonly AdditionalRpcService[] = [],
    maxMessageBytes: number = RPC_MESSAGE_BYTES_MAX,
  ): Promise<RpcServer> {
    const { service } = loadNodeProto();
    // gRPC's default is 4 MiB per message; Raft snapshots travel whole, so the bound is raised (and explicit).
    const server = new Server({ 'grpc.max_receive_message_length': maxMessageBytes, 'grpc.max_send_message_length': maxMessageBytes });
    server.addService(service, {
      ping(call: ServerUnaryCall<PingRequest, PingResponse>, callback: sendUnaryData<PingResponse>) {
        logger.debug({ fromNodeId: call.request.fromNodeId }, 'ping');
        callback(null, { nodeId: identity.nodeId, clusterId: identity.clusterId, sentAtMs: call.request.sentAtMs, receivedAtMs: identity.nowMs() });
      },
    });
    for (const extra of services) server.addService(extra.service, extra.implementation);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(grpcAddress(listen), ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
    });
    logger.info({ host: listen.host, port }, 'rpc listening');
    return new RpcServer(server, port);
  }

  /** Lets calls in progress finish for up to `graceMs`, then cuts the rest. */
  async close(graceMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
