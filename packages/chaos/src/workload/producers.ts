/**
 * Producer processes: each sends one record at a time with acks=all, paced to a rate, and
 * records every send with its outcome.
 *
 * kafkajs pitfall: after a failed send an idempotent kafkajs producer rolls its sequence number
 * back, so its next send reuses the sequence of a batch the broker may already hold; the broker
 * then answers the new record as a duplicate of the old one (acknowledging it at the old one's
 * offset without writing it). So an idempotent process replaces its producer (a new producer id)
 * after every failed or timed-out send.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { ProducerKind } from '../history.js';
import type { Recorder } from '../recorder.js';
import { attempt, errorText, sleep, withTimeout } from '../timeouts.js';
import { CLIENT_TIMEOUTS, classifySendError } from './kafka.js';

export const SEND_TIMEOUT_MS = 15_000;
const CONNECT_TIMEOUT_MS = 8_000;
const DISCONNECT_TIMEOUT_MS = 3_000;

export interface ProducerProcessOptions {
  /** `idem-p0`, `plain`, `plain-once`. */
  readonly name: string;
  readonly kind: ProducerKind;
  readonly topic: string;
  /** The partitions it sends to, in turn. */
  readonly partitions: readonly number[];
  readonly ratePerSecond: number;
  /** kafkajs retries (0 makes rejections definite, see classifySendError). */
  readonly retries: number;
  /** Sends in flight at once (1 for an idempotent producer: its order is checked). */
  readonly concurrency: number;
  readonly kafka: (retries: number) => Kafka;
  readonly recorder: Recorder;
}

export class ProducerProcess {
  readonly #stop = new AbortController();
  #producer: Producer | null = null;
  #connecting: Promise<Producer | null> | null = null;
  #instance = 0;
  #seq = 0;
  #loop: Promise<void> | null = null;

  constructor(readonly options: ProducerProcessOptions) {}

  start(): void {
    const loops = Array.from({ length: this.options.concurrency }, () => this.#run().catch(() => undefined));
    this.#loop ??= Promise.all(loops).then(() => undefined);
  }

  /** Stops after the send in flight (bounded by its timeout) and disconnects. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stop.abort();
    if (this.#loop !== null) await withTimeout(this.#loop, timeoutMs, `${this.options.name} stop`).catch(() => undefined);
    await this.#drop();
  }

  async #run(): Promise<void> {
    const interval = (1000 * this.options.concurrency) / this.options.ratePerSecond;
    let next = performance.now();
    while (!this.#stop.signal.aborted) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait, this.#stop.signal);
      next = Math.max(next + interval, performance.now() - interval);
      if (this.#stop.signal.aborted) break;
      const producer = await this.#connected();
      if (producer === null) {
        await sleep(500, this.#stop.signal);
        continue;
      }
      await this.#send(producer);
    }
  }

  #connected(): Promise<Producer | null> {
    if (this.#producer !== null) return Promise.resolve(this.#producer);
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #connect(): Promise<Producer | null> {
    const { kind, retries } = this.options;
    const producer = this.options.kafka(retries).producer({
      idempotent: kind === 'idempotent',
      maxInFlightRequests: kind === 'idempotent' ? 1 : undefined,
      allowAutoTopicCreation: false,
      metadataMaxAge: CLIENT_TIMEOUTS.metadataMaxAgeMs,
      retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const connected = await attempt(() => producer.connect(), CONNECT_TIMEOUT_MS, `${this.options.name} connect`);
    if (!connected.ok) {
      await attempt(() => producer.disconnect(), DISCONNECT_TIMEOUT_MS, 'disconnect');
      return null;
    }
    this.#instance++;
    this.#producer = producer;
    return producer;
  }

  async #drop(): Promise<void> {
    const producer = this.#producer;
    this.#producer = null;
    if (producer !== null) await attempt(() => producer.disconnect(), DISCONNECT_TIMEOUT_MS, `${this.options.name} disconnect`);
  }

  async #send(producer: Producer): Promise<void> {
    const { name, kind, topic, partitions, recorder } = this.options;
    const partition = partitions[this.#seq % partitions.length];
    const value = `${name}-${this.#seq++}`;
    const base = { kind: 'send', process: name, topic, partition, value, producer: kind, instance: this.#instance } as const;
    const invokeMs = recorder.now();
    try {
      const sent = producer.send({ topic, acks: -1, timeout: CLIENT_TIMEOUTS.ackTimeoutMs, messages: [{ partition, value }] });
      const metadata = await withTimeout(sent, SEND_TIMEOUT_MS, `send ${value}`);
      const offset = Number(metadata.find((m) => m.partition === partition)?.baseOffset ?? NaN);
      if (!Number.isSafeInteger(offset)) throw new Error(`no offset in the answer: ${JSON.stringify(metadata)}`);
      recorder.record({ ...base, invokeMs, completeMs: recorder.now(), outcome: 'ok', offset });
    } catch (error) {
      recorder.record({ ...base, invokeMs, completeMs: recorder.now(), outcome: classifySendError(error), error: errorText(error) });
      if (kind === 'idempotent') await this.#drop();
    }
  }
}
