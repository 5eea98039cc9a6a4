/**
 * Resolves the BrokerConfig from command-line flags, TRIBUTARY_* environment variables and a JSON
 * config file, in that order of precedence, over the defaults. Every setting has one name (the
 * Kafka-style dotted key, e.g. `num.partitions`), from which its flag (`--num-partitions`) and
 * environment variable (`TRIBUTARY_NUM_PARTITIONS`) follow. The file may also use the
 * BrokerConfig field path (`limits.connectionsMax`, or nested `{ "limits": { ... } }`).
 * A bad value is a ConfigError naming the setting and where it came from.
 */
import { createHash } from 'node:crypto';
import { type Result, ok, err, TributaryError } from '@tributary/common';
import { SEGMENT_BYTES_MAX } from '@tributary/storage';
import {
  DEFAULT_KAFKA_LISTENER_NAME,
  RPC_ENDPOINT_NAME,
  defaultClusterSettings,
  defaultGroupSettings,
  defaultLimits,
  defaultTopicDefaults,
  type BrokerConfig,
  type BrokerLimits,
  type ClusterSettings,
  type GroupSettings,
  type HostPort,
  type KafkaListenerConfig,
  type TopicDefaults,
  type Voter,
} from './broker-config.js';
import { bool, hostPort, int32Min, intIn, isWildcardHost, logLevel, namedAddresses, nonEmptyString, safeIntMin, voters, type NamedAddress, type ValueParser } from './config-values.js';

