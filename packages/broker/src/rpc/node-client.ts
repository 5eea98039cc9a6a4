/** A client of another node's tributary.node.v1.Node service. */
import { credentials, type Client } from '@grpc/grpc-js';
import type { HostPort } from '../config/broker-config.js';
import { loadNodeProto, type PingRequest, type PingResponse } from './node-proto.js';
import { grpcAddress } from './rpc-server.js';

type UnaryMethod<Req, Res> = (request: Req, options: { deadline: number }, callback: (error: Error | null, response?: Res) => void) => void;

export class NodeClient {
  private readonly client: Client & { ping: UnaryMethod<PingRequest, PingResponse> };

  constructor(address: HostPort) {
    const { Client: NodeServiceClient } = loadNodeProto();
    this.client = new NodeServiceClient(grpcAddress(address), credentials.createInsecure()) as unknown as Client & { ping: UnaryMethod<PingRequest, PingResponse> };
  }

  ping(request: PingRequest, timeoutMs: number): Promise<PingResponse> {
    return new Promise((resolve, reject) => {
      this.client.ping(request, { deadline: Date.now() + timeoutMs }, (error, response) => (error || response === undefined ? reject(error ?? new Error('empty ping response')) : resolve(response)));
    });
  }

  close(): void {
    this.client.close();
  }
}
