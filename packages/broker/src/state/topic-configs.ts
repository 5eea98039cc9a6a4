/**
 * The topic configs Tributary knows, as Kafka defines them (LogConfig / TopicConfig): name, type,
 * default, the broker-level setting that supplies the default, a validator and a short doc.
 *
 * Applied today: segment.bytes, segment.ms, retention.ms, retention.bytes, max.message.bytes,
 * message.timestamp.type, cleanup.policy, delete.retention.ms, min.cleanable.dirty.ratio and
 * min.compaction.lag.ms go into each partition's log; min.insync.replicas matters once there are
 * replicas. Accepted and stored but not yet acted on: max.compaction.lag.ms, compression.type (batches are stored as the
 * producer sent them), flush.* (the log syncs every append anyway), preallocate and the
 * timestamp bounds.
 */
import { err, ok, type Result } from '@tributary/common';
import { defaultTopicDefaults, type TopicDefaults } from '../config/broker-config.js';
import { adminError, type TopicAdminFailure } from './topic-admin-error.js';
import type { ConfigEntry, ConfigSynonym, TopicConfig } from './topic-manager.js';
import {
  ConfigSource,
  ConfigType,
  LONG_MAX_TEXT,
  booleanOf,
  booleanValue,
  doubleBetween,
  intAtLeast,
  intValue,
  listOf,
  longAtLeast,
  longValue,
  oneOf,
  type ValueCheck,
} from './config-values.js';

