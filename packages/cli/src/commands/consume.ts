/**
 * `tributary consume TOPIC`: prints records from one or every partition, in the manner of
 * kafka-console-consumer.sh. Starts at the end unless told otherwise (--from-beginning,
 * --offset, --timestamp); stops after --max-messages, or after --timeout-ms without a record.
 */
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { TopicMetadata } from '../client/cluster-metadata.js';
import { fetchPartitions } from '../client/fetcher.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../client/list-offsets.js';
import { bootstrapOption, connectClient, intOption, parseCommand, resolveBootstrap, unwrap } from '../cli-args.js';
import { CliFailure, unknownTopic, usageError } from '../cli-error.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { formatRecord, recordFormats, type RecordFormat } from '../record-format.js';
import { topicWithLeaders } from '../topic-leaders.js';
import { formatHostPort } from '../client/host-port.js';
import { consumeAsGroupMember, type GroupConsumeSettings } from '../groups/group-consume.js';

export const consumeUsage = `Usage: tributary consume TOPIC [options]

Options:
  --from-beginning        start at the earliest offset (default: the end)
  --offset N              start at offset N (with --partition, or in every partition)
  --timestamp MS|ISO      start at the first record at or after this time
  --partition N           read only partition N (default: every partition)
  --max-messages N        stop after N records
  --timeout-ms MS         stop after MS without a record
  --format text|json|kv   value only, one JSON object per record, or key SEP value (default text)
  --key-separator SEP     separator for --format kv (default a tab)
  --group G               consume as a member of group G: partitions shared with the group's
                          other members, starting at its committed offsets (--from-beginning
                          or the end where none), committing as it goes and on exit
  --session-timeout-ms MS with --group: the group drops this member after MS without a heartbeat (default 10000)
  --commit-interval-ms MS with --group: commit offsets this often (default 5000)
  --bootstrap HOST:PORT   broker to contact (default localhost:9092, env TRIBUTARY_BOOTSTRAP)
`;

const options = {
  ...bootstrapOption,
  'from-beginning': { type: 'boolean' },
  offset: { type: 'string' },
  timestamp: { type: 'string' },
  partition: { type: 'string' },
  'max-messages': { type: 'string' },
  'timeout-ms': { type: 'string' },
  format: { type: 'string' },
  'key-separator': { type: 'string' },
  group: { type: 'string' },
  'session-timeout-ms': { type: 'string' },
  'commit-interval-ms': { type: 'string' },
} as const;

/** The longest a single Fetch may wait at the broker; shorter when --timeout-ms is nearer. */
const FETCH_WAIT_MS_MAX = 500;
/** Metadata refreshes allowed after leader errors, in a row. */
const LEADER_REFRESHES_MAX = 20;

interface ConsumeSettings {
  readonly topic: string;
  readonly start: { kind: 'offset'; offset: bigint } | { kind: 'time'; timestamp: bigint };
  readonly partition: number | undefined;
  readonly maxMessages: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly format: RecordFormat;
  readonly keySeparator: string;
}

export function parseTimestamp(value: string): bigint {
  if (/^\d+$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw usageError(`--timestamp needs milliseconds since the epoch or an ISO date, got "${value}"`);
  return BigInt(ms);
}

function settingsFrom(parsed: ReturnType<typeof parseCommand<typeof options>>): ConsumeSettings {
  const v = parsed.values;
  if (parsed.positionals.length !== 1) throw usageError('consume needs exactly one topic name');
  const starts = [v['from-beginning'], v.offset, v.timestamp].filter((x) => x !== undefined && x !== false);
  if (starts.length > 1) throw usageError('use only one of --from-beginning, --offset and --timestamp');
  const format = (v.format ?? 'text') as RecordFormat;
  if (!recordFormats.includes(format)) throw usageError(`--format must be text, json or kv, got "${v.format}"`);
  let start: ConsumeSettings['start'] = { kind: 'time', timestamp: LATEST_TIMESTAMP };
  if (v['from-beginning']) start = { kind: 'time', timestamp: EARLIEST_TIMESTAMP };
  if (v.timestamp !== undefined) start = { kind: 'time', timestamp: parseTimestamp(v.timestamp) };
  if (v.offset !== undefined) start = { kind: 'offset', offset: BigInt(intOption(v.offset, '--offset', 0) ?? 0) };
  return {
    topic: parsed.positionals[0],
    start,
    partition: intOption(v.partition, '--partition', 0, 2_147_483_647),
    maxMessages: intOption(v['max-messages'], '--max-messages', 1),
    timeoutMs: intOption(v['timeout-ms'], '--timeout-ms', 1),
    format,
    keySeparator: v['key-separator'] ?? '\t',
  };
}

export async function runConsume(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(argv, options);
  if (parsed.values.help) {
    await writeOut(io.stdout, consumeUsage);
    return ExitCode.ok;
  }
  const settings = settingsFrom(parsed);
  const group = parsed.values.group !== undefined ? groupSettings(parsed, settings) : undefined;
  const client = await connectClient(resolveBootstrap(parsed.values.bootstrap, io.env));
  try {
    if (group !== undefined) {
      requireGroups(client);
      const count = await consumeAsGroupMember(client, group, io);
      await writeOut(io.stderr, `Processed a total of ${count} message${count === 1 ? '' : 's'}\n`);
      return ExitCode.ok;
    }
    const topic = await topicWithLeaders(client, settings.topic, false);
    const partitions = settings.partition === undefined ? topic.partitions.map((p) => p.partition) : [settings.partition];
    if (settings.partition !== undefined && settings.partition >= topic.partitions.length) {
      throw usageError(`topic ${settings.topic} has no partition ${settings.partition} (it has ${topic.partitions.length})`);
    }
    const positions = await startPositions(client, topic, partitions, settings);
    const count = await consumeLoop(client, topic, positions, settings, io);
    await writeOut(io.stderr, `Processed a total of ${count} message${count === 1 ? '' : 's'}\n`);
  } finally {
    client.close();
  }
  return ExitCode.ok;
}

/** --group: what the group member needs; --offset, --timestamp and --partition do not apply. */
function groupSettings(parsed: ReturnType<typeof parseCommand<typeof options>>, settings: ConsumeSettings): GroupConsumeSettings {
  const v = parsed.values;
  if (v.offset !== undefined || v.timestamp !== undefined || v.partition !== undefined) {
    throw usageError('--group starts at the committed offsets: it cannot be combined with --offset, --timestamp or --partition');
  }
  return {
    topic: settings.topic,
    groupId: v.group as string,
    fromBeginning: v['from-beginning'] === true,
    maxMessages: settings.maxMessages,
    timeoutMs: settings.timeoutMs,
    format: settings.format,
    keySeparator: settings.keySeparator,
    sessionTimeoutMs: intOption(v['session-timeout-ms'], '--session-timeout-ms', 1_000, 3_600_000) ?? 10_000,
    commitIntervalMs: intOption(v['commit-interval-ms'], '--commit-interval-ms', 1, 3_600_000) ?? 5_000,
  };
}

/** Consumer groups need a coordinator; without one, say so plainly. */
function requireGroups(client: KafkaClient): void {
  const address = formatHostPort(client.bootstrap);
  if (!client.versions.supports(ApiKey.JoinGroup) || !client.versions.supports(ApiKey.FindCoordinator)) {
    throw new CliFailure(`--group: the broker at ${address} does not support consumer groups (no JoinGroup/FindCoordinator); use --partition and --offset instead`, ExitCode.failure);
  }
}

/** Partitions grouped by their leader's node id. */
function byLeader(topic: TopicMetadata, partitions: Iterable<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const partition of partitions) {
    const leader = topic.partitions[partition].leader;
    groups.set(leader, [...(groups.get(leader) ?? []), partition]);
  }
  return groups;
}

