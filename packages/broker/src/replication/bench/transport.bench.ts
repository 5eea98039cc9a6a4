/**
 * Replication transport: a unary long poll (what proto/replication.proto chose) against one
 * long-lived bidirectional stream, both over gRPC on loopback in this one process.
 *
 * Why the project keeps the long poll: the follower's acknowledgement is implicit in its next
 * Fetch (fetch_offset = N means it holds [0, N)), so there is no second message kind to order
 * against data; every call is bounded (max_wait_ms, max_bytes) and fails visibly with a status,
 * where a stream can stall silently; after a leader change there is no stream to re-establish
 * and resynchronise, the next call simply goes to the new leader; and one Fetch per (follower,
 * leader) pair carries every partition the follower follows there. This benchmark exists to
 * check what that choice costs against a stream, in throughput and in the acknowledgement
 * latency that acks=all producers wait for; it asserts nothing.
 *
 * Both transports use a generic service with Buffer pass-through serializers, so the framing is
 * ours (a 12-byte header: base offset, batch count), not protobuf's. A simulated producer
 * appends copies of one batch to an in-memory log on the leader side:
 * - flat out (at most UNACKED_MAX bytes not yet acknowledged, so memory stays bounded): MB/s of
 *   batches the follower received, and messages (fetch responses or pushes) per second;
 * - at RATE batches/s: acknowledgement latency, from a batch's append until the leader learns the
 *   follower has it (the next Fetch's offset, or the stream's ack message), p50 and p99.
 * Producer, leader and follower share one event loop, so MB/s is the whole pipeline's CPU cost.
 * Acknowledged batches are dropped from the log. BENCH_QUICK=1 (CI) shortens every case.
 */
import { Client, Server, ServerCredentials, credentials, type ClientDuplexStream, type MethodDefinition, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';

const KiB = 1024;
const MiB = 1024 * KiB;
const quick = process.env.BENCH_QUICK === '1';
const secondsPerCase = quick ? 0.3 : 2;
const warmUpSeconds = quick ? 0.1 : 0.3;
const BATCH_SIZES = [KiB, 16 * KiB, 256 * KiB];
const RATE = 200;
/** As the follower's defaults (leader-fetcher.ts): partition max bytes, max wait. */
const FETCH_MAX_BYTES = 4 * MiB;
const MAX_WAIT_MS = 500;
const UNACKED_MAX = 16 * MiB;
const HEADER_BYTES = 12;
const GRPC_OPTIONS = { 'grpc.max_receive_message_length': 64 * MiB, 'grpc.max_send_message_length': 64 * MiB };

type Transport = 'long poll' | 'stream';

const pass = (b: Buffer): Buffer => b;
const definition = {
  fetch: { path: '/tributary.bench.Transport/Fetch', requestStream: false, responseStream: false, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass },
  replicate: { path: '/tributary.bench.Transport/Replicate', requestStream: true, responseStream: true, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass },
} satisfies Record<string, MethodDefinition<Buffer, Buffer>>;

const encodeOffset = (offset: number): Buffer => {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(BigInt(offset));
  return b;
};
const decodeOffset = (b: Buffer): number => Number(b.readBigUInt64BE(0));

/** One-shot wake-ups for everyone waiting, each wait bounded by an optional timeout and a signal. */
class Wakeup {
  private readonly waiters = new Set<() => void>();
  notify(): void {
    for (const waiter of this.waiters) waiter();
  }
  wait(timeoutMs: number | null, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = timeoutMs === null ? undefined : setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal.addEventListener('abort', done);
    });
  }
}

/** The leader's partition: batches [startOffset, endOffset); the follower acknowledged [0, startOffset). */
class LeaderLog {
  private batches: Buffer[] = [];
  private appendedAtMs: number[] = [];
  private head = 0;
  startOffset = 0;
  endOffset = 0;
  unackedBytes = 0;
  readonly appended = new Wakeup();
  readonly acknowledged = new Wakeup();
  readonly latenciesMs: number[] = [];

  constructor(private readonly recordLatency: boolean) {}