export class ConfigError extends TributaryError {
  override readonly name = 'ConfigError';
  constructor(
    /** The setting's key, e.g. `node.id`. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

interface Setting {
  readonly key: string;
  /** The BrokerConfig path, also accepted as a key in the config file. */
  readonly field: string;
  readonly parse: ValueParser<unknown>;
  readonly help: string;
}

/** Every setting, in the order `--help` lists them. */
export const settings: readonly Setting[] = [
  { key: 'config', field: 'config', parse: nonEmptyString, help: 'JSON file with any of these settings (dotted keys)' },
  { key: 'node.id', field: 'nodeId', parse: intIn(0, 0x7fff_ffff), help: 'this node id (default 1 on a single node; required with --voters)' },
  { key: 'data.dir', field: 'dataDir', parse: nonEmptyString, help: 'directory for partition logs and metadata (required)' },
  { key: 'kafka.listen', field: 'kafkaListen', parse: hostPort, help: 'the Kafka listener (named PLAINTEXT), HOST:PORT (default 0.0.0.0:9092)' },
  { key: 'advertise', field: 'advertise', parse: hostPort, help: 'address given to clients in Metadata (default: the listener; 127.0.0.1 for 0.0.0.0)' },
  { key: 'listeners', field: 'listeners', parse: namedAddresses, help: 'instead of --kafka-listen: Kafka listeners, NAME://HOST:PORT,... (names [A-Z0-9_]+)' },
  {
    key: 'advertised.listeners',
    field: 'advertisedListeners',
    parse: namedAddresses,
    help: 'instead of --advertise: NAME://HOST:PORT,... the address Metadata gives the clients of each listener (default: as --advertise)',
  },
  { key: 'rpc.listen', field: 'rpcListen', parse: hostPort, help: 'broker-to-broker gRPC listener (default: listener host, port 9093)' },
  { key: 'http.listen', field: 'httpListen', parse: hostPort, help: '/health, /ready and /metrics (default: listener host, port 9644)' },
  { key: 'voters', field: 'voters', parse: voters, help: 'controller quorum, ID@HOST:RPCPORT,... (default: just this node)' },
  { key: 'cluster.id', field: 'cluster.clusterId', parse: nonEmptyString, help: 'with --voters: the cluster id all nodes share (default: derived from the voter list)' },
  { key: 'broker.session.timeout.ms', field: 'cluster.brokerSessionTimeoutMs', parse: intIn(100, 0x7fff_ffff), help: 'with --voters: a broker without a heartbeat this long is fenced (default 800)' },
  { key: 'broker.heartbeat.interval.ms', field: 'cluster.brokerHeartbeatIntervalMs', parse: intIn(10, 0x7fff_ffff), help: 'with --voters: how often a broker heartbeats to the controller (default 150)' },
  { key: 'metadata.snapshot.interval.records', field: 'cluster.metadataSnapshotIntervalEntries', parse: intIn(1, 0x7fff_ffff), help: 'with --voters: metadata log entries between snapshots (default 1000)' },
  { key: 'replica.lag.time.max.ms', field: 'cluster.replicaLagTimeMaxMs', parse: intIn(100, 0x7fff_ffff), help: 'with --voters: a follower not caught up this long leaves the ISR (default 10000)' },
  { key: 'auto.leader.rebalance.enable', field: 'cluster.autoLeaderRebalance', parse: bool, help: 'with --voters: move leaderships back to preferred replicas (default true)' },
  { key: 'leader.imbalance.check.interval.ms', field: 'cluster.leaderImbalanceCheckIntervalMs', parse: intIn(100, 0x7fff_ffff), help: 'with --voters: how often that runs (default 30000)' },
  { key: 'auto.create.topics.enable', field: 'autoCreateTopics', parse: bool, help: 'create unknown topics on Metadata requests (default true)' },
  { key: 'delete.topic.enable', field: 'deleteTopicEnable', parse: bool, help: 'allow DeleteTopics (default true)' },
  { key: 'num.partitions', field: 'topicDefaults.numPartitions', parse: intIn(1, 100_000), help: 'partitions of a topic created without a count (default 1)' },
  { key: 'default.replication.factor', field: 'topicDefaults.replicationFactor', parse: intIn(1, 0x7fff), help: 'replication factor by default (default 1)' },
  { key: 'log.retention.ms', field: 'topicDefaults.retentionMs', parse: safeIntMin(-1), help: 'retention by time, -1 for none (default 7 days)' },
  { key: 'log.retention.bytes', field: 'topicDefaults.retentionBytes', parse: safeIntMin(-1), help: 'retention by size per partition, -1 for none (default -1)' },
  { key: 'log.segment.bytes', field: 'topicDefaults.segmentBytes', parse: intIn(14, SEGMENT_BYTES_MAX), help: 'segment size (default 1 GiB)' },
  { key: 'log.roll.ms', field: 'topicDefaults.segmentMs', parse: safeIntMin(1), help: 'segment age before a roll (default 7 days)' },
  { key: 'message.max.bytes', field: 'topicDefaults.maxMessageBytes', parse: int32Min(0), help: 'largest record batch (default 1048588)' },
  { key: 'min.insync.replicas', field: 'topicDefaults.minInsyncReplicas', parse: intIn(1, 0x7fff), help: 'default min.insync.replicas (default 1)' },
  { key: 'socket.request.max.bytes', field: 'limits.frameBytesMax', parse: int32Min(1024), help: 'largest request frame (default 100 MiB)' },
  { key: 'max.connections', field: 'limits.connectionsMax', parse: int32Min(1), help: 'open client connections at most (default 1000)' },
  { key: 'max.in.flight.requests.per.connection', field: 'limits.inFlightRequestsPerConnectionMax', parse: intIn(1, 10_000), help: 'requests read ahead per connection (default 16)' },
  { key: 'fetch.max.wait.ms.max', field: 'limits.fetchMaxWaitMsMax', parse: int32Min(0), help: 'longest Fetch long poll honoured (default 30000)' },
  { key: 'fetch.max.bytes', field: 'limits.fetchResponseBytesMax', parse: int32Min(1), help: 'largest Fetch response (default 55 MiB)' },
  { key: 'offsets.topic.replication.factor', field: 'groups.offsetsTopicReplicationFactor', parse: intIn(1, 0x7fff), help: 'with --voters: replicas of __consumer_offsets, at most the voters (default 3)' },
  { key: 'offsets.topic.num.partitions', field: 'groups.offsetsTopicPartitions', parse: intIn(1, 10_000), help: 'partitions of __consumer_offsets when created (default 50)' },
  { key: 'group.min.session.timeout.ms', field: 'groups.minSessionTimeoutMs', parse: int32Min(0), help: 'smallest consumer session timeout accepted (default 6000)' },
  { key: 'group.max.session.timeout.ms', field: 'groups.maxSessionTimeoutMs', parse: int32Min(0), help: 'largest consumer session timeout accepted (default 1800000)' },
  { key: 'group.initial.rebalance.delay.ms', field: 'groups.initialRebalanceDelayMs', parse: int32Min(0), help: 'wait for more members before the first rebalance of an empty group (default 3000)' },
  { key: 'log.retention.check.interval.ms', field: 'retentionCheckIntervalMs', parse: int32Min(1), help: 'how often retention runs (default 300000)' },
  { key: 'shutdown.timeout.ms', field: 'shutdownTimeoutMs', parse: int32Min(0), help: 'grace for in-flight requests on shutdown (default 10000)' },
  { key: 'log.level', field: 'logLevel', parse: logLevel, help: 'trace, debug, info, warn, error, fatal or silent (default info)' },
];

const byKey = new Map(settings.map((s) => [s.key, s]));
const byFileName = new Map(settings.flatMap((s) => [[s.key, s] as const, [s.field, s] as const]));

export const flagName = (key: string): string => `--${key.replaceAll('.', '-')}`;
export const envName = (key: string): string => `TRIBUTARY_${key.replaceAll('.', '_').toUpperCase()}`;
const byFlag = new Map(settings.map((s) => [flagName(s.key), s]));

export const DEFAULT_KAFKA_LISTEN: HostPort = { host: '0.0.0.0', port: 9092 };
export const DEFAULT_RPC_PORT = 9093;
export const DEFAULT_HTTP_PORT = 9644;
const DEFAULT_NODE_ID = 1;
const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads the --config file; throws as fs.readFileSync does. */
  readonly readFile: (path: string) => string;
}

