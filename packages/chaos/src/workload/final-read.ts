/**
 * The final read, after healing and after the producers stopped: every partition from its start
 * to its high watermark, by a consumer of a fresh group, within a deadline. The high watermarks
 * are read again afterwards and the read goes on while they moved (a send abandoned on a timeout
 * may still land late). Records as the op `final-read`.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { FinalPartition } from '../history.js';
import type { Recorder } from '../recorder.js';
import { attempt, errorText, sleep, type Deadline } from '../timeouts.js';
import { CLIENT_TIMEOUTS } from './kafka.js';

const STEP_TIMEOUT_MS = 10_000;
const STALL_MS = 15_000;
const MAX_REREADS = 1;

export interface FinalReadOptions {
  readonly topic: string;
  readonly partitions: number;
  readonly kafka: () => Kafka;
  readonly recorder: Recorder;
  readonly deadline: Deadline;
  readonly note: (text: string) => void;
}

class Collected {
  readonly records = new Map<number, Map<string, { offset: number; value: string }>>();
  readonly maxOffset = new Map<number, number>();
  /** The high watermarks the fetches reported (the fallback when ListOffsets fails). */
  readonly batchHighWatermark = new Map<number, number>();

  add(partition: number, offset: number, value: string): void {
    let map = this.records.get(partition);
    if (map === undefined) this.records.set(partition, (map = new Map()));
    map.set(`${offset}:${value}`, { offset, value });
    this.maxOffset.set(partition, Math.max(this.maxOffset.get(partition) ?? -1, offset));
  }

  reached(partition: number, highWatermark: number): boolean {
    return highWatermark <= 0 || (this.maxOffset.get(partition) ?? -1) >= highWatermark - 1;
  }

  /** Offsets below the high watermark that no record was read at. */
  missingBelow(partition: number, highWatermark: number): number {
    const offsets = new Set([...(this.records.get(partition)?.values() ?? [])].map((r) => r.offset).filter((o) => o < highWatermark));
    return Math.max(0, highWatermark) - offsets.size;
  }

  /** A new reader starts: the records stay, its progress starts again. */
  restart(): void {
    this.maxOffset.clear();
  }
}

/** One bounded ListOffsets round (kafkajs fetchTopicOffsets), or null. */
async function highWatermarks(options: FinalReadOptions): Promise<Map<number, number> | null> {
  const admin = options.kafka().admin();
  try {
    const connected = await attempt(() => admin.connect(), options.deadline.cap(STEP_TIMEOUT_MS), 'final read: admin connect');
    const offsets = connected.ok ? await attempt(() => admin.fetchTopicOffsets(options.topic), options.deadline.cap(STEP_TIMEOUT_MS), 'final read: fetchTopicOffsets') : connected;
    if (offsets.ok) return new Map(offsets.value.map((o) => [o.partition, Number(o.high)]));
    options.note(`final read: high watermarks: ${errorText(offsets.error)}`);
    return null;
  } finally {
    await attempt(() => admin.disconnect(), 5000, 'final read: admin disconnect');
  }
}

async function startReader(options: FinalReadOptions, collected: Collected, round: number): Promise<Consumer | null> {
  const consumer = options.kafka().consumer({
    groupId: `${options.topic}-final-${Date.now()}-${round}`,
    sessionTimeout: CLIENT_TIMEOUTS.sessionTimeoutMs,
    heartbeatInterval: CLIENT_TIMEOUTS.heartbeatIntervalMs,
    metadataMaxAge: CLIENT_TIMEOUTS.metadataMaxAgeMs,
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
  });
  const eachBatch = async ({ batch }: EachBatchPayload): Promise<void> => {
    const hw = Number(batch.highWatermark);
    if (Number.isSafeInteger(hw)) collected.batchHighWatermark.set(batch.partition, Math.max(collected.batchHighWatermark.get(batch.partition) ?? -1, hw));
    for (const m of batch.messages) collected.add(batch.partition, Number(m.offset), m.value?.toString('utf8') ?? '');
  };
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['connect', () => consumer.connect()],
    ['subscribe', () => consumer.subscribe({ topics: [options.topic], fromBeginning: true })],
    ['run', () => consumer.run({ autoCommit: false, eachBatch })],
  ];
  for (const [step, fn] of steps) {
    const done = await attempt(fn, options.deadline.cap(STEP_TIMEOUT_MS), `final read: ${step}`);
    if (!done.ok) {
      options.note(`final read: ${step}: ${errorText(done.error)}`);
      await attempt(() => consumer.disconnect(), 5000, 'final read: disconnect');
      return null;
    }
  }
  return consumer;
}

