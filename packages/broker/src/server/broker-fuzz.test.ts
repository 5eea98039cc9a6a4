/**
 * Throws random and broken input at a live broker over many connections for BROKER_FUZZ_SECONDS
 * (default 30): random bytes, valid frames cut short, valid headers with garbage bodies, flipped
 * bytes, huge size prefixes, pipelined bursts. Then the broker must still serve kafkajs, and its
 * memory (heapUsed + arrayBuffers, sampled throughout) must have stayed bounded.
 * BROKER_FUZZ_SEED replays a run; the seed is printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import kafkajs from 'kafkajs';
import { ApiKey, defaultApiVersionsRequest, defaultMetadataRequest, defaultProduceRequest } from '@tributary/protocol';
import { startBroker } from '../broker.js';
import { testBrokerConfig } from '../config/load-config.js';
import { silentLogger } from '../logging.js';
import { oneRecordBatch } from '../state/testing/topic-test-support.js';
import { RawKafkaClient, requestFrame } from './testing/raw-kafka-client.js';

const FUZZ_SECONDS = Number(process.env.BROKER_FUZZ_SECONDS ?? '30');
const SEED = Number(process.env.BROKER_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WORKERS = 32;
/** How long a fuzz connection waits for the broker to close it before giving up on it. */
const CONNECTION_IDLE_MS = 150;
const MEMORY_GROWTH_MAX_BYTES = 200 * 1024 * 1024;
const MEMORY_SAMPLE_MS = 100;
const TOPIC = 'fuzz';

/** mulberry32: small, seedable, good enough to pick fuzz cases. */
function rng(seed: number): { next: () => number; int: (min: number, max: number) => number; bytes: (n: number) => Buffer } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const bytes = (n: number): Buffer => {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = int(0, 255);
    return out;
  };
  return { next, int, bytes };
}

