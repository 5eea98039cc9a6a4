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

export class RpcServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(listen: HostPort, identity: NodeIdentity, logger: Logger, services: readonly AdditionalRpcService[] = []): Promise<RpcServer> {
    const { service } = loadNodeProto();
    const server = new Server();
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
