/**
 * Fetch (API 1), versions 0–11 (kafka-python sends 4, kafkajs and librdkafka 11).
 *
 * - Long poll: waits up to maxWaitMs (capped by limits.fetchMaxWaitMsMax) until minBytes are
 *   available, woken by Produce through the partition waiters; ends early when the connection
 *   closes (ctx.signal) or a partition has an error. When the broker's cap on waiting fetches is
 *   reached the fetch answers at once with what it has.
 * - maxBytes (capped by limits.fetchResponseBytesMax) and partitionMaxBytes, with Kafka's rule
 *   that the first partition with data returns at least one whole batch (v3+).
 * - Sessionless: session fields are ignored and the answer carries sessionId 0 (KIP-227 allows
 *   a broker to decline sessions). read_committed reads as read_uncommitted: there are no
 *   transactions yet, so the last stable offset is the high watermark.
 * - Differs from Kafka: v0–3 consumers get record batches (magic 2) as stored; Kafka would
 *   convert them to the old message formats.
 */
import { ApiKey, defaultFetchResponse, defaultFetchResponsePartitionData, type FetchRequest, type FetchResponse } from '@tributary/protocol';
import { fetchPass, type FetchPass } from './data/fetch-read.js';
import type { PartitionKey } from '../state/partition-waiters.js';
import type { HandlerSpec, RequestContext } from './handler.js';

/** Re-reads per fetch at most (each after a wake-up); then it answers with what it has. */
export const FETCH_WAKEUPS_MAX = 1000;

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

function responseOf(pass: FetchPass): FetchResponse {
  return { ...defaultFetchResponse(), errorCode: 0, sessionId: 0, responses: pass.responses };
}

async function handleFetch(request: FetchRequest, ctx: RequestContext): Promise<FetchResponse> {
  const broker = ctx.broker;
  const { limits } = broker.config;
  const version = ctx.apiVersion;
  const maxWaitMs = clamp(request.maxWaitMs, 0, limits.fetchMaxWaitMsMax);
  const maxBytes = version >= 3 ? clamp(request.maxBytes, 0, limits.fetchResponseBytesMax) : limits.fetchResponseBytesMax;
  const minBytes = Math.max(0, request.minBytes);
  const deadline = broker.clock.monotonicMs() + maxWaitMs;
  const keys: PartitionKey[] = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition })));
  const read = () => fetchPass(broker, request, { version, maxBytes });

  let pass: FetchPass;
  for (let wakeups = 0; ; wakeups++) {
    // Subscribe before reading, so an append between the read and the wait still wakes us.
    const wantsWait = maxWaitMs > 0 && minBytes > 0 && !ctx.signal.aborted && wakeups < FETCH_WAKEUPS_MAX;
    const watch = wantsWait ? broker.waiters.watch(keys) : null;
    pass = await read();
    const remainingMs = deadline - broker.clock.monotonicMs();
    if (watch === null || pass.bytes >= minBytes || pass.hasError || remainingMs <= 0) {
      watch?.cancel();
      break;
    }
    const outcome = await watch.wait(remainingMs, ctx.signal);
    if (outcome === 'aborted') break;
    if (outcome === 'timeout') {
      // Answer with the data as of now, as Kafka's delayed fetch re-reads on expiry.
      pass = await read();
      break;
    }
  }
  for (const [topic, tally] of pass.perTopic) broker.metrics.recordFetched(topic, tally.bytes, tally.records);
  return responseOf(pass);
}

function errorResponse(request: FetchRequest, errorCode: number): FetchResponse {
  return {
    ...defaultFetchResponse(),
    responses: request.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({ ...defaultFetchResponsePartitionData(), partitionIndex: p.partition, errorCode, records: Buffer.alloc(0) })),
    })),
  };
}

export const fetchHandler: HandlerSpec<typeof ApiKey.Fetch> = {
  apiKey: ApiKey.Fetch,
  minVersion: 0,
  maxVersion: 11,
  handle: handleFetch,
  errorResponse,
};
