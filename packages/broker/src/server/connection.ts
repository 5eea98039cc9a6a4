/**
 * One client connection. Bytes are split into frames (bounded by frameBytesMax); requests are
 * answered strictly in order, one at a time, as Kafka does (kafka-python fails on any other
 * order). At most `inFlightRequestsMax` requests are held unanswered; beyond that the socket is
 * paused, so a client that pipelines faster than we answer is slowed by TCP, not dropped.
 * A response is written only once the previous one has drained, so a client that stops reading
 * costs one response of memory, not an unbounded queue.
 */
import type { Socket } from 'node:net';
import { FrameSplitter } from '@tributary/protocol';
import type { Logger } from 'pino';
import type { DispatchOutcome, RequestOrigin } from './request-dispatcher.js';

export interface ConnectionOptions {
  readonly id: number;
  /** The listener that accepted it. */
  readonly listenerName: string;
  readonly frameBytesMax: number;
  readonly inFlightRequestsMax: number;
  readonly dispatch: (frame: Buffer, origin: RequestOrigin) => Promise<DispatchOutcome>;
  readonly logger: Logger;
}

/** After we end a connection, how long the client has to read what we sent before it is cut. */
const CLOSE_LINGER_MS = 1000;

export class Connection implements RequestOrigin {
  readonly connectionId: number;
  readonly clientAddress: string;
  readonly listenerName: string;
  private readonly splitter: FrameSplitter;
  private readonly abort = new AbortController();
  private readonly queue: Buffer[] = [];
  /** The serving loop is running. */
  private serving = false;
  /** A request has been taken from the queue and not yet answered. */
  private answering = false;
  private paused = false;
  /** No more requests are read; those queued are still answered. */
  private draining = false;
  private ended = false;
  private readonly closedPromise: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.connectionId = options.id;
    this.listenerName = options.listenerName;
    this.clientAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.splitter = new FrameSplitter({ frameBytesMax: options.frameBytesMax });
    socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => options.logger.debug({ connectionId: this.connectionId, err: error }, 'socket error'));
    socket.once('close', () => {
      this.ended = true;
      this.queue.length = 0;
      this.abort.abort(new Error('connection closed'));
    });
  }

  /** Aborted when the connection closes or the broker shuts down. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Resolves once the socket is closed. */
  get closed(): Promise<void> {
    return this.closedPromise;
  }

  /** Requests read and not yet answered (the one being served included). */
  get pendingRequests(): number {
    return this.queue.length + (this.answering ? 1 : 0);
  }

  /** Bytes read from the client so far. */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  private onData(chunk: Buffer): void {
    if (this.ended || this.draining) return;
    const frames = this.splitter.push(chunk);
    if (!frames.ok) {
      this.close(`bad frame: ${frames.error.message}`, false);
      return;
    }
    for (const frame of frames.value) this.queue.push(frame);
    this.updateFlow();
    void this.serve();
  }

  /** Pauses reading while the in-flight bound is reached; resumes below it. */
  private updateFlow(): void {
    const full = this.pendingRequests >= this.options.inFlightRequestsMax;
    if (full && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!full && this.paused && !this.draining) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Answers queued requests one at a time, in order. */
  private async serve(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.queue.length > 0 && !this.ended) {
        const frame = this.queue.shift() as Buffer;
        this.answering = true;
        const outcome = await this.options.dispatch(frame, this);
        if (this.ended) break;
        if (outcome.kind === 'close') {
          this.close(outcome.reason, true);
          break;
        }
        if (outcome.kind === 'respond' && !this.socket.write(outcome.frame)) await this.drained();
        this.answering = false;
        if (!this.ended) this.updateFlow();
      }
    } finally {
      this.serving = false;
      this.answering = false;
    }
    if (this.draining && !this.ended && this.queue.length === 0) this.end();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /**
   * Closes for a reason (logged). With `flush`, responses already written are delivered first;
   * without (a corrupt stream), the socket is cut at once.
   */
  close(reason: string, flush: boolean): void {
    if (this.ended) return;
    this.options.logger.info({ connectionId: this.connectionId, client: this.clientAddress, reason }, 'closing connection');
    if (flush) this.end();
    else this.socket.destroy();
  }

  /** Shutdown: stop reading, answer what is queued, then close. */
  drain(): void {
    if (this.ended || this.draining) return;
    this.draining = true;
    this.socket.pause();
    this.abort.abort(new Error('broker shutting down'));
    if (!this.serving && this.queue.length === 0) this.end();
  }

  /** Cuts the connection now (shutdown grace exceeded). */
  destroy(): void {
    this.socket.destroy();
  }

  private end(): void {
    this.ended = true;
    this.queue.length = 0;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS).unref();
  }
}