export interface LoadedConfig {
  readonly config: BrokerConfig;
  /** Decisions worth logging at startup (e.g. which address is advertised and why). */
  readonly notes: readonly string[];
}

/** A value for one setting and where it came from, for error messages. */
interface RawValue {
  readonly value: unknown;
  readonly source: string;
}

type RawValues = Map<string, RawValue>;

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** The `--help` text: every setting with its flag and environment variable. */
export function configHelp(): string {
  const lines = ['Usage: tributary broker [options]', '', 'Each option may also be set by its environment variable or in the --config file.', ''];
  for (const s of settings) lines.push(`  ${flagName(s.key)} <value>`.padEnd(48) + `${envName(s.key)}`, `      ${s.help}`);
  return lines.join('\n');
}

function parseArgv(argv: readonly string[]): Result<RawValues, ConfigError> {
  const values: RawValues = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const setting = byFlag.get(flag);
    if (setting === undefined) return err(new ConfigError(flag, `unknown option '${flag}' (see --help)`));
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) return err(new ConfigError(setting.key, `${flag} needs a value`));
    values.set(setting.key, { value, source: flag });
  }
  return ok(values);
}

function readEnv(env: ConfigSources['env']): RawValues {
  const values: RawValues = new Map();
  for (const s of settings) {
    const name = envName(s.key);
    const value = env[name];
    if (value !== undefined && value !== '') values.set(s.key, { value, source: name });
  }
  return values;
}