/**
 * Reads until every partition reached its high watermark and the watermarks stopped moving, or
 * the deadline. The watermarks come from ListOffsets; for a partition ListOffsets cannot answer,
 * from the fetches themselves.
 */
async function readAll(options: FinalReadOptions, collected: Collected): Promise<Map<number, number>> {
  let listed: Map<number, number> | null = null;
  const targets = (): Map<number, number> => {
    const marks = new Map<number, number>();
    for (let p = 0; p < options.partitions; p++) {
      const hw = listed?.get(p) ?? collected.batchHighWatermark.get(p);
      if (hw !== undefined) marks.set(p, hw);
    }
    return marks;
  };
  let consumer: Consumer | null = null;
  let round = 0;
  let rereads = 0;
  let progress = { records: -1, at: Date.now() };
  try {
    while (!options.deadline.passed) {
      listed ??= await highWatermarks(options);
      const count = [...collected.records.values()].reduce((sum, m) => sum + m.size, 0);
      if (count !== progress.records) progress = { records: count, at: Date.now() };
      if (consumer !== null && Date.now() - progress.at > STALL_MS) {
        // No progress: perhaps its group's coordinator is out of order; another group id
        // hashes to another coordinator.
        options.note(`final read: no progress for ${STALL_MS / 1000} s; starting a reader in another group`);
        const stalled = consumer;
        consumer = null;
        progress = { records: count, at: Date.now() };
        await attempt(() => stalled.disconnect(), options.deadline.cap(5000), 'final read: disconnect');
      }
      consumer ??= await startReader(options, collected, round++);
      const marks = targets();
      if (marks.size === options.partitions && [...marks].every(([p, hw]) => collected.reached(p, hw))) {
        const again: Map<number, number> | null = listed === null ? null : await highWatermarks(options);
        const stable = again === null || [...again].every(([p, hw]) => (marks.get(p) ?? -1) >= hw);
        const holes = [...marks].filter(([p, hw]) => collected.missingBelow(p, hw) > 0).map(([p]) => p);
        if (stable && (holes.length === 0 || rereads >= MAX_REREADS)) break;
        if (!stable) {
          options.note('final read: the high watermarks moved during the read; reading on');
          listed = again;
        } else {
          // Offsets are contiguous: a hole is a lost record or a record the reader skipped. A
          // second reader in another group tells them apart.
          options.note(`final read: offsets missing in partition ${holes.join(', ')}; reading again with another reader`);
          rereads++;
          const first = consumer;
          consumer = null;
          collected.restart();
          if (first !== null) await attempt(() => first.disconnect(), options.deadline.cap(5000), 'final read: disconnect');
        }
      }
      await sleep(options.deadline.cap(consumer === null ? 1000 : 200));
    }
  } finally {
    const open = consumer;
    if (open !== null) await attempt(() => open.disconnect(), 10_000, 'final read: disconnect');
  }
  return targets();
}

export async function finalRead(options: FinalReadOptions): Promise<FinalPartition[]> {
  const { recorder } = options;
  const invokeMs = recorder.now();
  const collected = new Collected();
  const marks = await readAll(options, collected);
  const partitions: FinalPartition[] = [];
  for (let p = 0; p < options.partitions; p++) {
    const highWatermark = marks.get(p) ?? -1;
    const records = [...(collected.records.get(p)?.values() ?? [])].sort((a, b) => a.offset - b.offset);
    partitions.push({ partition: p, highWatermark, complete: highWatermark >= 0 && collected.reached(p, highWatermark), records });
  }
  const complete = partitions.every((p) => p.complete);
  recorder.record({ kind: 'final-read', process: 'final-reader', topic: options.topic, partitions, invokeMs, completeMs: recorder.now(), outcome: complete ? 'ok' : 'info' });
  return partitions;
}