  append(batch: Buffer): void {
    this.batches.push(batch);
    this.appendedAtMs.push(this.recordLatency ? performance.now() : 0);
    this.endOffset++;
    this.unackedBytes += batch.length;
    this.appended.notify();
  }

  /** The follower holds [0, offset): record latencies, drop what it holds. */
  acknowledge(offset: number): void {
    if (offset <= this.startOffset) return;
    const now = performance.now();
    for (let i = this.startOffset; i < offset; i++, this.head++) {
      if (this.recordLatency) this.latenciesMs.push(now - this.appendedAtMs[this.head]);
      this.unackedBytes -= this.batches[this.head].length;
    }
    this.startOffset = offset;
    if (this.head > 4096 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.appendedAtMs = this.appendedAtMs.slice(this.head);
      this.head = 0;
    }
    this.acknowledged.notify();
  }

  /** Header (base offset, count) and whole batches from `offset`, at most `maxBytes` unless one batch is larger. */
  read(offset: number, maxBytes: number): Buffer {
    const parts: Buffer[] = [Buffer.allocUnsafe(HEADER_BYTES)];
    let bytes = 0;
    let next = offset;
    for (; next < this.endOffset; next++) {
      const batch = this.batches[this.head + next - this.startOffset];
      if (bytes > 0 && bytes + batch.length > maxBytes) break;
      parts.push(batch);
      bytes += batch.length;
    }
    parts[0].writeBigUInt64BE(BigInt(offset), 0);
    parts[0].writeUInt32BE(next - offset, 8);
    return Buffer.concat(parts, HEADER_BYTES + bytes);
  }
}

interface Current {
  readonly log: LeaderLog;
  readonly signal: AbortSignal;
}

/** Leader: a long-polling Fetch whose offset is the acknowledgement. */
function serveFetch(current: () => Current) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const { log, signal } = current();
    const offset = decodeOffset(call.request);
    log.acknowledge(offset);
    const respond = (): void => callback(null, log.read(offset, FETCH_MAX_BYTES));
    if (log.endOffset > offset) respond();
    else void log.appended.wait(MAX_WAIT_MS, signal).then(respond);
  };
}

/** Leader: pushes batches as they are appended; the follower's messages are its start offset, then acks. */
function serveReplicate(current: () => Current) {
  return (call: ServerDuplexStream<Buffer, Buffer>): void => {
    const { log, signal } = current();
    const closed = new AbortController();
    const stop = AbortSignal.any([signal, closed.signal]);
    const drained = new Wakeup();
    let sent: number | null = null;
    call.on('drain', () => drained.notify());
    call.on('error', () => closed.abort());
    call.on('end', () => closed.abort());
    call.on('data', (message: Buffer) => {
      const offset = decodeOffset(message);
      if (sent === null) void push((sent = offset));
      else log.acknowledge(offset);
    });
    const push = async (from: number): Promise<void> => {
      let next = from;
      while (!stop.aborted) {
        if (log.endOffset <= next) {
          await log.appended.wait(null, stop);
          continue;
        }
        const chunk = log.read(next, FETCH_MAX_BYTES);
        next += chunk.readUInt32BE(8);
        if (!call.write(chunk)) await drained.wait(null, stop);
      }
      call.end();
    };
  };
}

interface Received {
  bytes: number;
  messages: number;
}

/** Checks a chunk continues at `offset` and counts it (while the case runs); returns the next offset. */
function take(chunk: Buffer, offset: number, received: Received, signal: AbortSignal): number {
  const base = Number(chunk.readBigUInt64BE(0));
  const count = chunk.readUInt32BE(8);
  if (count === 0) return offset;
  if (base !== offset) throw new Error(`expected records from offset ${offset}, got ${base}`);
  if (!signal.aborted) {
    received.bytes += chunk.length - HEADER_BYTES;
    received.messages++;
  }
  return offset + count;
}