type Rng = ReturnType<typeof rng>;

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function memory(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

function validFrame(r: Rng, batch: Buffer): Buffer {
  const correlationId = r.int(0, 2 ** 31 - 1);
  switch (r.int(0, 2)) {
    case 0: {
      const version = r.int(0, 3);
      return requestFrame(ApiKey.ApiVersions, version, correlationId, { ...defaultApiVersionsRequest(), ...(version >= 3 ? { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' } : {}) });
    }
    case 1: {
      const version = r.int(0, 12);
      const topics = version >= 1 && r.next() < 0.5 ? null : [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: TOPIC }];
      return requestFrame(ApiKey.Metadata, version, correlationId, { ...defaultMetadataRequest(), topics });
    }
    default: {
      const version = r.int(3, 8);
      const acks = [0, 1, -1][r.int(0, 2)];
      return requestFrame(ApiKey.Produce, version, correlationId, { ...defaultProduceRequest(), acks, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }] });
    }
  }
}

function withSize(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** One fuzz case: the bytes to send. */
function fuzzInput(r: Rng, batch: Buffer): Buffer {
  switch (r.int(0, 7)) {
    case 0: // random bytes, no framing at all
      return r.bytes(r.int(0, 2048));
    case 1: // a frame of random bytes
      return withSize(r.bytes(r.int(0, 512)));
    case 2: {
      // a valid header (any key and version) with a garbage body
      const header = Buffer.alloc(10);
      header.writeInt16BE(r.int(0, 80), 0);
      header.writeInt16BE(r.int(0, 16), 2);
      header.writeInt32BE(r.int(0, 1000), 4);
      header.writeInt16BE(-1, 8);
      return withSize(Buffer.concat([header, r.bytes(r.int(0, 256))]));
    }
    case 3: {
      // a valid frame cut short
      const frame = validFrame(r, batch);
      return frame.subarray(0, r.int(0, frame.length - 1));
    }
    case 4: {
      // a valid frame with a few bytes flipped (the size prefix included)
      const frame = Buffer.from(validFrame(r, batch));
      for (let flips = r.int(1, 8); flips > 0; flips--) frame[r.int(0, frame.length - 1)] ^= r.int(1, 255);
      return frame;
    }
    case 5: {
      // a huge size prefix, over the limit or under it with a stalled body
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(r.next() < 0.5 ? 0x7fffffff : r.int(1024 * 1024, 100 * 1024 * 1024));
      return Buffer.concat([prefix, r.bytes(r.int(0, 64 * 1024))]);
    }
    case 6: {
      // a pipelined burst of valid requests, then garbage
      const frames = Array.from({ length: r.int(1, 20) }, () => validFrame(r, batch));
      return Buffer.concat([...frames, withSize(r.bytes(r.int(8, 64)))]);
    }
    default: // a few valid requests, nothing wrong
      return Buffer.concat(Array.from({ length: r.int(1, 5) }, () => validFrame(r, batch)));
  }
}

/** Sends one case on a fresh connection; waits for the broker to close it, or gives up. */
async function fuzzConnection(port: number, input: Buffer): Promise<void> {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  socket.on('data', () => {});
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), CONNECTION_IDLE_MS);
    socket.once('connect', () => socket.write(input));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test(`fuzz: ${FUZZ_SECONDS}s of broken input over many connections; the broker serves on in bounded memory`, { timeout: (FUZZ_SECONDS + 120) * 1000 }, async (t) => {
  console.log(`broker fuzz: seed ${SEED} (BROKER_FUZZ_SEED to replay), ${FUZZ_SECONDS}s, ${WORKERS} workers`);
  const gc = gcFunction();
  const dir = await mkdtemp(join(tmpdir(), 'tributary-fuzz-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // No auto-creation: fuzzed Metadata requests must not fill the disk with topics.
  const broker = await startBroker(testBrokerConfig(dir, { autoCreateTopics: false }), { logger: silentLogger() });
  t.after(() => broker.close());
  const created = await broker.context.topics.createTopic({ name: TOPIC, numPartitions: 1, replicationFactor: 1, configs: {}, validateOnly: false });
  assert.ok(created.ok);
  const batch = await oneRecordBatch('fuzz');

  gc();
  const baseline = memory();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, memory())), MEMORY_SAMPLE_MS);
  const deadline = Date.now() + FUZZ_SECONDS * 1000;
  let cases = 0;
  const worker = async (id: number): Promise<void> => {
    const r = rng(SEED + id);
    while (Date.now() < deadline) {
      await fuzzConnection(broker.kafkaPort, fuzzInput(r, batch));
      cases++;
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
  clearInterval(sampler);
  console.log(`broker fuzz: ${cases} connections; memory baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, peak +${((peak - baseline) / 2 ** 20).toFixed(1)} MiB`);
  assert.ok(cases > WORKERS, 'the fuzz ran');

  // Still serving: raw ApiVersions, and an unmodified kafkajs client.
  const raw = await RawKafkaClient.connect(broker.kafkaPort);
  raw.write(requestFrame(ApiKey.ApiVersions, 3, 1, { ...defaultApiVersionsRequest(), clientSoftwareName: 'after', clientSoftwareVersion: '1' }));
  assert.equal((await raw.response(ApiKey.ApiVersions, 3)).body.errorCode, 0);
  raw.destroy();
  const kafka = new kafkajs.Kafka({ clientId: 'after-fuzz', brokers: [`127.0.0.1:${broker.kafkaPort}`], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: TOPIC, messages: [{ value: 'still here' }] });
  assert.equal(sent.errorCode, 0);
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  assert.equal(topics[0].partitions[0].leader, 1);
  await admin.disconnect();

  gc();
  const after = memory();
  console.log(`broker fuzz: memory after gc +${((after - baseline) / 2 ** 20).toFixed(1)} MiB`);
  assert.ok(peak - baseline < MEMORY_GROWTH_MAX_BYTES, `peak memory grew by ${peak - baseline} bytes`);
  assert.ok(after - baseline < MEMORY_GROWTH_MAX_BYTES, `retained memory grew by ${after - baseline} bytes`);
});
