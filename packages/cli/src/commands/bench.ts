/**
 * `tributary bench produce|consume`: throughput and latency through kafkajs, an independent
 * client (none of our codecs on the client side). Prints a short report, or --json.
 */
import kafkajs from 'kafkajs';
import { benchConsume } from '../bench/bench-consume.js';
import { benchProduce, benchProducer } from '../bench/bench-produce.js';
import { kafkajsCompression, registerInstalledCodecs } from '../bench/kafkajs-support.js';
import { formatHostPort, type BrokerAddress } from '../client/host-port.js';
import { bootstrapOption, connectClient, intOption, parseCommand, resolveBootstrap } from '../cli-args.js';
import { CliFailure, usageError } from '../cli-error.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { parseAcks, parseCompressionName } from '../record-options.js';

export const benchUsage = `Usage: tributary bench produce|consume [options]

Options:
  --topic NAME            topic to use (default tributary-bench; created if missing)
  --records N             records to produce, or to read (default 100000; consume: all)
  --record-size B         bytes per record value (default 100)
  --acks 0|1|all          produce acknowledgement (default all)
  --batch-size N          records per send call (default 1000)
  --linger-ms MS          longest wait to fill a batch when --rate limits arrivals (default 0)
  --rate R                records per second offered (default: unlimited)
  --in-flight N           concurrent send calls (default 1)
  --compression CODEC     none, gzip, snappy, lz4 or zstd (default none)
  --partitions N          partitions when creating the topic (default 1)
  --timeout-ms MS         consume: give up after MS (default 120000)
  --json                  print the result as JSON
  --bootstrap HOST:PORT   broker to contact (default localhost:9092, env TRIBUTARY_BOOTSTRAP)
`;

const options = {
  ...bootstrapOption,
  topic: { type: 'string' },
  records: { type: 'string' },
  'record-size': { type: 'string' },
  acks: { type: 'string' },
  'batch-size': { type: 'string' },
  linger: { type: 'string' },
  'linger-ms': { type: 'string' },
  rate: { type: 'string' },
  'in-flight': { type: 'string' },
  compression: { type: 'string' },
  partitions: { type: 'string' },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Parsed = ReturnType<typeof parseCommand<typeof options>>;

const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export async function runBench(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(argv, options);
  const mode = parsed.positionals[0];
  if (parsed.values.help) {
    await writeOut(io.stdout, benchUsage);
    return ExitCode.ok;
  }
  if (parsed.positionals.length !== 1 || (mode !== 'produce' && mode !== 'consume')) throw usageError('bench needs "produce" or "consume"');
  const address = resolveBootstrap(parsed.values.bootstrap, io.env);
  // Our client's bounded connect gives the same "cannot reach" failure (exit 4) as other commands.
  (await connectClient(address)).close();
  const kafka = new kafkajs.Kafka({
    clientId: 'tributary-bench',
    brokers: [formatHostPort(address)],
    logLevel: kafkajs.logLevel.ERROR,
    connectionTimeout: 5_000,
    retry: { retries: 3 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topic = parsed.values.topic ?? 'tributary-bench';
    if (mode === 'produce') await produceMode(kafka, admin, topic, parsed, address, io);
    else await consumeMode(kafka, admin, topic, parsed, io);
  } catch (e) {
    if (e instanceof CliFailure) throw e;
    throw new CliFailure(`bench ${mode} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, ExitCode.failure);
  } finally {
    await admin.disconnect();
  }
  return ExitCode.ok;
}

async function produceMode(kafka: InstanceType<typeof kafkajs.Kafka>, admin: kafkajs.Admin, topic: string, p: Parsed, address: BrokerAddress, io: CliIo): Promise<void> {
  const v = p.values;
  const compressionName = parseCompressionName(v.compression);
  const settings = {
    topic,
    records: intOption(v.records, '--records', 1) ?? 100_000,
    recordSize: intOption(v['record-size'], '--record-size', 0, 64 * 1024 * 1024) ?? 100,
    acks: parseAcks(v.acks, -1),
    batchSize: intOption(v['batch-size'], '--batch-size', 1, 1_000_000) ?? 1000,
    lingerMs: intOption(v['linger-ms'] ?? v.linger, '--linger-ms', 0, 60_000) ?? 0,
    rate: intOption(v.rate, '--rate', 0) ?? 0,
    inFlight: intOption(v['in-flight'], '--in-flight', 1, 1024) ?? 1,
    compression: await kafkajsCompression(compressionName),
  };
  const partitions = intOption(v.partitions, '--partitions', 1, 10_000) ?? 1;
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  const producer = benchProducer(kafka);
  await producer.connect();
  try {
    const r = await benchProduce(producer, settings);
    if (v.json) {
      await writeOut(io.stdout, JSON.stringify({ mode: 'produce', broker: formatHostPort(address), ...settings, compression: compressionName, ...r }) + '\n');
      return;
    }
    const acks = settings.acks === -1 ? 'all' : String(settings.acks);
    await writeOut(
      io.stdout,
      `bench produce: ${settings.records} records of ${settings.recordSize} B to ${topic} (kafkajs, acks=${acks}, compression=${compressionName}, ` +
        `batch ${settings.batchSize}, in-flight ${settings.inFlight})\n` +
        `  ${fixed(r.throughput.recordsPerSecond, 0)} records/s, ${fixed(r.throughput.megabytesPerSecond, 2)} MB/s, ${fixed(r.elapsedMs / 1000, 2)} s\n` +
        `  send latency (${r.sends} sends): p50 ${fixed(r.latencyMs.p50, 2)} ms, p99 ${fixed(r.latencyMs.p99, 2)} ms, p999 ${fixed(r.latencyMs.p999, 2)} ms, max ${fixed(r.latencyMs.max, 2)} ms\n`,
    );
  } finally {
    await producer.disconnect();
  }
}

async function consumeMode(kafka: InstanceType<typeof kafkajs.Kafka>, admin: kafkajs.Admin, topic: string, p: Parsed, io: CliIo): Promise<void> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) throw new CliFailure(`topic ${topic} does not exist`, ExitCode.unknownTopic);
  await registerInstalledCodecs();
  const r = await benchConsume(kafka, admin, {
    topic,
    records: intOption(p.values.records, '--records', 1),
    timeoutMs: intOption(p.values['timeout-ms'], '--timeout-ms', 1) ?? 120_000,
  });
  if (p.values.json) {
    await writeOut(io.stdout, JSON.stringify({ mode: 'consume', topic, ...r }) + '\n');
    return;
  }
  await writeOut(
    io.stdout,
    `bench consume: ${r.records} records (${fixed(r.bytes / 1e6, 2)} MB of values) from ${topic} (kafkajs fetch)\n` +
      `  ${fixed(r.throughput.recordsPerSecond, 0)} records/s, ${fixed(r.throughput.megabytesPerSecond, 2)} MB/s, ${fixed(r.elapsedMs / 1000, 2)} s\n`,
  );
}
