/**
 * One TCP connection to one broker: frames requests with correlation ids, matches responses
 * to them, and times out both the connect and each request. Kafka answers a connection's
 * requests in order; we still match by correlation id so a confused broker shows as an error,
 * not as a wrong answer.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { err, ok, type Result } from '@tributary/common';
import { FrameSplitter, apis, decodeResponse, encodeRequest, type ApiKey, type ApiRequests, type ApiResponses } from '@tributary/protocol';
import { ClientError } from './client-error.js';
import { formatHostPort, type BrokerAddress } from './host-port.js';

export interface ConnectionOptions {
  /** Sent in every request header. */
  readonly clientId: string;
  /** Longest wait for the TCP connection to open. */
  readonly connectTimeoutMs: number;
  /** Longest wait for one response (a Fetch's maxWaitMs is added to it by callers). */
  readonly requestTimeoutMs: number;
  /** Requests sent but not yet answered, at most; further sends wait for a slot. */
  readonly inFlightRequestsMax: number;
  /** Largest response frame accepted. */
  readonly frameBytesMax: number;
}

export const defaultConnectionOptions: ConnectionOptions = {
  clientId: 'tributary-cli',
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  inFlightRequestsMax: 16,
  frameBytesMax: 128 * 1024 * 1024,
};

interface Pending {
  readonly apiKey: ApiKey;
  readonly version: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (result: Result<unknown, ClientError>) => void;
}

/** Correlation ids wrap within int32, as Kafka's clients do. */
const CORRELATION_ID_MAX = 0x7fffffff;

export class BrokerConnection {
  private readonly splitter: FrameSplitter;
  private readonly pending = new Map<number, Pending>();
  private readonly slotWaiters: Array<() => void> = [];
  private nextCorrelationId = 1;
  private failure: ClientError | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly address: BrokerAddress,
    private readonly options: ConnectionOptions,
  ) {
    this.splitter = new FrameSplitter({ frameBytesMax: options.frameBytesMax });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new ClientError('disconnected', `connection to ${formatHostPort(address)} failed: ${e.message}`)));
    socket.on('close', () => this.fail(new ClientError('disconnected', `connection to ${formatHostPort(address)} closed`)));
  }

  /** Opens a connection; an 'unreachable' error names the address and the reason. */
  static connect(address: BrokerAddress, options: ConnectionOptions = defaultConnectionOptions): Promise<Result<BrokerConnection, ClientError>> {
    return new Promise((resolve) => {
      const socket = netConnect({ host: address.host, port: address.port, noDelay: true });
      const unreachable = (reason: string): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(err(new ClientError('unreachable', `cannot reach broker at ${formatHostPort(address)}: ${reason}`)));
      };
      const timer = setTimeout(() => unreachable(`no connection after ${options.connectTimeoutMs} ms`), options.connectTimeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => unreachable(e.code ?? e.message));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(ok(new BrokerConnection(socket, address, options)));
      });
    });
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  /** Sends a request and waits for its response. */
  async request<K extends ApiKey>(
    apiKey: K,
    version: number,
    body: ApiRequests[K],
    extraTimeoutMs = 0,
  ): Promise<Result<ApiResponses[K], ClientError>> {
    await this.waitForSlot();
    if (this.failure !== null) return err(this.failure);
    const correlationId = this.takeCorrelationId();
    const frame = encodeRequest(apiKey, version, correlationId, this.options.clientId, body);
    if (!frame.ok) return err(new ClientError('protocol', `cannot encode ${apis[apiKey].name} v${version}: ${frame.error.message}`));
    return new Promise((resolve) => {
      const timeoutMs = this.options.requestTimeoutMs + extraTimeoutMs;
      const timer = setTimeout(() => {
        // A late answer would leave the stream in an unknown state: drop the connection.
        this.fail(new ClientError('timeout', `${apis[apiKey].name} to ${formatHostPort(this.address)} got no response in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(correlationId, { apiKey, version, timer, resolve: resolve as Pending['resolve'] });
      this.socket.write(frame.value);
    });
  }

  /** Sends a request that gets no response (Produce with acks=0); resolves once written. */
  async send<K extends ApiKey>(apiKey: K, version: number, body: ApiRequests[K]): Promise<Result<void, ClientError>> {
    if (this.failure !== null) return err(this.failure);
    const frame = encodeRequest(apiKey, version, this.takeCorrelationId(), this.options.clientId, body);
    if (!frame.ok) return err(new ClientError('protocol', `cannot encode ${apis[apiKey].name} v${version}: ${frame.error.message}`));
    return new Promise((resolve) => {
      this.socket.write(frame.value, (e) => resolve(e ? err(new ClientError('disconnected', e.message)) : ok(undefined)));
    });
  }

  close(): void {
    this.fail(new ClientError('disconnected', `connection to ${formatHostPort(this.address)} closed by us`));
  }

  private takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = id >= CORRELATION_ID_MAX ? 1 : id + 1;
    return id;
  }

  private async waitForSlot(): Promise<void> {
    while (this.failure === null && this.pending.size >= this.options.inFlightRequestsMax) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
  }

  private releaseSlot(): void {
    this.slotWaiters.shift()?.();
  }

  private onData(chunk: Buffer): void {
    const frames = this.splitter.push(chunk);
    if (!frames.ok) {
      this.fail(new ClientError('protocol', `bad frame from ${formatHostPort(this.address)}: ${frames.error.message}`));
      return;
    }
    for (const frame of frames.value) this.onFrame(frame);
  }

  private onFrame(frame: Buffer): void {
    if (frame.length < 4) {
      this.fail(new ClientError('protocol', `response of ${frame.length} bytes from ${formatHostPort(this.address)}`));
      return;
    }
    const correlationId = frame.readInt32BE(0);
    const entry = this.pending.get(correlationId);
    if (entry === undefined) {
      this.fail(new ClientError('protocol', `response with unknown correlation id ${correlationId} from ${formatHostPort(this.address)}`));
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(entry.timer);
    const decoded = decodeResponse(entry.apiKey, entry.version, frame);
    if (decoded.ok) entry.resolve(ok(decoded.value.body));
    else {
      const name = `${apis[entry.apiKey].name} v${entry.version}`;
      entry.resolve(err(new ClientError('protocol', `cannot decode ${name} response: ${decoded.error.message}`)));
    }
    this.releaseSlot();
  }

  private fail(error: ClientError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.socket.destroy();
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.resolve(err(error));
    }
    this.pending.clear();
    for (const wake of this.slotWaiters.splice(0)) wake();
  }
}