/** Flattens `{ limits: { connectionsMax: 3 } }` into `limits.connectionsMax` (one level). */
function flattenFileEntries(json: Record<string, unknown>): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(json)) {
    const nested = (name === 'limits' || name === 'topicDefaults') && typeof value === 'object' && value !== null && !Array.isArray(value);
    if (nested) for (const [inner, v] of Object.entries(value)) entries.push([`${name}.${inner}`, v]);
    else entries.push([name, value]);
  }
  return entries;
}

function readConfigFile(path: string, readFile: ConfigSources['readFile']): Result<RawValues, ConfigError> {
  let json: unknown;
  try {
    json = JSON.parse(readFile(path));
  } catch (e) {
    return err(new ConfigError('config', `cannot read config file ${path}: ${(e as Error).message}`));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return err(new ConfigError('config', `config file ${path} must hold a JSON object of settings`));
  }
  const values: RawValues = new Map();
  for (const [name, value] of flattenFileEntries(json as Record<string, unknown>)) {
    const setting = byFileName.get(name);
    if (setting === undefined || setting.key === 'config') {
      return err(new ConfigError(name, `unknown setting '${name}' in config file ${path} (see tributary broker --help)`));
    }
    values.set(setting.key, { value, source: `'${name}' in ${path}` });
  }
  return ok(values);
}

/** Parses every raw value; the first bad one is the error. */
function parseAll(raw: RawValues): Result<Map<string, unknown>, ConfigError> {
  const parsed = new Map<string, unknown>();
  for (const [key, { value, source }] of raw) {
    const setting = byKey.get(key);
    if (setting === undefined) continue;
    const result = setting.parse(value);
    if (!result.ok) return err(new ConfigError(key, `invalid ${key} (from ${source}): ${result.error.message}`));
    parsed.set(key, result.value);
  }
  return ok(parsed);
}

/** Loads the config: flag > environment > file > default. */
export function loadConfig(sources: ConfigSources): Result<LoadedConfig, ConfigError> {
  const flags = parseArgv(sources.argv);
  if (!flags.ok) return flags;
  const env = readEnv(sources.env);
  const configPath = flags.value.get('config') ?? env.get('config');
  const merged: RawValues = new Map();
  if (configPath !== undefined) {
    const path = nonEmptyString(configPath.value);
    if (!path.ok) return err(new ConfigError('config', `invalid config (from ${configPath.source}): ${path.error.message}`));
    const file = readConfigFile(path.value, sources.readFile);
    if (!file.ok) return file;
    for (const [k, v] of file.value) merged.set(k, v);
  }
  for (const [k, v] of env) merged.set(k, v);
  for (const [k, v] of flags.value) merged.set(k, v);
  const mixed = checkListenerStyle(merged);
  if (mixed !== null) return err(mixed);
  const parsed = parseAll(merged);
  if (!parsed.ok) return parsed;
  return buildConfig(parsed.value);
}

function pick<T>(values: Map<string, unknown>, key: string, fallback: T): T {
  return values.has(key) ? (values.get(key) as T) : fallback;
}

function buildTopicDefaults(v: Map<string, unknown>): TopicDefaults {
  const d = defaultTopicDefaults;
  return {
    numPartitions: pick(v, 'num.partitions', d.numPartitions),
    replicationFactor: pick(v, 'default.replication.factor', d.replicationFactor),
    retentionMs: pick(v, 'log.retention.ms', d.retentionMs),
    retentionBytes: pick(v, 'log.retention.bytes', d.retentionBytes),
    segmentBytes: pick(v, 'log.segment.bytes', d.segmentBytes),
    segmentMs: pick(v, 'log.roll.ms', d.segmentMs),
    maxMessageBytes: pick(v, 'message.max.bytes', d.maxMessageBytes),
    minInsyncReplicas: pick(v, 'min.insync.replicas', d.minInsyncReplicas),
  };
}

