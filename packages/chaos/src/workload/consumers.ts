/**
 * Group consumers: each records every batch it is handed as a poll (with its generation: the
 * count of its group joins, from kafkajs's GROUP_JOIN event), resolves the batch's offsets and
 * commits them before the next. A consumer kafkajs gives up on (a crash without restart) is
 * replaced by a new one under the same process name, its generations continuing.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { ReadRecord } from '../history.js';
import type { Recorder } from '../recorder.js';
import { attempt, errorText, sleep, withTimeout } from '../timeouts.js';
import { CLIENT_TIMEOUTS } from './kafka.js';

const STEP_TIMEOUT_MS = 10_000;
const COMMIT_TIMEOUT_MS = 6_000;

export interface ConsumerProcessOptions {
  readonly name: string;
  readonly groupId: string;
  readonly topic: string;
  readonly kafka: () => Kafka;
  readonly recorder: Recorder;
  /** Things worth a line in the report (crashes, restarts). */
  readonly note: (text: string) => void;
}

export class ConsumerProcess {
  readonly #stop = new AbortController();
  #consumer: Consumer | null = null;
  #generation = 0;
  #replace = false;
  #loop: Promise<void> | null = null;

  constructor(readonly options: ConsumerProcessOptions) {}

  start(): void {
    this.#loop ??= this.#supervise().catch((error) => this.options.note(`${this.options.name}: supervisor failed: ${errorText(error)}`));
  }

  async stop(timeoutMs: number): Promise<void> {
    this.#stop.abort();
    if (this.#loop !== null) await withTimeout(this.#loop, timeoutMs, 'consumer supervisor').catch(() => undefined);
    await this.#drop(timeoutMs);
  }

  /** Keeps one running consumer until stopped; replaces it after a start failure or a final crash. */
  async #supervise(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      if (this.#consumer === null || this.#replace) {
        await this.#drop(STEP_TIMEOUT_MS);
        this.#replace = false;
        const started = await this.#startOne();
        if (!started) await sleep(1000, this.#stop.signal);
      }
      await sleep(250, this.#stop.signal);
    }
  }

  async #drop(timeoutMs: number): Promise<void> {
    const consumer = this.#consumer;
    this.#consumer = null;
    if (consumer !== null) await attempt(() => consumer.disconnect(), timeoutMs, `${this.options.name} disconnect`);
  }

  async #startOne(): Promise<boolean> {
    const { name, groupId, topic } = this.options;
    const consumer = this.options.kafka().consumer({
      groupId,
      sessionTimeout: CLIENT_TIMEOUTS.sessionTimeoutMs,
      heartbeatInterval: CLIENT_TIMEOUTS.heartbeatIntervalMs,
      rebalanceTimeout: CLIENT_TIMEOUTS.rebalanceTimeoutMs,
      metadataMaxAge: CLIENT_TIMEOUTS.metadataMaxAgeMs,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      retry: { retries: CLIENT_TIMEOUTS.retries, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    this.#consumer = consumer;
    // Events and batches of a consumer already replaced (its disconnect timed out) are ignored.
    const current = (): boolean => this.#consumer === consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (current()) this.#joined(event.payload.memberId, event.payload.memberAssignment[topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.options.note(`${name}: kafkajs consumer crashed (${errorText(event.payload.error)}); ${event.payload.restart ? 'kafkajs restarts it' : 'replacing it'}`);
      if (!event.payload.restart) this.#replace = true;
    });
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['connect', () => consumer.connect()],
      ['subscribe', () => consumer.subscribe({ topics: [topic], fromBeginning: true })],
      ['run', () => consumer.run({ eachBatchAutoResolve: false, autoCommit: true, autoCommitThreshold: 1, eachBatch: async (payload) => (current() ? this.#batch(payload) : undefined) })],
    ];
    for (const [step, fn] of steps) {
      const done = await attempt(fn, STEP_TIMEOUT_MS, `${name} ${step}`);
      if (!done.ok) {
        this.options.note(`${name}: ${step} failed: ${errorText(done.error)}`);
        this.#replace = true;
        return false;
      }
    }
    return true;
  }

  #joined(memberId: string, partitions: readonly number[]): void {
    const { recorder, name } = this.options;
    const at = recorder.now();
    this.#generation++;
    recorder.record({ kind: 'assign', process: name, generation: this.#generation, memberId, partitions: [...partitions].sort((a, b) => a - b), invokeMs: at, completeMs: at, outcome: 'ok' });
  }

  async #batch({ batch, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const { recorder, name, topic } = this.options;
    const generation = this.#generation;
    const at = recorder.now();
    const records: ReadRecord[] = batch.messages.map((m) => ({ partition: batch.partition, offset: Number(m.offset), value: m.value?.toString('utf8') ?? '' }));
    recorder.record({ kind: 'poll', process: name, topic, generation, records, invokeMs: at, completeMs: at, outcome: 'ok' });
    for (const m of batch.messages) resolveOffset(m.offset);
    const next = records[records.length - 1].offset + 1;
    const invokeMs = recorder.now();
    const committed = await attempt(() => commitOffsetsIfNecessary(), COMMIT_TIMEOUT_MS, 'commit');
    recorder.record({
      kind: 'commit',
      process: name,
      generation,
      offsets: [{ partition: batch.partition, offset: next }],
      invokeMs,
      completeMs: recorder.now(),
      outcome: committed.ok ? 'ok' : 'info',
      ...(committed.ok ? {} : { error: errorText(committed.error) }),
    });
  }
}
