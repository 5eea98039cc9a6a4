/**
 * The workload against any Kafka-compatible bootstrap list: one topic (3 partitions, replication
 * factor 3, min.insync.replicas 2 unless the cluster is smaller), one idempotent producer per
 * partition, a plain producer going round the partitions (kafkajs retries: its retries may
 * duplicate), a plain producer that never retries (its rejections are definite failures), and
 * two consumers in one group committing after every batch. Every call into kafkajs is bounded.
 */
import type { Kafka } from 'kafkajs';
import type { Recorder } from '../recorder.js';
import { attempt, errorText, sleep, waitUntil, withTimeout, type Deadline } from '../timeouts.js';
import { ConsumerProcess } from './consumers.js';
import { finalRead } from './final-read.js';
import { CLIENT_TIMEOUTS, createKafka, type KafkaLog } from './kafka.js';
import { ProducerProcess } from './producers.js';

const ADMIN_TIMEOUT_MS = 15_000;

export interface WorkloadOptions {
  readonly bootstrap: readonly string[];
  readonly topic: string;
  readonly partitions: number;
  /** Total sends per second over every producer. */
  readonly ratePerSecond: number;
  readonly recorder: Recorder;
  readonly log: KafkaLog;
  readonly note: (text: string) => void;
}

export interface TopicSettings {
  readonly brokers: number;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
}

export class Workload {
  readonly #producers: ProducerProcess[] = [];
  readonly #consumers: ConsumerProcess[] = [];

  constructor(readonly options: WorkloadOptions) {}

  kafka(clientId: string, retries?: number): Kafka {
    return createKafka(this.options.bootstrap, `chaos-${clientId}`, this.options.log, retries);
  }

  /** Creates the topic and waits until every partition has a leader; retried until the deadline. */
  async setup(deadline: Deadline): Promise<TopicSettings> {
    const admin = this.kafka('admin').admin();
    try {
      while (!deadline.passed) {
        const created = await attempt(() => this.#createTopic(admin, deadline), deadline.cap(3 * ADMIN_TIMEOUT_MS), 'topic setup');
        if (created.ok) return created.value;
        this.options.note(`setup: ${errorText(created.error)}`);
        await sleep(deadline.cap(1000));
      }
      throw new Error(`could not create topic ${this.options.topic} in time`);
    } finally {
      await attempt(() => admin.disconnect(), 5000, 'admin disconnect');
    }
  }

  async #createTopic(admin: ReturnType<Kafka['admin']>, deadline: Deadline): Promise<TopicSettings> {
    const { topic, partitions } = this.options;
    const bound = <T>(promise: Promise<T>, what: string): Promise<T> => withTimeout(promise, deadline.cap(ADMIN_TIMEOUT_MS), what);
    await bound(admin.connect(), 'admin connect');
    const cluster = await bound(admin.describeCluster(), 'describeCluster');
    const brokers = cluster.brokers.length;
    const replicationFactor = Math.min(3, brokers);
    const minInsyncReplicas = Math.min(2, replicationFactor);
    const existing = await bound(admin.listTopics(), 'listTopics');
    if (!existing.includes(topic)) {
      await bound(admin.createTopics({
        topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }] }],
        waitForLeaders: true,
        timeout: ADMIN_TIMEOUT_MS,
      }), 'createTopics');
    }
    const ready = await waitUntil(
      async () => {
        const metadata = await attempt(() => admin.fetchTopicMetadata({ topics: [topic] }), deadline.cap(ADMIN_TIMEOUT_MS), 'topic metadata');
        const parts = metadata.ok ? (metadata.value.topics[0]?.partitions ?? []) : [];
        return parts.length === partitions && parts.every((p) => p.leader >= 0 && p.replicas.length === replicationFactor);
      },
      deadline,
      500,
    );
    if (!ready) throw new Error(`topic ${topic} has no leader for every partition`);
    return { brokers, replicationFactor, minInsyncReplicas };
  }

  start(): void {
    const { topic, partitions, ratePerSecond, recorder } = this.options;
    // Shares of the rate: idempotent producers one send at a time (about 50/s each at a 20 ms
    // acks=all latency), the plain ones with several sends in flight.
    const idempotentRate = (ratePerSecond * 0.5) / partitions;
    for (let p = 0; p < partitions; p++) {
      const name = `idem-p${p}`;
      this.#producers.push(new ProducerProcess({ name, kind: 'idempotent', topic, partitions: [p], ratePerSecond: idempotentRate, retries: CLIENT_TIMEOUTS.retries, concurrency: 1, kafka: (r) => this.kafka(name, r), recorder }));
    }
    const all = Array.from({ length: partitions }, (_, p) => p);
    this.#producers.push(new ProducerProcess({ name: 'plain', kind: 'plain', topic, partitions: all, ratePerSecond: ratePerSecond * 0.35, retries: CLIENT_TIMEOUTS.retries, concurrency: 4, kafka: (r) => this.kafka('plain', r), recorder }));
    this.#producers.push(new ProducerProcess({ name: 'plain-once', kind: 'plain', topic, partitions: all, ratePerSecond: ratePerSecond * 0.15, retries: 0, concurrency: 2, kafka: (r) => this.kafka('plain-once', r), recorder }));
    for (const name of ['consumer-1', 'consumer-2']) {
      this.#consumers.push(new ConsumerProcess({ name, groupId: `${topic}-group`, topic, kafka: () => this.kafka(name), recorder, note: this.options.note }));
    }
    for (const process of [...this.#producers, ...this.#consumers]) process.start();
  }

  /** Whether a send to every partition is acknowledged after `afterMs` (run time) before the deadline. */
  waitForAckAfter(afterMs: number, deadline: Deadline, signal?: AbortSignal): Promise<boolean> {
    const { recorder, partitions } = this.options;
    return waitUntil(() => Array.from({ length: partitions }, (_, p) => recorder.lastAckMsOf(p)).every((t) => t > afterMs), deadline, 100, signal);
  }

  async stopProducers(timeoutMs: number): Promise<void> {
    await Promise.all(this.#producers.map((p) => p.stop(timeoutMs)));
  }

  async stopConsumers(timeoutMs: number): Promise<void> {
    await Promise.all(this.#consumers.map((c) => c.stop(timeoutMs)));
  }

  async finalRead(deadline: Deadline): Promise<void> {
    const { topic, partitions, recorder, note } = this.options;
    await finalRead({ topic, partitions, recorder, deadline, note, kafka: () => this.kafka('final-reader', 5) });
  }
}
