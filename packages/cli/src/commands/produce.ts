/**
 * `tributary produce TOPIC`: one record per stdin line, in the manner of
 * kafka-console-producer.sh. Lines are batched per partition (up to --batch-size records, or
 * what arrived within --linger-ms) and sent to each partition's leader, one request at a time,
 * so records keep their order within a partition.
 */
import { createInterface } from 'node:readline';
import type { CompressionCodec, RecordHeader } from '@tributary/protocol';
import type { TopicMetadata } from '../client/cluster-metadata.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { partitionForKey } from '../client/partitioner.js';
import { produceBatch, type Acks, type ProducerRecord } from '../client/producer.js';
import { bootstrapOption, connectClient, intOption, keyValuePairs, parseCommand, resolveBootstrap, unwrap } from '../cli-args.js';
import { usageError } from '../cli-error.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { parseAcks, parseCompression } from '../record-options.js';
import { topicWithLeaders } from '../topic-leaders.js';

export const produceUsage = `Usage: tributary produce TOPIC [options] < lines

Reads one record per line from stdin.

Options:
  --key-separator SEP     split each line at the first SEP into key and value (no key otherwise)
  --header k=v            add a header to every record (repeatable)
  --acks 0|1|all          acknowledgement to wait for (default all)
  --compression CODEC     none, gzip, snappy, lz4 or zstd (default none)
  --partition N           send every record to partition N (default: by key, or round robin)
  --batch-size N          records per batch at most (default 500)
  --linger-ms MS          longest wait to fill a batch (default 5)
  --bootstrap HOST:PORT   broker to contact (default localhost:9092, env TRIBUTARY_BOOTSTRAP)
`;

const options = {
  ...bootstrapOption,
  'key-separator': { type: 'string' },
  header: { type: 'string', multiple: true },
  acks: { type: 'string' },
  compression: { type: 'string' },
  partition: { type: 'string' },
  'batch-size': { type: 'string' },
  'linger-ms': { type: 'string' },
} as const;

/** Produce requests allowed to wait for a leader (NOT_LEADER, LEADER_NOT_AVAILABLE) per batch. */
const LEADER_RETRIES_MAX = 5;
const RETRIABLE_LEADER_CODES = new Set([5, 6]);

interface ProduceSettings {
  readonly topic: string;
  readonly acks: Acks;
  readonly compression: CompressionCodec;
  readonly fixedPartition: number | undefined;
  readonly keySeparator: string | undefined;
  readonly headers: readonly RecordHeader[];
  readonly batchSize: number;
  readonly lingerMs: number;
}

export async function runProduce(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(argv, options);
  if (parsed.values.help) {
    await writeOut(io.stdout, produceUsage);
    return ExitCode.ok;
  }
  if (parsed.positionals.length !== 1) throw usageError('produce needs exactly one topic name');
  const v = parsed.values;
  if (v['key-separator'] === '') throw usageError('--key-separator cannot be empty');
  const settings: ProduceSettings = {
    topic: parsed.positionals[0],
    acks: parseAcks(v.acks, -1),
    compression: parseCompression(v.compression),
    fixedPartition: intOption(v.partition, '--partition', 0, 2_147_483_647),
    keySeparator: v['key-separator'],
    headers: Object.entries(keyValuePairs(v.header, '--header')).map(([key, value]) => ({ key, value: Buffer.from(value) })),
    batchSize: intOption(v['batch-size'], '--batch-size', 1, 100_000) ?? 500,
    lingerMs: intOption(v['linger-ms'], '--linger-ms', 0, 60_000) ?? 5,
  };
  const client = await connectClient(resolveBootstrap(v.bootstrap, io.env));
  try {
    const topic = await topicWithLeaders(client, settings.topic, true);
    if (settings.fixedPartition !== undefined && settings.fixedPartition >= topic.partitions.length) {
      throw usageError(`topic ${settings.topic} has no partition ${settings.fixedPartition} (it has ${topic.partitions.length})`);
    }
    const count = await produceLines(client, topic, settings, io);
    await writeOut(io.stderr, `produced ${count} record${count === 1 ? '' : 's'} to ${settings.topic}\n`);
  } finally {
    client.close();
  }
  return ExitCode.ok;
}

async function produceLines(client: KafkaClient, initial: TopicMetadata, settings: ProduceSettings, io: CliIo): Promise<number> {
  let topic = initial;
  let roundRobin = 0;
  let lineNumber = 0;
  let produced = 0;
  const pending = new Map<number, ProducerRecord[]>();
  let pendingCount = 0;

  const flush = async (): Promise<void> => {
    if (pendingCount === 0) return;
    const batches = [...pending];
    pending.clear();
    pendingCount = 0;
    for (const [partition, records] of batches) {
      topic = await sendWithRetry(client, topic, settings, partition, records);
      produced += records.length;
    }
    roundRobin++;
  };

  // Flushes run one after another (records keep their order); a full batch flushes at once,
  // a partial one after --linger-ms, so typed lines go out promptly.
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  let timer: NodeJS.Timeout | undefined;
  const scheduleFlush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    chain = chain.then(flush).catch((e: unknown) => {
      failure ??= e;
    });
    return chain;
  };
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (failure !== null) throw failure;
      lineNumber++;
      const record = toRecord(line, lineNumber, settings);
      const partition =
        settings.fixedPartition ?? (record.key !== null ? partitionForKey(record.key, topic.partitions.length) : roundRobin % topic.partitions.length);
      const list = pending.get(partition) ?? [];
      list.push(record);
      pending.set(partition, list);
      pendingCount++;
      if (pendingCount >= settings.batchSize) await scheduleFlush();
      else if (timer === undefined) timer = setTimeout(() => void scheduleFlush(), settings.lingerMs);
    }
    await scheduleFlush();
  } finally {
    clearTimeout(timer);
    lines.close();
  }
  if (failure !== null) throw failure;
  return produced;
}

function toRecord(line: string, lineNumber: number, settings: ProduceSettings): ProducerRecord {
  if (settings.keySeparator === undefined) return { key: null, value: Buffer.from(line), headers: settings.headers };
  const at = line.indexOf(settings.keySeparator);
  if (at < 0) throw usageError(`line ${lineNumber} has no key separator "${settings.keySeparator}"`);
  return {
    key: Buffer.from(line.slice(0, at)),
    value: Buffer.from(line.slice(at + settings.keySeparator.length)),
    headers: settings.headers,
  };
}

/** Sends one batch; on a leader change refreshes metadata and tries again, a bounded number of times. */
async function sendWithRetry(
  client: KafkaClient,
  topic: TopicMetadata,
  settings: ProduceSettings,
  partition: number,
  records: ProducerRecord[],
): Promise<TopicMetadata> {
  let current = topic;
  for (let attempt = 0; ; attempt++) {
    const leader = current.partitions[partition].leader;
    const connection = unwrap(await client.nodeConnection(leader));
    const result = await produceBatch(client, connection, settings.topic, partition, records, {
      acks: settings.acks,
      compression: settings.compression,
      timeoutMs: 30_000,
    });
    if (result.ok) return current;
    if (!(result.error.kind === 'kafka' && RETRIABLE_LEADER_CODES.has(result.error.code)) || attempt >= LEADER_RETRIES_MAX) unwrap(result);
    current = await topicWithLeaders(client, settings.topic, false);
  }
}