function buildLimits(v: Map<string, unknown>): BrokerLimits {
  const d = defaultLimits;
  return {
    frameBytesMax: pick(v, 'socket.request.max.bytes', d.frameBytesMax),
    connectionsMax: pick(v, 'max.connections', d.connectionsMax),
    inFlightRequestsPerConnectionMax: pick(v, 'max.in.flight.requests.per.connection', d.inFlightRequestsPerConnectionMax),
    fetchMaxWaitMsMax: pick(v, 'fetch.max.wait.ms.max', d.fetchMaxWaitMsMax),
    fetchResponseBytesMax: pick(v, 'fetch.max.bytes', d.fetchResponseBytesMax),
  };
}

function buildGroups(v: Map<string, unknown>): GroupSettings {
  const d = defaultGroupSettings;
  return {
    offsetsTopicPartitions: pick(v, 'offsets.topic.num.partitions', d.offsetsTopicPartitions),
    offsetsTopicReplicationFactor: pick(v, 'offsets.topic.replication.factor', d.offsetsTopicReplicationFactor),
    minSessionTimeoutMs: pick(v, 'group.min.session.timeout.ms', d.minSessionTimeoutMs),
    maxSessionTimeoutMs: pick(v, 'group.max.session.timeout.ms', d.maxSessionTimeoutMs),
    initialRebalanceDelayMs: pick(v, 'group.initial.rebalance.delay.ms', d.initialRebalanceDelayMs),
  };
}

interface Addresses {
  readonly listeners: readonly KafkaListenerConfig[];
  readonly rpcListen: HostPort;
  readonly httpListen: HostPort;
}

const NAMED_LISTENER_KEYS = ['listeners', 'advertised.listeners'] as const;
const SINGLE_LISTENER_KEYS = ['kafka.listen', 'advertise'] as const;

/** --kafka-listen/--advertise and --listeners/--advertised-listeners both set the Kafka listeners: both given is an error, not a guess at which wins. */
function checkListenerStyle(raw: RawValues): ConfigError | null {
  const single = SINGLE_LISTENER_KEYS.find((key) => raw.has(key));
  const named = NAMED_LISTENER_KEYS.find((key) => raw.has(key));
  if (single === undefined || named === undefined) return null;
  return new ConfigError(
    single,
    `${single} (from ${raw.get(single)!.source}) cannot be combined with ${named} (from ${raw.get(named)!.source}): use --kafka-listen/--advertise or --listeners/--advertised-listeners`,
  );
}

/** A listener's address for clients when none is advertised: its own, but 127.0.0.1 for a wildcard (with a note). */
function defaultAdvertise(listen: HostPort, notes: string[], what: string, remedy: string): HostPort {
  if (!isWildcardHost(listen.host)) return listen;
  notes.push(`${what} on ${listen.host}, so advertising 127.0.0.1 to clients: only local clients can follow it; ${remedy} for remote ones`);
  return { host: '127.0.0.1', port: listen.port };
}

/** --kafka-listen and --advertise: one listener named PLAINTEXT. */
function singleListener(v: Map<string, unknown>, notes: string[]): KafkaListenerConfig {
  const listen = pick(v, 'kafka.listen', DEFAULT_KAFKA_LISTEN);
  const advertise = (v.get('advertise') as HostPort | undefined) ?? defaultAdvertise(listen, notes, 'listening', 'set --advertise HOST:PORT');
  return { name: DEFAULT_KAFKA_LISTENER_NAME, listen, advertise };
}

