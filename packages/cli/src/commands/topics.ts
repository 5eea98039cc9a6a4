/**
 * `tributary topics create|list|describe|alter|delete`, in the manner of kafka-topics.sh.
 * list and describe take --json for scripts.
 */
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { ClusterMetadata, TopicMetadata } from '../client/cluster-metadata.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { alterTopicConfigs, createPartitions, createTopic, deleteTopic, describeTopicConfigs, type TopicConfigEntry } from '../client/topic-admin.js';
import { bootstrapOption, connectClient, intOption, keyValuePairs, parseCommand, resolveBootstrap, unwrap } from '../cli-args.js';
import { unknownTopic, usageError } from '../cli-error.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { formatTable } from '../table.js';

export const topicsUsage = `Usage: tributary topics <action> [options]

Actions:
  create NAME [--partitions N] [--replication-factor N] [--config k=v ...]
  list [--json]
  describe [NAME] [--json]
  alter NAME [--config k=v ...] [--delete-config k ...] [--partitions N]
  delete NAME

Options:
  --bootstrap HOST:PORT   broker to contact (default localhost:9092, env TRIBUTARY_BOOTSTRAP)
`;

const options = {
  ...bootstrapOption,
  partitions: { type: 'string' },
  'replication-factor': { type: 'string' },
  config: { type: 'string', multiple: true },
  'delete-config': { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

type Parsed = ReturnType<typeof parseCommand<typeof options>>;

export async function runTopics(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(argv, options);
  const [action, ...names] = parsed.positionals;
  if (parsed.values.help || action === undefined) {
    await writeOut(parsed.values.help ? io.stdout : io.stderr, topicsUsage);
    return parsed.values.help ? ExitCode.ok : ExitCode.usage;
  }
  const actions: Record<string, (client: KafkaClient, names: string[], p: Parsed, io: CliIo) => Promise<void>> = {
    create: createAction,
    list: listAction,
    describe: describeAction,
    alter: alterAction,
    delete: deleteAction,
  };
  const run = actions[action];
  if (run === undefined) throw usageError(`unknown topics action "${action}"; expected create, list, describe, alter or delete`);
  const needsName = action !== 'list' && action !== 'describe';
  if (needsName && names.length !== 1) throw usageError(`topics ${action} needs exactly one topic name`);
  if (!needsName && names.length > (action === 'list' ? 0 : 1)) throw usageError(`too many arguments to topics ${action}`);
  // Bad flag values are usage errors (exit 2) whether or not a broker is reachable.
  intOption(parsed.values.partitions, '--partitions', 1, 1_000_000);
  intOption(parsed.values['replication-factor'], '--replication-factor', 1, 32_767);
  keyValuePairs(parsed.values.config, '--config');
  const client = await connectClient(resolveBootstrap(parsed.values.bootstrap, io.env));
  try {
    await run(client, names, parsed, io);
  } finally {
    client.close();
  }
  return ExitCode.ok;
}

async function createAction(client: KafkaClient, [name]: string[], p: Parsed, io: CliIo): Promise<void> {
  unwrap(
    await createTopic(client, {
      name,
      partitions: intOption(p.values.partitions, '--partitions', 1, 1_000_000),
      replicationFactor: intOption(p.values['replication-factor'], '--replication-factor', 1, 32_767),
      configs: keyValuePairs(p.values.config, '--config'),
    }),
  );
  await writeOut(io.stdout, `Created topic ${name}.\n`);
}

async function deleteAction(client: KafkaClient, [name]: string[], _p: Parsed, io: CliIo): Promise<void> {
  unwrap(await deleteTopic(client, name));
  await writeOut(io.stdout, `Deleted topic ${name}.\n`);
}

async function alterAction(client: KafkaClient, [name]: string[], p: Parsed, io: CliIo): Promise<void> {
  const set = keyValuePairs(p.values.config, '--config');
  const remove = p.values['delete-config'] ?? [];
  const partitions = intOption(p.values.partitions, '--partitions', 1, 1_000_000);
  if (Object.keys(set).length === 0 && remove.length === 0 && partitions === undefined) {
    throw usageError('topics alter needs --config, --delete-config or --partitions');
  }
  const topic = await describedTopic(client, name);
  if (partitions !== undefined) {
    if (partitions <= topic.partitions.length) {
      throw usageError(`topic ${name} has ${topic.partitions.length} partitions; --partitions can only raise the count`);
    }
    unwrap(await createPartitions(client, name, partitions));
    await writeOut(io.stdout, `Topic ${name} now has ${partitions} partitions.\n`);
  }
  if (Object.keys(set).length > 0 || remove.length > 0) {
    unwrap(await alterTopicConfigs(client, name, set, remove));
    await writeOut(io.stdout, `Altered configs of topic ${name}.\n`);
  }
}

/** Metadata for one topic, failing with exit 3 when it does not exist. */
async function describedTopic(client: KafkaClient, name: string): Promise<TopicMetadata> {
  const cluster = unwrap(await client.metadata([name], false));
  const topic = cluster.topics.find((t) => t.name === name);
  if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw unknownTopic(name);
  return topic;
}

async function listAction(client: KafkaClient, _names: string[], p: Parsed, io: CliIo): Promise<void> {
  const cluster = unwrap(await client.metadata(null, false));
  const names = cluster.topics.map((t) => t.name).sort();
  if (p.values.json) await writeOut(io.stdout, JSON.stringify({ topics: names }) + '\n');
  else if (names.length > 0) await writeOut(io.stdout, names.join('\n') + '\n');
}

async function describeAction(client: KafkaClient, names: string[], p: Parsed, io: CliIo): Promise<void> {
  let cluster: ClusterMetadata;
  if (names.length === 1) {
    await describedTopic(client, names[0]);
    cluster = unwrap(await client.metadata(names, false));
  } else {
    cluster = unwrap(await client.metadata(null, false));
  }
  const topics = [...cluster.topics].filter((t) => t.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).sort((a, b) => a.name.localeCompare(b.name));
  const configs = await configsOf(client, topics.map((t) => t.name));
  if (p.values.json) {
    await writeOut(io.stdout, JSON.stringify({ topics: topics.map((t) => describeJson(t, configs)) }) + '\n');
    return;
  }
  for (const topic of topics) await writeOut(io.stdout, describeText(topic, configs));
}

/** Configs by topic; null when the broker has no DescribeConfigs (the description still prints). */
async function configsOf(client: KafkaClient, names: string[]): Promise<Map<string, TopicConfigEntry[]> | null> {
  if (names.length === 0 || !client.versions.supports(ApiKey.DescribeConfigs)) return null;
  return unwrap(await describeTopicConfigs(client, names));
}

function overrides(entries: readonly TopicConfigEntry[] | undefined): TopicConfigEntry[] {
  return (entries ?? []).filter((c) => !c.isDefault).sort((a, b) => a.name.localeCompare(b.name));
}

function describeText(topic: TopicMetadata, configs: Map<string, TopicConfigEntry[]> | null): string {
  const rf = topic.partitions[0]?.replicas.length ?? 0;
  const configText =
    configs === null
      ? '(the broker does not describe configs)'
      : overrides(configs.get(topic.name))
          .map((c) => `${c.name}=${c.isSensitive ? '(sensitive)' : (c.value ?? 'null')}`)
          .join(',');
  const head = `Topic: ${topic.name}\tPartitions: ${topic.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${configText}\n`;
  const rows = topic.partitions.map((part) => [
    String(part.partition),
    part.leader < 0 ? 'none' : String(part.leader),
    part.replicas.join(','),
    part.isr.join(','),
    part.errorCode === 0 ? '' : String(part.errorCode),
  ]);
  const table = formatTable(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'ERROR'], rows)
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
  return `${head}${table}\n`;
}

function describeJson(topic: TopicMetadata, configs: Map<string, TopicConfigEntry[]> | null): unknown {
  return {
    name: topic.name,
    internal: topic.isInternal,
    partitions: topic.partitions.map((part) => ({
      partition: part.partition,
      leader: part.leader,
      leaderEpoch: part.leaderEpoch,
      replicas: part.replicas,
      isr: part.isr,
      offlineReplicas: part.offlineReplicas,
      errorCode: part.errorCode,
    })),
    configs:
      configs === null
        ? null
        : Object.fromEntries(
            (configs.get(topic.name) ?? []).map((c) => [
              c.name,
              { value: c.isSensitive ? null : c.value, default: c.isDefault, source: c.source, readOnly: c.readOnly, sensitive: c.isSensitive },
            ]),
          ),
  };
}