async function followLongPoll(client: Client, signal: AbortSignal): Promise<Received> {
  const received: Received = { bytes: 0, messages: 0 };
  const fetch = (offset: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const { path, requestSerialize, responseDeserialize } = definition.fetch;
      const options = { deadline: Date.now() + MAX_WAIT_MS + 5_000 };
      client.makeUnaryRequest(path, requestSerialize, responseDeserialize, encodeOffset(offset), options, (error, response) =>
        error || !response ? reject(error ?? new Error('no response')) : resolve(response),
      );
    });
  let offset = 0;
  while (!signal.aborted) offset = take(await fetch(offset), offset, received, signal);
  return received;
}

function followStream(client: Client, signal: AbortSignal): Promise<Received> {
  return new Promise((resolve, reject) => {
    const { path, requestSerialize, responseDeserialize } = definition.replicate;
    const call: ClientDuplexStream<Buffer, Buffer> = client.makeBidiStreamRequest(path, requestSerialize, responseDeserialize);
    const received: Received = { bytes: 0, messages: 0 };
    let offset = 0;
    let failure: Error | null = null;
    call.on('data', (chunk: Buffer) => {
      try {
        offset = take(chunk, offset, received, signal);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        call.cancel();
      }
      if (!signal.aborted && failure === null) call.write(encodeOffset(offset));
    });
    call.on('error', (error: Error) => (failure ??= error));
    call.on('status', () => (failure === null ? resolve(received) : reject(failure)));
    signal.addEventListener('abort', () => call.end(), { once: true });
    call.write(encodeOffset(offset));
  });
}

async function produceFlatOut(log: LeaderLog, batch: Buffer, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    while (log.unackedBytes < UNACKED_MAX) log.append(batch);
    await log.acknowledged.wait(null, signal);
  }
}

/** Appends at `rate` batches/s on a schedule (late timers append what is due at once). */
function produceAtRate(log: LeaderLog, batch: Buffer, rate: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const start = performance.now();
    let appended = 0;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      const due = Math.floor(((performance.now() - start) * rate) / 1000) + 1;
      for (; appended < due; appended++) log.append(batch);
      timer = setTimeout(tick, Math.max(0, start + (appended * 1000) / rate - performance.now()));
    };
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    tick();
  });
}

interface Outcome {
  readonly seconds: number;
  readonly received: Received;
  readonly latenciesMs: readonly number[];
}

class Rig {
  private current: Current | null = null;
  private constructor(private readonly server: Server, readonly client: Client) {}