async function startPositions(client: KafkaClient, topic: TopicMetadata, partitions: number[], settings: ConsumeSettings): Promise<Map<number, bigint>> {
  const positions = new Map<number, bigint>();
  const start = settings.start;
  if (start.kind === 'offset') {
    for (const p of partitions) positions.set(p, start.offset);
    return positions;
  }
  for (const [leader, group] of byLeader(topic, partitions)) {
    const connection = unwrap(await client.nodeConnection(leader));
    const found = unwrap(await listOffsets(client, connection, settings.topic, group, start.timestamp));
    // A time past the last record answers -1: start at the end, as Kafka's console consumer does.
    const needLatest = group.filter((p) => (found.get(p) ?? -1n) < 0n);
    const latest = needLatest.length > 0 ? unwrap(await listOffsets(client, connection, settings.topic, needLatest, LATEST_TIMESTAMP)) : new Map();
    for (const p of group) positions.set(p, (found.get(p) ?? -1n) >= 0n ? (found.get(p) as bigint) : (latest.get(p) as bigint));
  }
  return positions;
}

async function consumeLoop(
  client: KafkaClient,
  initial: TopicMetadata,
  positions: Map<number, bigint>,
  settings: ConsumeSettings,
  io: CliIo,
): Promise<number> {
  let topic = initial;
  let count = 0;
  let lastRecordAt = Date.now();
  let refreshes = 0;
  for (;;) {
    const idleMs = Date.now() - lastRecordAt;
    if (settings.timeoutMs !== undefined && idleMs >= settings.timeoutMs) return count;
    const waitMs = settings.timeoutMs === undefined ? FETCH_WAIT_MS_MAX : Math.max(0, Math.min(FETCH_WAIT_MS_MAX, settings.timeoutMs - idleMs));
    let leaderTrouble = false;
    for (const [leader, group] of byLeader(topic, positions.keys())) {
      const connection = unwrap(await client.nodeConnection(leader));
      const groupPositions = new Map(group.map((p) => [p, positions.get(p) as bigint]));
      const results = unwrap(await fetchPartitions(client, connection, settings.topic, groupPositions, { maxWaitMs: waitMs, maxBytes: 50 << 20, partitionMaxBytes: 1 << 20, isolationLevel: 0 }));
      for (const [partition, result] of results) {
        if (result.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || result.errorCode === ErrorCode.LEADER_NOT_AVAILABLE) {
          leaderTrouble = true;
          continue;
        }
        if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw unknownTopic(settings.topic);
        if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          const at = positions.get(partition);
          throw new CliFailure(`offset ${at} is out of range for ${settings.topic}-${partition} (it holds ${result.logStartOffset} to ${result.highWatermark})`, ExitCode.failure);
        }
        if (result.errorCode !== ErrorCode.NONE) throw new CliFailure(`fetch from ${settings.topic}-${partition} failed with error code ${result.errorCode}`, ExitCode.failure);
        for (const record of result.records) {
          await writeOut(io.stdout, formatRecord(settings.topic, record, settings.format, settings.keySeparator));
          count++;
          if (settings.maxMessages !== undefined && count >= settings.maxMessages) return count;
        }
        if (result.records.length > 0) lastRecordAt = Date.now();
        positions.set(partition, result.nextOffset);
      }
    }
    if (leaderTrouble) {
      if (++refreshes > LEADER_REFRESHES_MAX) throw new CliFailure(`${settings.topic} keeps answering leader errors`, ExitCode.failure);
      topic = await topicWithLeaders(client, settings.topic, false);
    } else {
      refreshes = 0;
    }
  }
}