/** --listeners (default PLAINTEXT://0.0.0.0:9092) and --advertised-listeners, matched by name. */
function namedListeners(v: Map<string, unknown>, notes: string[]): Result<KafkaListenerConfig[], ConfigError> {
  const given = (v.get('listeners') as NamedAddress[] | undefined) ?? [{ name: DEFAULT_KAFKA_LISTENER_NAME, address: DEFAULT_KAFKA_LISTEN }];
  const advertised = (v.get('advertised.listeners') as NamedAddress[] | undefined) ?? [];
  if (given.some((l) => l.name === RPC_ENDPOINT_NAME)) {
    return err(new ConfigError('listeners', `the listener name ${RPC_ENDPOINT_NAME} is reserved for the broker-to-broker gRPC endpoint`));
  }
  for (const { name, address } of advertised) {
    if (!given.some((l) => l.name === name)) {
      return err(new ConfigError('advertised.listeners', `advertised listener ${name} is not among the listeners (${given.map((l) => l.name).join(', ')})`));
    }
    if (isWildcardHost(address.host)) return err(new ConfigError('advertised.listeners', `advertised listener ${name}: '${address.host}' is not an address clients can connect to`));
  }
  return ok(
    given.map(({ name, address }) => {
      // Kafka's NAME://:PORT listens on every interface.
      const listen = address.host === '' ? { host: '0.0.0.0', port: address.port } : address;
      const advertise = advertised.find((a) => a.name === name)?.address ?? defaultAdvertise(listen, notes, `listener ${name} listens`, `set it in --advertised-listeners`);
      return { name, listen, advertise };
    }),
  );
}

function buildAddresses(v: Map<string, unknown>, notes: string[]): Result<Addresses, ConfigError> {
  const named = NAMED_LISTENER_KEYS.some((key) => v.has(key));
  const listeners = named ? namedListeners(v, notes) : ok([singleListener(v, notes)]);
  if (!listeners.ok) return listeners;
  const primaryHost = listeners.value[0].listen.host;
  return ok({
    listeners: listeners.value,
    rpcListen: pick(v, 'rpc.listen', { host: primaryHost, port: DEFAULT_RPC_PORT }),
    httpListen: pick(v, 'http.listen', { host: primaryHost, port: DEFAULT_HTTP_PORT }),
  });
}

/** A socket the broker binds, for the port clash check: the setting to blame and how to name it. */
interface BoundSocket {
  readonly setting: string;
  readonly label: string;
  readonly address: HostPort;
}

/** Two sockets on one fixed port cannot both bind: say so now rather than at bind time. */
function checkPortClash(a: Addresses, named: boolean): ConfigError | null {
  const sockets: BoundSocket[] = [
    ...a.listeners.map((l) => (named ? { setting: 'listeners', label: `listener ${l.name}`, address: l.listen } : { setting: 'kafka.listen', label: 'kafka.listen', address: l.listen })),
    { setting: 'rpc.listen', label: 'rpc.listen', address: a.rpcListen },
    { setting: 'http.listen', label: 'http.listen', address: a.httpListen },
  ];
  for (let i = 0; i < sockets.length; i++) {
    for (let j = i + 1; j < sockets.length; j++) {
      const [first, second] = [sockets[i].address, sockets[j].address];
      const overlap = first.host === second.host || isWildcardHost(first.host) || isWildcardHost(second.host);
      if (first.port !== 0 && first.port === second.port && overlap) return new ConfigError(sockets[j].setting, `${sockets[i].label} and ${sockets[j].label} both use port ${first.port}`);
    }
  }
  return null;
}

/** 22 base64url characters from the sorted voter list, so every node of one --voters derives the same id. */
function clusterIdOf(voterList: readonly Voter[]): string {
  const text = [...voterList].sort((a, b) => a.nodeId - b.nodeId).map((x) => `${x.nodeId}@${x.host}:${x.port}`).join(',');
  return createHash('sha256').update(text).digest().subarray(0, 16).toString('base64url');
}

