/**
 * Produce benchmark through kafkajs. Records "arrive" at --rate (default: all at once) and
 * are sent in batches of --batch-size, or whatever arrived within --linger-ms of a batch's
 * first record; at most --in-flight sends are outstanding. Each send call is one record
 * batch per partition, and its latency (call to acknowledgement) is what the percentiles show.
 */
import { randomInt } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Producer } from 'kafkajs';
import { summarizeLatencies, throughput, type LatencySummary, type Throughput } from '../latency-stats.js';

export interface ProduceBenchSettings {
  readonly topic: string;
  readonly records: number;
  readonly recordSize: number;
  readonly acks: -1 | 0 | 1;
  readonly batchSize: number;
  readonly lingerMs: number;
  /** Records per second offered; 0 offers every record at once. */
  readonly rate: number;
  readonly inFlight: number;
  readonly compression: number;
}

export interface ProduceBenchResult {
  readonly elapsedMs: number;
  readonly sends: number;
  readonly throughput: Throughput;
  readonly latencyMs: LatencySummary;
}

/** Payloads are slices of random capital letters (as Kafka's perf tool makes them): compressible, not trivially. */
function payloadPool(recordSize: number): Buffer {
  const pool = Buffer.allocUnsafe(Math.max(1 << 20, recordSize * 2));
  for (let i = 0; i < pool.length; i++) pool[i] = 65 + randomInt(26);
  return pool;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchProduce(producer: Producer, s: ProduceBenchSettings): Promise<ProduceBenchResult> {
  const pool = payloadPool(s.recordSize);
  const value = (i: number): Buffer => {
    const at = (i * 7919) % (pool.length - s.recordSize);
    return pool.subarray(at, at + s.recordSize);
  };
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const start = performance.now();
  const arrival = (i: number): number => (s.rate > 0 ? start + (i * 1000) / s.rate : start);
  let next = 0;
  while (next < s.records && failure === null) {
    // The batch closes when full or when its first record has lingered long enough.
    const fullAt = arrival(Math.min(s.records, next + s.batchSize) - 1);
    const closeAt = Math.min(fullAt, arrival(next) + s.lingerMs);
    const wait = closeAt - performance.now();
    if (wait > 0) await sleep(wait);
    let end = next;
    const now = performance.now();
    while (end < s.records && end - next < s.batchSize && arrival(end) <= now) end++;
    if (end === next) end = next + 1;
    const messages = [];
    for (let i = next; i < end; i++) messages.push({ value: value(i) });
    next = end;
    while (inFlight.size >= s.inFlight) await Promise.race(inFlight);
    const sentAt = performance.now();
    const send: Promise<void> = producer
      .send({ topic: s.topic, acks: s.acks, compression: s.compression, messages })
      .then(
        () => {
          latencies.push(performance.now() - sentAt);
        },
        (e: unknown) => {
          failure ??= e;
        },
      )
      .finally(() => inFlight.delete(send));
    inFlight.add(send);
  }
  await Promise.all(inFlight);
  if (failure !== null) throw failure;
  const elapsedMs = performance.now() - start;
  return {
    elapsedMs,
    sends: latencies.length,
    throughput: throughput(s.records, s.records * s.recordSize, elapsedMs),
    latencyMs: summarizeLatencies(latencies),
  };
}

export function benchProducer(kafka: InstanceType<typeof kafkajs.Kafka>): Producer {
  return kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
}