export interface TopicConfigDefinition {
  readonly name: string;
  /** Kafka's ConfigType code. */
  readonly type: number;
  /** Kafka's broker-level setting that supplies the default (log.retention.ms for retention.ms). */
  readonly brokerName: string;
  /** The default when the broker's TopicDefaults has a say; otherwise `kafkaDefault` applies. */
  readonly fromDefaults?: (defaults: TopicDefaults) => string;
  readonly kafkaDefault: string;
  readonly check: ValueCheck;
  readonly doc: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const { BOOLEAN, STRING, INT, LONG, DOUBLE, LIST } = ConfigType;

export const CLEANUP_POLICIES = ['delete', 'compact'] as const;
export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;

const definitionList: readonly TopicConfigDefinition[] = [
  {
    name: 'cleanup.policy',
    type: LIST,
    brokerName: 'log.cleanup.policy',
    kafkaDefault: 'delete',
    check: listOf(CLEANUP_POLICIES),
    doc: "'delete' discards old segments by retention; 'compact' keeps the latest value per key; both may be given.",
  },
  {
    name: 'compression.type',
    type: STRING,
    brokerName: 'compression.type',
    kafkaDefault: 'producer',
    check: oneOf(COMPRESSION_TYPES),
    doc: "The topic's final compression. Stored only: batches are kept as the producer compressed them ('producer').",
  },
  {
    name: 'delete.retention.ms',
    type: LONG,
    brokerName: 'log.cleaner.delete.retention.ms',
    kafkaDefault: String(DAY_MS),
    check: longAtLeast(0n),
    doc: 'How long delete tombstones are kept in a compacted topic.',
  },
  {
    name: 'flush.messages',
    type: LONG,
    brokerName: 'log.flush.interval.messages',
    kafkaDefault: LONG_MAX_TEXT,
    check: longAtLeast(1n),
    doc: 'Messages between forced syncs. Stored only: Tributary syncs every append before acknowledging it.',
  },
  {
    name: 'flush.ms',
    type: LONG,
    brokerName: 'log.flush.interval.ms',
    kafkaDefault: LONG_MAX_TEXT,
    check: longAtLeast(0n),
    doc: 'Milliseconds between forced syncs. Stored only: Tributary syncs every append before acknowledging it.',
  },
  {
    name: 'max.compaction.lag.ms',
    type: LONG,
    brokerName: 'log.cleaner.max.compaction.lag.ms',
    kafkaDefault: LONG_MAX_TEXT,
    check: longAtLeast(1n),
    doc: 'The longest a message stays ineligible for compaction (stored; compaction runs on the dirty ratio alone for now).',
  },
  {
    name: 'max.message.bytes',
    type: INT,
    brokerName: 'message.max.bytes',
    fromDefaults: (d) => String(d.maxMessageBytes),
    kafkaDefault: String(defaultTopicDefaults.maxMessageBytes),
    check: intAtLeast(0),
    doc: 'The largest record batch the topic accepts, in bytes.',
  },
  {
    name: 'message.timestamp.difference.max.ms',
    type: LONG,
    brokerName: 'log.message.timestamp.difference.max.ms',
    kafkaDefault: LONG_MAX_TEXT,
    check: longAtLeast(0n),
    doc: "The largest difference allowed between a CreateTime timestamp and the broker's clock (stored; not enforced yet).",
  },
  {
    name: 'message.timestamp.type',
    type: STRING,
    brokerName: 'log.message.timestamp.type',
    kafkaDefault: 'CreateTime',
    check: oneOf(TIMESTAMP_TYPES),
    doc: "CreateTime keeps the producer's timestamps; LogAppendTime stamps each batch with the broker's time.",
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: DOUBLE,
    brokerName: 'log.cleaner.min.cleanable.ratio',
    kafkaDefault: '0.5',
    check: doubleBetween(0, 1),
    doc: 'The dirty share of a log that makes it eligible for compaction.',
  },
  {
    name: 'min.compaction.lag.ms',
    type: LONG,
    brokerName: 'log.cleaner.min.compaction.lag.ms',
    kafkaDefault: '0',
    check: longAtLeast(0n),
    doc: 'The least time a message stays uncompacted.',
  },
  {
    name: 'min.insync.replicas',
    type: INT,
    brokerName: 'min.insync.replicas',
    fromDefaults: (d) => String(d.minInsyncReplicas),
    kafkaDefault: String(defaultTopicDefaults.minInsyncReplicas),
    check: intAtLeast(1),
    doc: 'The fewest in-sync replicas that must hold a write for acks=all to succeed.',
  },
  {
    name: 'preallocate',
    type: BOOLEAN,
    brokerName: 'log.preallocate',
    kafkaDefault: 'false',
    check: booleanValue,
    doc: 'Whether to preallocate segment files (stored only).',
  },
  {
    name: 'retention.bytes',
    type: LONG,
    brokerName: 'log.retention.bytes',
    fromDefaults: (d) => String(d.retentionBytes),
    kafkaDefault: String(defaultTopicDefaults.retentionBytes),
    check: longAtLeast(null),
    doc: 'The size a partition may grow to before its oldest segments are deleted; negative means no limit.',
  },
  {
    name: 'retention.ms',
    type: LONG,
    brokerName: 'log.retention.ms',
    fromDefaults: (d) => String(d.retentionMs),
    kafkaDefault: String(defaultTopicDefaults.retentionMs),
    check: longAtLeast(-1n),
    doc: 'How long a segment is kept after its newest record; -1 keeps it forever.',
  },
  {
    name: 'segment.bytes',
    type: INT,
    brokerName: 'log.segment.bytes',
    fromDefaults: (d) => String(d.segmentBytes),
    kafkaDefault: String(defaultTopicDefaults.segmentBytes),
    // Kafka's floor: the smallest legacy record overhead.
    check: intAtLeast(14),
    doc: 'The size at which a segment is rolled.',
  },
  {
    name: 'segment.ms',
    type: LONG,
    brokerName: 'log.roll.ms',
    fromDefaults: (d) => String(d.segmentMs),
    kafkaDefault: String(defaultTopicDefaults.segmentMs),
    check: longAtLeast(1n),
    doc: 'The age at which a segment is rolled even when not full, so retention can delete it.',
  },
  {
    name: 'unclean.leader.election.enable',
    type: BOOLEAN,
    brokerName: 'unclean.leader.election.enable',
    kafkaDefault: 'false',
    check: booleanValue,
    doc: 'Whether an out-of-sync replica may become leader, at the risk of losing data (no effect on a single broker).',
  },
];

export const topicConfigDefinitions: ReadonlyMap<string, TopicConfigDefinition> = new Map(definitionList.map((d) => [d.name, d]));

/** The config names whose change must reach the open partition logs. */
export const LOG_CONFIG_NAMES: ReadonlySet<string> = new Set([
  'segment.bytes',
  'segment.ms',
  'retention.ms',
  'retention.bytes',
  'max.message.bytes',
  'message.timestamp.type',
  'cleanup.policy',
  'delete.retention.ms',
  'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms',
]);

export function invalidValue(name: string, value: string, reason: string): TopicAdminFailure {
  return adminError('INVALID_CONFIG', `Invalid value ${value} for configuration ${name}: ${reason}`);
}

/** Checks one override; returns the value as stored (trimmed). */
export function validateConfigValue(name: string, value: string | null): Result<string, TopicAdminFailure> {
  const definition = topicConfigDefinitions.get(name);
  if (definition === undefined) return err(adminError('INVALID_CONFIG', `Unknown topic config name: ${name}`));
  if (value === null) return err(adminError('INVALID_CONFIG', `Null value not supported for topic configs: ${name}`));
  const reason = definition.check(value);
  return reason === null ? ok(value.trim()) : err(invalidValue(name, value, reason));
}

/** Checks a whole set of overrides (CreateTopics, AlterConfigs). */
export function validateOverrides(configs: Readonly<Record<string, string | null>>): Result<Record<string, string>, TopicAdminFailure> {
  const valid: Record<string, string> = {};
  for (const [name, value] of Object.entries(configs)) {
    const checked = validateConfigValue(name, value);
    if (!checked.ok) return checked;
    valid[name] = checked.value;
  }
  return ok(valid);
}

/** The value and source a config has when the topic does not override it. */
export function brokerLevelValue(definition: TopicConfigDefinition, defaults: TopicDefaults): { value: string; source: number } {
  if (definition.fromDefaults === undefined) return { value: definition.kafkaDefault, source: ConfigSource.DEFAULT_CONFIG };
  const value = definition.fromDefaults(defaults);
  // Set in the broker's config when it differs from what an unconfigured broker would use.
  const source = value === definition.kafkaDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
  return { value, source };
}

function effectiveValue(name: string, overrides: Readonly<Record<string, string>>, defaults: TopicDefaults): string {
  const override = overrides[name];
  if (override !== undefined) return override;
  return brokerLevelValue(topicConfigDefinitions.get(name)!, defaults).value;
}

/** Kafka's cleanup.policy list ('delete', 'compact', 'delete,compact' in any order) as the log names it. */
function cleanupPolicyOf(list: string): TopicConfig['cleanupPolicy'] {
  const parts = new Set(list.split(',').map((p) => p.trim()));
  if (parts.has('compact')) return parts.has('delete') ? 'compact,delete' : 'compact';
  return 'delete';
}

/** Topic overrides over broker defaults, as the log and the handlers use them. */
export function resolveTopicConfig(overrides: Readonly<Record<string, string>>, defaults: TopicDefaults): TopicConfig {
  const value = (name: string) => effectiveValue(name, overrides, defaults);
  const retentionBytes = longValue(value('retention.bytes'));
  return {
    maxMessageBytes: intValue(value('max.message.bytes')),
    retentionMs: longValue(value('retention.ms')),
    retentionBytes: retentionBytes < 0 ? -1 : retentionBytes,
    segmentBytes: intValue(value('segment.bytes')),
    segmentMs: longValue(value('segment.ms')),
    minInsyncReplicas: intValue(value('min.insync.replicas')),
    messageTimestampType: value('message.timestamp.type') === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    cleanupPolicy: cleanupPolicyOf(value('cleanup.policy')),
    deleteRetentionMs: longValue(value('delete.retention.ms')),
    minCleanableDirtyRatio: Number(value('min.cleanable.dirty.ratio')),
    minCompactionLagMs: longValue(value('min.compaction.lag.ms')),
    uncleanLeaderElectionEnable: booleanOf(value('unclean.leader.election.enable')),
    overrides: Object.freeze({ ...overrides }),
  };
}

/** Every config of a topic (or those named in `keys`; unknown keys are skipped, as Kafka does). */
export function describeTopicConfigs(overrides: Readonly<Record<string, string>>, defaults: TopicDefaults, keys: readonly string[] | null): ConfigEntry[] {
  const wanted = keys === null || keys.length === 0 ? null : new Set(keys);
  const entries: ConfigEntry[] = [];
  for (const definition of definitionList) {
    if (wanted !== null && !wanted.has(definition.name)) continue;
    entries.push(describeOne(definition, overrides[definition.name], defaults));
  }
  return entries;
}

function describeOne(definition: TopicConfigDefinition, override: string | undefined, defaults: TopicDefaults): ConfigEntry {
  const broker = brokerLevelValue(definition, defaults);
  const synonyms: ConfigSynonym[] = [];
  if (override !== undefined) synonyms.push({ name: definition.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  if (broker.source === ConfigSource.STATIC_BROKER_CONFIG) synonyms.push({ name: definition.brokerName, value: broker.value, source: broker.source });
  synonyms.push({ name: definition.brokerName, value: definition.kafkaDefault, source: ConfigSource.DEFAULT_CONFIG });
  return {
    name: definition.name,
    value: override ?? broker.value,
    isExplicit: override !== undefined,
    source: override !== undefined ? ConfigSource.DYNAMIC_TOPIC_CONFIG : broker.source,
    synonyms,
    readOnly: false,
    isSensitive: false,
    type: definition.type,
    documentation: definition.doc,
  };
}
