/**
 * The broker's own settings as DescribeConfigs reports them for a BROKER resource, under Kafka's
 * broker config names: the topic defaults (log.retention.ms, num.partitions, ...) and a few
 * identity and policy settings. All read-only: they come from the broker's config file, read
 * at start (Kafka's STATIC_BROKER_CONFIG); a value equal to Kafka's default is DEFAULT_CONFIG.
 */
import { defaultTopicDefaults, type BrokerConfig } from '../config/broker-config.js';
import { ConfigSource, ConfigType } from './config-values.js';
import { brokerLevelValue, topicConfigDefinitions } from './topic-configs.js';
import type { ConfigEntry } from './topic-manager.js';

interface BrokerSetting {
  readonly name: string;
  readonly type: number;
  readonly value: string;
  /** Kafka's default, or null when there is none (it must be configured). */
  readonly kafkaDefault: string | null;
  readonly doc: string;
}

function brokerSettings(config: BrokerConfig): BrokerSetting[] {
  const { INT, STRING, BOOLEAN } = ConfigType;
  // Kafka's NAME://HOST:PORT,... with IPv6 hosts in brackets.
  const listenerList = (which: 'listen' | 'advertise') =>
    config.listeners.map(({ name, [which]: { host, port } }) => `${name}://${host.includes(':') ? `[${host}]` : host}:${port}`).join(',');
  const settings: BrokerSetting[] = [
    { name: 'broker.id', type: INT, value: String(config.nodeId), kafkaDefault: null, doc: "This broker's id." },
    { name: 'node.id', type: INT, value: String(config.nodeId), kafkaDefault: null, doc: "This node's id." },
    { name: 'listeners', type: STRING, value: listenerList('listen'), kafkaDefault: null, doc: 'Where the broker accepts Kafka clients.' },
    { name: 'advertised.listeners', type: STRING, value: listenerList('advertise'), kafkaDefault: null, doc: 'The addresses Metadata gives clients, by the listener they connected to.' },
    { name: 'log.dirs', type: STRING, value: config.dataDir, kafkaDefault: null, doc: "The broker's data directory." },
    { name: 'auto.create.topics.enable', type: BOOLEAN, value: String(config.autoCreateTopics), kafkaDefault: 'true', doc: 'Whether Metadata creates unknown topics.' },
    { name: 'delete.topic.enable', type: BOOLEAN, value: String(config.deleteTopicEnable), kafkaDefault: 'true', doc: 'Whether DeleteTopics may delete topics.' },
    {
      name: 'num.partitions',
      type: INT,
      value: String(config.topicDefaults.numPartitions),
      kafkaDefault: String(defaultTopicDefaults.numPartitions),
      doc: 'Partitions of a topic created without a count.',
    },
    {
      name: 'default.replication.factor',
      type: INT,
      value: String(config.topicDefaults.replicationFactor),
      kafkaDefault: String(defaultTopicDefaults.replicationFactor),
      doc: 'Replication factor of a topic created without one.',
    },
  ];
  // The broker-level synonym of every topic config (log.retention.ms for retention.ms, ...).
  for (const definition of topicConfigDefinitions.values()) {
    const { value } = brokerLevelValue(definition, config.topicDefaults);
    settings.push({ name: definition.brokerName, type: definition.type, value, kafkaDefault: definition.kafkaDefault, doc: `The default of the topic config ${definition.name}: ${definition.doc}` });
  }
  return settings;
}

/** Every broker setting (or those named in `keys`), sorted by name. */
export function describeBrokerConfigs(config: BrokerConfig, keys: readonly string[] | null): ConfigEntry[] {
  const wanted = keys === null || keys.length === 0 ? null : new Set(keys);
  return brokerSettings(config)
    .filter((setting) => wanted === null || wanted.has(setting.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((setting) => {
      const source = setting.value === setting.kafkaDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
      const synonyms = [{ name: setting.name, value: setting.value, source }];
      if (source === ConfigSource.STATIC_BROKER_CONFIG && setting.kafkaDefault !== null) synonyms.push({ name: setting.name, value: setting.kafkaDefault, source: ConfigSource.DEFAULT_CONFIG });
      return {
        name: setting.name,
        value: setting.value,
        isExplicit: source === ConfigSource.STATIC_BROKER_CONFIG,
        source,
        synonyms,
        readOnly: true,
        isSensitive: false,
        type: setting.type,
        documentation: setting.doc,
      };
    });
}