function buildCluster(v: Map<string, unknown>): ClusterSettings {
  const d = defaultClusterSettings;
  return {
    clusterId: pick(v, 'cluster.id', clusterIdOf(v.get('voters') as Voter[])),
    brokerSessionTimeoutMs: pick(v, 'broker.session.timeout.ms', d.brokerSessionTimeoutMs),
    brokerHeartbeatIntervalMs: pick(v, 'broker.heartbeat.interval.ms', d.brokerHeartbeatIntervalMs),
    metadataSnapshotIntervalEntries: pick(v, 'metadata.snapshot.interval.records', d.metadataSnapshotIntervalEntries),
    replicaLagTimeMaxMs: pick(v, 'replica.lag.time.max.ms', d.replicaLagTimeMaxMs),
    autoLeaderRebalance: pick(v, 'auto.leader.rebalance.enable', d.autoLeaderRebalance),
    leaderImbalanceCheckIntervalMs: pick(v, 'leader.imbalance.check.interval.ms', d.leaderImbalanceCheckIntervalMs),
  };
}

function buildVoters(v: Map<string, unknown>, nodeId: number, a: Addresses): Result<readonly Voter[], ConfigError> {
  const given = v.get('voters') as Voter[] | undefined;
  if (given === undefined) return ok([{ nodeId, host: a.listeners[0].advertise.host, port: a.rpcListen.port }]);
  if (!v.has('node.id')) return err(new ConfigError('node.id', '--node-id is required with --voters (which voter is this node?)'));
  if (!given.some((voter) => voter.nodeId === nodeId)) {
    return err(new ConfigError('voters', `node id ${nodeId} is not among the voters (${given.map((x) => x.nodeId).join(', ')})`));
  }
  return ok(given);
}

function buildConfig(v: Map<string, unknown>): Result<LoadedConfig, ConfigError> {
  const dataDir = v.get('data.dir') as string | undefined;
  if (dataDir === undefined) return err(new ConfigError('data.dir', `the data directory is required: --data-dir DIR or ${envName('data.dir')}`));
  const notes: string[] = [];
  const addresses = buildAddresses(v, notes);
  if (!addresses.ok) return addresses;
  const clash = checkPortClash(addresses.value, NAMED_LISTENER_KEYS.some((key) => v.has(key)));
  if (clash !== null) return err(clash);
  const nodeId = pick(v, 'node.id', DEFAULT_NODE_ID);
  const voterList = buildVoters(v, nodeId, addresses.value);
  if (!voterList.ok) return voterList;
  const config: BrokerConfig = {
    nodeId,
    dataDir,
    ...addresses.value,
    voters: voterList.value,
    cluster: v.has('voters') ? buildCluster(v) : null,
    autoCreateTopics: pick(v, 'auto.create.topics.enable', true),
    deleteTopicEnable: pick(v, 'delete.topic.enable', true),
    topicDefaults: buildTopicDefaults(v),
    limits: buildLimits(v),
    groups: buildGroups(v),
    retentionCheckIntervalMs: pick(v, 'log.retention.check.interval.ms', DEFAULT_RETENTION_CHECK_INTERVAL_MS),
    shutdownTimeoutMs: pick(v, 'shutdown.timeout.ms', DEFAULT_SHUTDOWN_TIMEOUT_MS),
    logLevel: pick(v, 'log.level', 'info'),
  };
  return ok({ config, notes });
}

/** A complete config for tests and embedding: defaults with ephemeral ports on loopback. */
export function testBrokerConfig(dataDir: string, overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  const loopback = (port: number): HostPort => ({ host: '127.0.0.1', port });
  return {
    nodeId: 1,
    dataDir,
    listeners: [{ name: DEFAULT_KAFKA_LISTENER_NAME, listen: loopback(0), advertise: loopback(0) }],
    rpcListen: loopback(0),
    httpListen: loopback(0),
    voters: [{ nodeId: 1, host: '127.0.0.1', port: 0 }],
    cluster: null,
    autoCreateTopics: true,
    deleteTopicEnable: true,
    topicDefaults: defaultTopicDefaults,
    limits: defaultLimits,
    groups: defaultGroupSettings,
    retentionCheckIntervalMs: DEFAULT_RETENTION_CHECK_INTERVAL_MS,
    shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS,
    logLevel: 'silent',
    ...overrides,
  };
}
