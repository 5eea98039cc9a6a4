/**
 * The Kafka listener: accepts client connections (up to connectionsMax; more are accepted and
 * closed at once, with a logged reason) and hands each to a Connection. On shutdown it stops
 * accepting, lets every connection answer what it has read (bounded by a grace period), then
 * cuts what is left.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { DEFAULT_KAFKA_LISTENER_NAME, type BrokerLimits, type HostPort } from '../config/broker-config.js';
import { Connection } from './connection.js';
import type { DispatchOutcome, RequestOrigin } from './request-dispatcher.js';

export type Dispatch = (frame: Buffer, origin: RequestOrigin) => Promise<DispatchOutcome>;

/** Open connections counted against connectionsMax; one is shared by a broker's listeners, as Kafka's max.connections is broker-wide. */
export class ConnectionCount {
  open = 0;
}

export interface KafkaListenerOptions {
  /** The listener's name (default PLAINTEXT): requests carry it in their context. */
  readonly name?: string;
  /** Default: this listener's own count. */
  readonly connectionCount?: ConnectionCount;
}

export class KafkaListener {
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private dispatch: Dispatch | null = null;
  private closing = false;

  private constructor(
    private readonly server: Server,
    /** PLAINTEXT, INTERNAL, ...: requests carry it in their context. */
    readonly name: string,
    readonly port: number,
    private readonly limits: BrokerLimits,
    private readonly connectionCount: ConnectionCount,
    private readonly logger: Logger,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => logger.error({ err: error }, 'kafka listener error'));
  }

  /** Binds the port. Connections are served once `serve` is called (right after, in broker.ts). */
  static async bind(listen: HostPort, limits: BrokerLimits, logger: Logger, options: KafkaListenerOptions = {}): Promise<KafkaListener> {
    const name = options.name ?? DEFAULT_KAFKA_LISTENER_NAME;
    const server = createServer({ noDelay: true, keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    logger.info({ listener: name, host: listen.host, port }, 'kafka listening');
    return new KafkaListener(server, name, port, limits, options.connectionCount ?? new ConnectionCount(), logger);
  }

  serve(dispatch: Dispatch): void {
    this.dispatch = dispatch;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Per connection: requests read and unanswered, bytes read (for tests and diagnostics). */
  connectionStats(): Array<{ connectionId: number; pendingRequests: number; bytesRead: number }> {
    return [...this.connections].map((c) => ({ connectionId: c.connectionId, pendingRequests: c.pendingRequests, bytesRead: c.bytesRead }));
  }

  get accepting(): boolean {
    return this.dispatch !== null && !this.closing && this.server.listening;
  }

  private accept(socket: Socket): void {
    const client = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.on('error', () => {});
    if (this.dispatch === null || this.closing) {
      this.logger.info({ client }, this.closing ? 'refusing connection: shutting down' : 'refusing connection: not serving yet');
      socket.destroy();
      return;
    }
    if (this.connectionCount.open >= this.limits.connectionsMax) {
      this.logger.warn({ client, connectionsMax: this.limits.connectionsMax }, 'refusing connection: connection limit reached');
      socket.destroy();
      return;
    }
    const id = this.nextConnectionId++;
    const connection = new Connection(socket, {
      id,
      listenerName: this.name,
      frameBytesMax: this.limits.frameBytesMax,
      inFlightRequestsMax: this.limits.inFlightRequestsPerConnectionMax,
      dispatch: this.dispatch,
      logger: this.logger,
    });
    this.connections.add(connection);
    this.connectionCount.open++;
    this.logger.debug({ connectionId: id, client, listener: this.name }, 'connection opened');
    void connection.closed.then(() => {
      this.connections.delete(connection);
      this.connectionCount.open--;
      this.logger.debug({ connectionId: id, client }, 'connection closed');
    });
  }

  /**
   * Stops accepting; each connection answers the requests it has read (their signals aborted, so
   * long polls end) and closes. Whatever is still open after `graceMs` is cut.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.drain();
    const allClosed = Promise.all([...this.connections].map((c) => c.closed));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const cut = await Promise.race([allClosed.then(() => false), timedOut]);
    clearTimeout(timer);
    if (cut) {
      this.logger.warn({ open: this.connections.size, graceMs }, 'shutdown grace exceeded: cutting connections');
      for (const connection of this.connections) connection.destroy();
      await allClosed;
    }
    await stopped;
  }
}