  static async start(): Promise<Rig> {
    const server = new Server(GRPC_OPTIONS);
    let rig: Rig | null = null;
    const current = (): Current => {
      if (rig?.current == null) throw new Error('no case running');
      return rig.current;
    };
    server.addService(definition, { fetch: serveFetch(current), replicate: serveReplicate(current) });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), GRPC_OPTIONS);
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 5_000, (error) => (error ? reject(error) : resolve())));
    rig = new Rig(server, client);
    return rig;
  }

  /** One case: the follower copies from a fresh log for `seconds` while the producer appends. */
  async run(transport: Transport, batchBytes: number, rate: number | null, seconds: number): Promise<Outcome> {
    const log = new LeaderLog(rate !== null);
    const stop = new AbortController();
    this.current = { log, signal: stop.signal };
    const batch = Buffer.alloc(batchBytes, 'tributary ');
    const started = performance.now();
    let stoppedAt = started;
    const timer = setTimeout(() => ((stoppedAt = performance.now()), stop.abort()), seconds * 1000);
    try {
      const follower = transport === 'long poll' ? followLongPoll(this.client, stop.signal) : followStream(this.client, stop.signal);
      const producer = rate === null ? produceFlatOut(log, batch, stop.signal) : produceAtRate(log, batch, rate, stop.signal);
      const [received] = await Promise.all([follower, producer]);
      return { seconds: (stoppedAt - started) / 1000, received, latenciesMs: log.latenciesMs };
    } finally {
      clearTimeout(timer);
      stop.abort();
      this.current = null;
    }
  }

  close(): void {
    this.client.close();
    this.server.forceShutdown();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Row {
  readonly transport: Transport;
  readonly batchBytes: number;
  readonly mbPerSec: number;
  readonly messagesPerSec: number;
  readonly kibPerMessage: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly samples: number;
}

async function measure(rig: Rig, transport: Transport, batchBytes: number): Promise<Row> {
  const flat = await rig.run(transport, batchBytes, null, secondsPerCase);
  const paced = await rig.run(transport, batchBytes, RATE, secondsPerCase);
  const sorted = [...paced.latenciesMs].sort((a, b) => a - b);
  const { bytes, messages } = flat.received;
  return {
    transport,
    batchBytes,
    mbPerSec: bytes / flat.seconds / 1e6,
    messagesPerSec: messages / flat.seconds,
    kibPerMessage: messages === 0 ? NaN : bytes / messages / KiB,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    samples: sorted.length,
  };
}

function printTable(rows: readonly Row[]): void {
  const fixed = (n: number, digits: number): string => (Number.isNaN(n) ? 'n/a' : n.toFixed(digits));
  const cells = [
    ['transport', 'batch', 'MB/s', 'msgs/s', 'KiB/msg', 'ack p50 ms', 'ack p99 ms', 'acks'],
    ...rows.map((r) => [
      r.transport,
      `${r.batchBytes / KiB} KiB`,
      fixed(r.mbPerSec, 0),
      fixed(r.messagesPerSec, 0),
      fixed(r.kibPerMessage, 0),
      fixed(r.p50Ms, 3),
      fixed(r.p99Ms, 3),
      String(r.samples),
    ]),
  ];
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  for (const row of cells) console.log(row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
}

/** One line comparing the figures: ack latency at the smallest batch (p99, and p50 as a ratio), MB/s per size. */
function conclusion(rows: readonly Row[]): string {
  const find = (transport: Transport, bytes: number): Row | undefined => rows.find((r) => r.transport === transport && r.batchBytes === bytes);
  const poll = find('long poll', BATCH_SIZES[0]);
  const stream = find('stream', BATCH_SIZES[0]);
  if (!poll || !stream) return 'measured: incomplete';
  const [lower, higher] = poll.p99Ms <= stream.p99Ms ? [poll, stream] : [stream, poll];
  const throughput = BATCH_SIZES.map((bytes) => {
    const ratio = (find('long poll', bytes)?.mbPerSec ?? NaN) / (find('stream', bytes)?.mbPerSec ?? NaN);
    return `${bytes / KiB} KiB ${ratio.toFixed(2)}×`;
  }).join(', ');
  return (
    `measured: at ${RATE} batches/s of ${BATCH_SIZES[0] / KiB} KiB, ${lower.transport} had the lower ack p99 ` +
    `(${lower.p99Ms.toFixed(3)} ms vs ${higher.p99Ms.toFixed(3)} ms, ${higher.transport} ${(higher.p99Ms / lower.p99Ms).toFixed(2)}×; ` +
    `p50 long poll ${(poll.p50Ms / stream.p50Ms).toFixed(2)}× stream); ` +
    `flat-out MB/s long poll ÷ stream: ${throughput}`
  );
}

async function main(): Promise<void> {
  console.log(
    `replication transport, gRPC on loopback in one process: fetch ≤ ${FETCH_MAX_BYTES / MiB} MiB, max wait ${MAX_WAIT_MS} ms, ` +
      `≤ ${UNACKED_MAX / MiB} MiB unacknowledged; ack latency at ${RATE} batches/s (node ${process.version}${quick ? ', BENCH_QUICK' : ''})`,
  );
  const rig = await Rig.start();
  try {
    for (const transport of ['long poll', 'stream'] as const) await rig.run(transport, 16 * KiB, null, warmUpSeconds);
    const rows: Row[] = [];
    for (const batchBytes of BATCH_SIZES) for (const transport of ['long poll', 'stream'] as const) rows.push(await measure(rig, transport, batchBytes));
    printTable(rows);
    console.log(conclusion(rows));
  } finally {
    rig.close();
  }
}

await main();
