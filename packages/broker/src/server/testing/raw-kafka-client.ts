/**
 * A bare Kafka client for listener tests: writes frames as given (pipelined, chunked, broken)
 * and collects response frames in arrival order.
 */
import { connect, type Socket } from 'node:net';
import { FrameSplitter, decodeResponse, encodeRequest, type ApiKey, type ApiRequests, type ApiResponses } from '@tributary/protocol';

export class RawKafkaClient {
  private readonly splitter = new FrameSplitter();
  private readonly frames: Buffer[] = [];
  private readonly waiting: Array<(frame: Buffer | null) => void> = [];
  private isClosed = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      const result = this.splitter.push(chunk);
      if (!result.ok) throw result.error;
      for (const frame of result.value) {
        const waiter = this.waiting.shift();
        if (waiter) waiter(frame);
        else this.frames.push(frame);
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        for (const waiter of this.waiting.splice(0)) waiter(null);
        resolve();
      }),
    );
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawKafkaClient> {
    const socket = connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawKafkaClient(socket);
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** The next response frame (without its size prefix), or null once the connection closed. */
  nextFrame(): Promise<Buffer | null> {
    const frame = this.frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    if (this.isClosed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Reads the next response as `apiKey` at `version`; throws if the connection closed instead. */
  async response<K extends ApiKey>(apiKey: K, version: number): Promise<{ correlationId: number; body: ApiResponses[K] }> {
    const frame = await this.nextFrame();
    if (frame === null) throw new Error('connection closed before a response');
    const decoded = decodeResponse(apiKey, version, frame);
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A request frame, size prefix included; throws on values the version cannot hold. */
export function requestFrame<K extends ApiKey>(apiKey: K, version: number, correlationId: number, body: ApiRequests[K], clientId: string | null = 'test'): Buffer {
  const frame = encodeRequest(apiKey, version, correlationId, clientId, body);
  if (!frame.ok) throw frame.error;
  return frame.value;
}
